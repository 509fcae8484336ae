import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What decides an answer besides its inputs: the pure core, the prompts and the calibration maps. */
const ENGINE_DIRS = ['src/core', 'prompts', 'calibration'];

function files(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

let cached: string | undefined;

/**
 * A hash of the code and data that turn inputs into an answer. It is part of the cache key, so a
 * changed rule, policy, prompt or calibration map never serves an answer made by the old one.
 * Computed once per process (about a hundred small files).
 */
export function engineFingerprint(): string {
  if (cached) return cached;
  const hash = createHash('sha256');
  for (const dir of ENGINE_DIRS) {
    for (const file of files(join(ROOT, dir))) {
      hash.update(file.slice(ROOT.length));
      hash.update(readFileSync(file));
    }
  }
  cached = hash.digest('hex').slice(0, 16);
  return cached;
}

/** What draws a chart besides its inputs: the renderers' code and the libraries they paint and encode with. */
const RENDERER_DIRS = ['renderers'];
const RENDERER_PACKAGES = ['chart.js', 'chartjs-chart-financial', 'chartjs-adapter-date-fns', 'chartjs-node-canvas', 'canvas', 'date-fns', 'sharp', 'lightweight-charts', 'puppeteer-core'];

let cachedRenderer: string | undefined;

/**
 * A hash of the code and libraries that turn candles and chart options into a PNG. The cache key
 * holds it instead of the PNG's hash (a cache hit renders nothing), so a changed renderer never
 * serves an answer about a chart it no longer draws. Computed once per process. The Chromium
 * binary the browser renderer drives is not in it (its version is known only once it runs).
 */
export function rendererFingerprint(): string {
  if (cachedRenderer) return cachedRenderer;
  const hash = createHash('sha256');
  for (const dir of RENDERER_DIRS) {
    for (const file of files(join(ROOT, dir))) {
      hash.update(file.slice(ROOT.length));
      hash.update(readFileSync(file));
    }
  }
  for (const name of RENDERER_PACKAGES) {
    let version = 'absent';
    try {
      version = (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      // Not installed (an optional renderer): the key says so.
    }
    hash.update(`${name}@${version}`);
  }
  cachedRenderer = hash.digest('hex').slice(0, 16);
  return cachedRenderer;
}

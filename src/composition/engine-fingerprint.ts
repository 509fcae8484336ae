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

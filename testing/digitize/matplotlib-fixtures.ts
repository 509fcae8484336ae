/**
 * Runs testing/digitize/draw_matplotlib.py with Debian's python3-matplotlib and loads what it wrote:
 * the PNGs (decoded through sharp) and their truth JSON.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbaImage } from '../../src/core/digitize/types.ts';
import { decodeImage } from './png.ts';
import type { PixelTruth } from './truth.ts';

export const MATPLOTLIB_SCRIPT = fileURLToPath(new URL('./draw_matplotlib.py', import.meta.url));
/** Debian's interpreter: it has python3-matplotlib (`npm run setup`); a pyenv python on PATH may not. */
export const PYTHON = process.env.DIGITIZE_PYTHON ?? '/usr/bin/python3';

export interface MatplotlibFixture {
  name: string;
  image: RgbaImage;
  truth: PixelTruth;
}

/** Why matplotlib fixtures cannot be drawn here, or null when they can. */
export function matplotlibUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import matplotlib, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${PYTHON} cannot import matplotlib (apt-get install -y python3-matplotlib): ${r.stderr.trim()}`;
}

/** Draw the fixtures (all, or the named ones) into a fresh temp folder and load them. */
export async function matplotlibFixtures(only: readonly string[] = [], outDir?: string): Promise<MatplotlibFixture[]> {
  const dir = outDir ?? mkdtempSync(join(tmpdir(), 'chartlens-mpl-'));
  const args = [MATPLOTLIB_SCRIPT, '--out', dir, ...(only.length ? ['--only', ...only] : [])];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`draw_matplotlib.py failed (${r.status}): ${r.stderr}`);
  const names = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as string[];
  return Promise.all(
    names.map(async (name) => ({
      name,
      image: await decodeImage(join(dir, `${name}.png`)),
      truth: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as PixelTruth,
    })),
  );
}

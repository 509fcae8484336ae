/**
 * Golden-image comparison for the renderers and the page: by pixels, with a tolerance for the
 * anti-aliasing of another Cairo/Chromium/FreeType build. UPDATE_GOLDEN=1 rewrites the files.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** tests/golden/images/, where every golden PNG lives. */
export const GOLDEN_DIR = fileURLToPath(new URL('../golden/images/', import.meta.url));

export interface Pixels {
  data: Buffer;
  width: number;
  height: number;
}

/** A PNG's RGB pixels (alpha dropped). */
export async function pixels(png: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Share of pixels whose largest channel difference is over 24 (of 255). */
export function differingShare(a: Pixels, b: Pixels): number {
  let differing = 0;
  for (let i = 0; i < a.data.length; i += 3) {
    const d = Math.max(Math.abs(a.data[i] - b.data[i]), Math.abs(a.data[i + 1] - b.data[i + 1]), Math.abs(a.data[i + 2] - b.data[i + 2]));
    if (d > 24) differing++;
  }
  return differing / (a.width * a.height);
}

/**
 * Assert `png` matches the golden `name`.png within `maxShare` differing pixels; on a miss the
 * actual image is saved to the temp folder and named in the failure. `rerun` is the test filter
 * the message suggests for rewriting it.
 */
export async function assertMatchesGolden(name: string, png: Buffer, o: { maxShare: number; rerun: string }): Promise<void> {
  const file = join(GOLDEN_DIR, `${name}.png`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, png);
    return;
  }
  assert.ok(existsSync(file), `golden image ${name}.png is missing; run UPDATE_GOLDEN=1 npm test -- ${o.rerun} to create it`);
  const [want, got] = await Promise.all([pixels(readFileSync(file)), pixels(png)]);
  const out = join(tmpdir(), `chartlens-golden-${name}.actual.png`);
  if (got.width !== want.width || got.height !== want.height) {
    writeFileSync(out, png);
    assert.fail(`${name}: ${got.width}x${got.height}, the golden image is ${want.width}x${want.height} (actual saved to ${out})`);
  }
  const share = differingShare(want, got);
  if (share > o.maxShare) {
    writeFileSync(out, png);
    assert.fail(`${name}: ${(share * 100).toFixed(2)}% of pixels differ from the golden image (actual saved to ${out})`);
  }
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPixels } from '../../src/core/digitize/index.ts';
import type { Rgb } from '../../src/core/digitize/types.ts';
import { blank, fillRect, polyline, syntheticChart } from '../../testing/digitize/synthetic.ts';

const WHITE: Rgb = [255, 255, 255];

describe('digitiser near misses', () => {
  it('when the image is blank, then there are no bars and a warning says so', () => {
    const r = readPixels(blank(640, 400, WHITE));
    assert.deepEqual(r.bars, []);
    assert.match(r.warnings.join(' '), /no bars/);
    assert.equal(r.style.theme, 'light');
  });

  it('when the plot has only a frame and a grid, then there are no bars', () => {
    const img = blank(800, 500, [20, 20, 30]);
    for (let k = 0; k <= 6; k++) {
      fillRect(img, 60, 40 + 70 * k, 740, 41 + 70 * k, [60, 60, 70]);
      fillRect(img, 60 + 113 * k, 40, 61 + 113 * k, 461, [60, 60, 70]);
    }
    const r = readPixels(img);
    assert.deepEqual(r.bars, []);
    assert.match(r.warnings.join(' '), /no bars/);
    assert.equal(r.style.theme, 'dark');
  });

  it('when the plot holds a line chart, then there are no bars and the warning names it', () => {
    const img = blank(900, 500, WHITE);
    const pts: [number, number][] = [];
    let y = 250;
    let s = 7;
    for (let x = 50; x < 850; x += 6) {
      s = (s * 1103515245 + 12345) % 2147483648;
      y = Math.min(460, Math.max(40, y + ((s / 2147483648) - 0.5) * 30));
      pts.push([x, y]);
    }
    for (let k = 0; k < 4; k++) polyline(img, pts, [41, 98, 255], 2);
    const r = readPixels(img);
    assert.deepEqual(r.bars, []);
    assert.match(r.warnings.join(' '), /no bars/);
  });

  it('when the pixels are not an RGBA image, then it says so instead of throwing', () => {
    const r = readPixels({ width: 10, height: 10, data: new Uint8Array(10) });
    assert.deepEqual(r.bars, []);
    assert.match(r.warnings[0], /not an RGBA image/);
  });

  it('when a chart is read, then every bar keeps high <= open/close <= low (y down) and a confidence in [0, 1]', () => {
    const { image } = syntheticChart({ width: 800, height: 450, bars: 70, seed: 5, background: WHITE, up: [0, 0, 0], down: [0, 0, 0], hollow: true, ma: [255, 0, 255] });
    const r = readPixels(image);
    assert.ok(r.bars.length > 60);
    for (const b of r.bars) {
      assert.ok(b.highY <= Math.min(b.openY, b.closeY) && b.lowY >= Math.max(b.openY, b.closeY));
      assert.ok(b.confidence >= 0 && b.confidence <= 1);
    }
  });
});

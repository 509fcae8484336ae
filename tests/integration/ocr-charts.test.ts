/**
 * The text side of the digitiser end to end on real charts: label strips cropped from charts
 * drawn by chartlens's own renderer and by matplotlib, read by the real tesseract worker, parsed,
 * and fitted. The strips are found from the pixels here (the layout step is not this file's
 * subject); the ground truth is the ticks each renderer drew.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { createChartRenderer } from '../../src/composition/chart-renderer.ts';
import { createOcr } from '../../src/composition/ocr.ts';
import { fitPriceAxis, type PriceAxisResult, priceAt } from '../../src/core/digitize/axis-fit.ts';
import { PRICE_LABEL_WHITELIST, priceAxisLabels, TIME_LABEL_WHITELIST, tightenLabelStrip, timeAxisLabels } from '../../src/core/digitize/axis-labels.ts';
import { assignBarTimes, readTimeLabels, type TimeAxisRead } from '../../src/core/digitize/time-labels.ts';
import type { AxisLabel, Rect, RgbaImage } from '../../src/core/digitize/types.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { computeMarketStreams } from '../../src/core/market/facts.ts';
import { chartOptionsSchema } from '../../src/core/scene/chart-options.ts';
import type { Ocr } from '../../src/ports/ocr.ts';
import { sp500 } from '../helpers/sample-data.ts';
import { chartlensGeometry } from '../../testing/digitize/chartlens-geometry.ts';

const DAY = 86_400_000;

async function decode(png: Buffer): Promise<RgbaImage> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

interface PriceRead {
  labels: AxisLabel[];
  result: PriceAxisResult;
  strip: Rect;
}

async function readPriceAxis(ocr: Ocr, png: Buffer, img: RgbaImage, strip: Rect, plotSide: 'left' | 'right', span?: { top: number; bottom: number }): Promise<PriceRead> {
  const tight = tightenLabelStrip(img, strip, plotSide);
  assert.ok(tight, 'the price strip holds text');
  const words = await ocr.readText(png, { region: tight, whitelist: PRICE_LABEL_WHITELIST });
  const labels = priceAxisLabels(words, tight);
  return { labels, result: fitPriceAxis(labels, { span }), strip: tight };
}

async function readTimeAxis(ocr: Ocr, png: Buffer, img: RgbaImage, strip: Rect): Promise<{ labels: AxisLabel[]; read: TimeAxisRead }> {
  const tight = tightenLabelStrip(img, strip, 'top');
  assert.ok(tight, 'the time strip holds text');
  const words = await ocr.readText(png, { region: tight, whitelist: TIME_LABEL_WHITELIST, upscale: 3 });
  const labels = timeAxisLabels(words, tight);
  return { labels, read: readTimeLabels(labels) };
}

function fitOf(r: PriceAxisResult): Extract<PriceAxisResult, { ok: true }> {
  assert.ok(r.ok, r.ok ? '' : `no fit: ${r.reason}; rejected ${JSON.stringify(r.rejected)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// chartlens charts

/** The chart geometry of a chartlens render (shared with bench/digitize-ocr.ts), asserted found. */
function geometryOf(img: RgbaImage, weights: { price: number; total: number }): { plot: Rect; priceBottom: number; gridRows: number[] } {
  const geo = chartlensGeometry(img, weights.price / weights.total);
  assert.ok(geo, 'found the y axis border and the grid');
  return geo;
}

const renderer = createChartRenderer();
const ocr = createOcr();
after(async () => {
  await ocr.close();
  await renderer.close();
});

interface ChartlensCase {
  name: string;
  candles: Candle[];
  options: Record<string, unknown>;
  weights: { price: number; total: number };
  ticks: number[];
}

const all = sp500();
const CASES: ChartlensCase[] = [
  { name: 'the default light chart of the last 150 bars', candles: all.slice(-150), options: {}, weights: { price: 4, total: 5 }, ticks: [3400, 3200, 3000, 2800, 2600, 2400, 2200, 2000] },
  {
    name: 'a dark chart with Bollinger bands and RSI and MACD panes',
    candles: all.slice(-150),
    options: { theme: 'dark', overlays: ['sma20', 'bollinger'], panes: ['rsi', 'macd'] },
    weights: { price: 4, total: 7.4 },
    ticks: [4000, 3500, 3000, 2500, 2000],
  },
  { name: 'a chart without volume (2018-19)', candles: all.slice(-400, -250), options: { volume: false }, weights: { price: 1, total: 1 }, ticks: [3000, 2900, 2800, 2700, 2600, 2500, 2400, 2300] },
  { name: 'an 800x600 chart of 300 bars (2016-17)', candles: all.slice(-1000, -700), options: { width: 800, height: 600 }, weights: { price: 4, total: 5 }, ticks: [2500, 2400, 2300, 2200, 2100, 2000, 1900] },
  { name: 'a small 640x400 chart (2000-01)', candles: all.slice(200, 320), options: { width: 640, height: 400 }, weights: { price: 4, total: 5 }, ticks: [1500, 1400, 1300, 1200, 1100, 1000] },
];

describe('OCR of chartlens-rendered charts', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      let png: Buffer;
      let img: RgbaImage;
      let geo: ReturnType<typeof geometryOf>;
      before(async () => {
        const streams = computeMarketStreams(c.candles);
        const chart = await renderer.render({ candles: c.candles, indicators: streams.indicators, symbol: 'SPX', timeframe: '1d', options: chartOptionsSchema.parse(c.options) });
        png = chart.png;
        img = await decode(png);
        geo = geometryOf(img, c.weights);
      });

      test('when the price strip right of the plot is read, then the labels equal the ticks drawn, on their gridlines, and the fit is within 0.2% of the range', async (t) => {
        const span = { top: geo.plot.top, bottom: geo.priceBottom };
        const strip = { left: geo.plot.right, top: geo.plot.top, right: img.width, bottom: geo.priceBottom };
        const { labels, result } = await readPriceAxis(ocr, png, img, strip, 'left', span);
        const r = fitOf(result);
        t.diagnostic(`read ${labels.map((l) => l.text).join(' ')}; maxErrorOfRange ${(r.fit.maxErrorOfRange * 100).toFixed(3)}%`);
        assert.deepEqual(
          r.fit.labels.map((l) => l.value),
          c.ticks,
        );
        assert.deepEqual(r.fit.rejected, []);
        assert.equal(r.fit.scale, 'linear');
        assert.equal(r.fit.monotone, true);
        assert.equal(r.tickStep, c.ticks[0] - c.ticks[1]);
        assert.ok(r.fit.maxErrorOfRange <= 0.002, `fit error ${r.fit.maxErrorOfRange}`);
        // Against the pixels: the scale puts each value within a pixel of its gridline.
        for (const l of r.fit.labels) {
          const grid = geo.gridRows.reduce((best, y) => (Math.abs(y - l.y) < Math.abs(best - l.y) ? y : best));
          const off = Math.abs(priceAt(r.fit, grid) - l.value) / Math.abs(r.fit.a);
          assert.ok(off <= 1, `${l.text}: the scale gives ${priceAt(r.fit, grid)} on its gridline (${off.toFixed(2)} px away)`);
        }
      });

      test('when the time strip under the plot is read, then its dates anchor the bars and most bars get their own date', async (t) => {
        const strip = { left: 0, top: geo.plot.bottom, right: img.width, bottom: img.height };
        const { labels, read } = await readTimeAxis(ocr, png, img, strip);
        t.diagnostic(`read ${labels.map((l) => l.text).join(' ')}`);
        assert.ok(read.anchors.length >= 5, `${read.anchors.length} anchors from ${JSON.stringify(labels)}`);
        assert.equal(read.dateKnown, true);
        const n = c.candles.length;
        const barX = (i: number): number => geo.plot.left + ((i + 0.5) * (geo.plot.right - geo.plot.left)) / n;
        const xs = c.candles.map((_, i) => barX(i));
        for (const a of read.anchors) {
          const i = Math.round(((a.x - geo.plot.left) * n) / (geo.plot.right - geo.plot.left) - 0.5);
          assert.equal(a.time, c.candles[i].time, `${a.text} sits on bar ${i}`);
        }
        const bars = assignBarTimes(read.anchors, xs);
        assert.ok(bars);
        assert.deepEqual(bars.period, { unit: 'day', business: true });
        const exact = bars.times.filter((tm, i) => tm === c.candles[i].time).length;
        t.diagnostic(`${exact} of ${n} bars dated exactly`);
        assert.ok(exact >= 0.95 * n, `${exact} of ${n} exact`);
        bars.times.forEach((tm, i) => assert.ok(Math.abs(tm - c.candles[i].time) <= 4 * DAY, `bar ${i}`));
      });
    });
  }

  test('when the strip runs down past the price pane into the volume pane, then the fit keeps the price labels and rejects the volume ones', async () => {
    const candles = all.slice(-150);
    const chart = await renderer.render({ candles, indicators: computeMarketStreams(candles).indicators, options: chartOptionsSchema.parse({}) });
    const img = await decode(chart.png);
    const geo = geometryOf(img, { price: 4, total: 5 });
    const strip = { left: geo.plot.right, top: geo.plot.top, right: img.width, bottom: geo.plot.bottom + 4 };
    const { result } = await readPriceAxis(ocr, chart.png, img, strip, 'left');
    const r = fitOf(result);
    assert.deepEqual(
      r.fit.labels.map((l) => l.value),
      CASES[0].ticks,
    );
    assert.ok(r.fit.rejected.length >= 2, JSON.stringify(r.fit.rejected));
    assert.equal(r.fit.monotone, true);
  });
});

// ---------------------------------------------------------------------------------------------
// matplotlib charts

const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

/** Draws candles with matplotlib (Agg) and prints the ticks, labels and bar columns it drew. */
const MATPLOTLIB = String.raw`
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np

req = json.load(sys.stdin)
rows, kind, out = req["rows"], req["kind"], req["out"]
d = np.array([mdates.datestr2num(r[0]) for r in rows])
o, h, l, c = (np.array([r[i] for r in rows]) for i in range(1, 5))
with plt.style.context("dark_background" if kind == "dark" else "default"):
    fig, ax = plt.subplots(figsize=(10.24, 5.12), dpi=100)
    col = np.where(c >= o, "#26a69a", "#ef5350")
    ax.vlines(d, l, h, color=col, linewidth=1)
    ax.bar(d, np.maximum(np.abs(c - o), 1e-9), bottom=np.minimum(o, c), width=5 if kind == "log" else 0.6, color=col)
    if kind == "log":
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(mticker.LogLocator(subs=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0)))
        ax.yaxis.set_minor_locator(mticker.NullLocator())
        ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.0f}"))
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    elif kind == "dark":
        ax.yaxis.tick_right()
        ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("$" + "{x:,.0f}"))
        loc = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.grid(True, alpha=0.3)
    fig.canvas.draw()
    H = fig.bbox.height
    bb = ax.get_window_extent()
    lo, hi = sorted(ax.get_ylim())
    xl, xh = ax.get_xlim()
    texts = {t.get_position()[1]: t.get_text() for t in ax.get_yticklabels()}
    truth = {
        "width": fig.bbox.width, "height": H,
        "plot": {"left": bb.x0, "right": bb.x1, "top": H - bb.y1, "bottom": H - bb.y0},
        "yticks": [{"value": float(v), "text": texts.get(v, ""), "y": float(H - ax.transData.transform((d[0], v))[1])}
                   for v in ax.get_yticks() if lo <= v <= hi],
        "xlabels": [{"text": t.get_text(), "x": float(ax.transData.transform((t.get_position()[0], lo))[0])}
                    for t in ax.get_xticklabels() if xl <= t.get_position()[0] <= xh and t.get_text()],
        "bars": [float(ax.transData.transform((x, lo))[0]) for x in d],
    }
    fig.savefig(out, dpi=100)
print(json.dumps(truth))
`;

interface MatplotlibTruth {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  yticks: { value: number; text: string; y: number }[];
  xlabels: { text: string; x: number }[];
  bars: number[];
}

const hasMatplotlib = spawnSync(PYTHON, ['-c', 'import matplotlib'], { stdio: 'ignore' }).status === 0;

function drawWithMatplotlib(dir: string, kind: 'linear' | 'log' | 'dark', candles: readonly Candle[]): { png: Buffer; truth: MatplotlibTruth } {
  const out = join(dir, `${kind}.png`);
  const rows = candles.map((c) => [new Date(c.time).toISOString().slice(0, 10), c.open, c.high, c.low, c.close]);
  const p = spawnSync(PYTHON, ['-c', MATPLOTLIB], { input: JSON.stringify({ rows, kind, out }), encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(p.status, 0, p.stderr);
  return { png: readFileSync(out), truth: JSON.parse(p.stdout) as MatplotlibTruth };
}

describe('OCR of matplotlib-drawn charts', { skip: hasMatplotlib ? false : `${PYTHON} has no matplotlib (npm run setup installs python3-matplotlib)` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartlens-mpl-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Label rows are row indices; matplotlib's tick positions are continuous coordinates. */
  const row = (y: number): number => y - 0.5;

  /** The labels used are the ticks drawn, and the scale puts each tick within a pixel of where it was drawn. */
  function checkAgainstTicks(r: Extract<PriceAxisResult, { ok: true }>, truth: MatplotlibTruth): void {
    assert.deepEqual(
      r.fit.labels.map((l) => l.value),
      truth.yticks.map((tk) => tk.value).sort((a, b) => b - a),
    );
    for (const tk of truth.yticks) {
      const y = row(tk.y);
      const perPx = r.fit.scale === 'log' ? Math.abs(r.fit.a) * priceAt(r.fit, y) : Math.abs(r.fit.a);
      const off = Math.abs(priceAt(r.fit, y) - tk.value) / perPx;
      assert.ok(off <= 1, `${tk.text}: the scale gives ${priceAt(r.fit, y)} at its tick (${off.toFixed(2)} px away)`);
    }
  }

  test('when the left price strip of a linear chart is read, then the labels equal the ticks and the fit is within 0.2% of the range', async (t) => {
    const candles = all.slice(-120);
    const { png, truth } = drawWithMatplotlib(dir, 'linear', candles);
    const img = await decode(png);
    const p = truth.plot;
    const strip = { left: 0, top: Math.max(0, Math.floor(p.top) - 10), right: Math.floor(p.left) - 1, bottom: Math.ceil(p.bottom) + 10 };
    const span = { top: row(p.top), bottom: row(p.bottom) };
    const { labels, result } = await readPriceAxis(ocr, png, img, strip, 'right', span);
    const r = fitOf(result);
    t.diagnostic(`read ${labels.map((l) => l.text).join(' ')}; maxErrorOfRange ${(r.fit.maxErrorOfRange * 100).toFixed(3)}%`);
    assert.equal(r.fit.scale, 'linear');
    assert.equal(r.fit.monotone, true);
    assert.ok(r.fit.maxErrorOfRange <= 0.002);
    assert.equal(r.tickStep, 200);
    checkAgainstTicks(r, truth);
  });

  test('when the time strip of a linear chart is read, then "2020-03" labels anchor the bars of a date axis, weekends and all', async (t) => {
    const candles = all.slice(-120);
    const { png, truth } = drawWithMatplotlib(dir, 'linear', candles);
    const img = await decode(png);
    const p = truth.plot;
    const { labels, read } = await readTimeAxis(ocr, png, img, { left: Math.floor(p.left) - 40, top: Math.ceil(p.bottom) + 1, right: Math.ceil(p.right) + 40, bottom: img.height });
    t.diagnostic(`read ${labels.map((l) => l.text).join(' ')}`);
    assert.deepEqual(
      read.anchors.map((a) => a.text),
      truth.xlabels.map((x) => x.text),
    );
    for (const [k, a] of read.anchors.entries()) assert.ok(Math.abs(a.x - row(truth.xlabels[k].x)) <= 1.5, `${a.text} at ${a.x}, tick at ${truth.xlabels[k].x}`);
    const bars = assignBarTimes(
      read.anchors,
      truth.bars.map((x) => row(x)),
    );
    assert.ok(bars);
    assert.equal(bars.axis, 'time');
    assert.deepEqual(
      bars.times,
      candles.map((c) => c.time),
    );
  });

  test('when the price strip of a log chart is read, then the log scale is found and fits the ticks within 0.2%', async (t) => {
    const candles = all.slice(-4300).filter((_, i) => i % 5 === 0);
    const { png, truth } = drawWithMatplotlib(dir, 'log', candles);
    const img = await decode(png);
    const p = truth.plot;
    const strip = { left: 0, top: Math.max(0, Math.floor(p.top) - 10), right: Math.floor(p.left) - 1, bottom: Math.ceil(p.bottom) + 10 };
    const { labels, result } = await readPriceAxis(ocr, png, img, strip, 'right', { top: row(p.top), bottom: row(p.bottom) });
    const r = fitOf(result);
    t.diagnostic(`read ${labels.map((l) => l.text).join(' ')}; maxErrorOfRange ${(r.fit.maxErrorOfRange * 100).toFixed(3)}%`);
    assert.equal(r.fit.scale, 'log');
    assert.equal(r.fit.monotone, true);
    assert.ok(r.fit.maxErrorOfRange <= 0.002);
    checkAgainstTicks(r, truth);
    const time = await readTimeAxis(ocr, png, img, { left: Math.floor(p.left) - 40, top: Math.ceil(p.bottom) + 1, right: Math.ceil(p.right) + 40, bottom: img.height });
    assert.deepEqual(
      time.read.anchors.map((a) => [a.text, a.precision]),
      truth.xlabels.map((x) => [x.text, 'year']),
    );
  });

  test('when a dark chart prints "$3,000" on the right and concise dates ("Nov", "2020", "Feb"), then both axes read', async (t) => {
    const candles = all.slice(-130);
    const { png, truth } = drawWithMatplotlib(dir, 'dark', candles);
    const img = await decode(png);
    const p = truth.plot;
    const strip = { left: Math.ceil(p.right) + 1, top: Math.max(0, Math.floor(p.top) - 10), right: img.width, bottom: Math.ceil(p.bottom) + 10 };
    const { labels, result } = await readPriceAxis(ocr, png, img, strip, 'left', { top: row(p.top), bottom: row(p.bottom) });
    const r = fitOf(result);
    t.diagnostic(`read ${labels.map((l) => l.text).join(' ')}`);
    assert.ok(labels.every((l) => l.text.startsWith('$')));
    checkAgainstTicks(r, truth);
    const time = await readTimeAxis(ocr, png, img, { left: Math.floor(p.left) - 40, top: Math.ceil(p.bottom) + 1, right: Math.ceil(p.right) + 40, bottom: img.height });
    t.diagnostic(`read ${time.labels.map((l) => l.text).join(' ')}`);
    assert.deepEqual(
      time.read.anchors.map((a) => new Date(a.time).toISOString().slice(0, 7)),
      ['2019-11', '2019-12', '2020-01', '2020-02', '2020-03', '2020-04'],
    );
    const bars = assignBarTimes(
      time.read.anchors,
      truth.bars.map((x) => row(x)),
    );
    assert.ok(bars);
    assert.deepEqual(
      bars.times,
      candles.map((c) => c.time),
    );
  });
});

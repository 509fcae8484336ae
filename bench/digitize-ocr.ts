/**
 * OCR benchmark for the digitiser's text side: how long tesseract.js takes to start and to read
 * one axis label strip, and how well the price scale fitted to the labels read matches the chart.
 *
 *   node bench/digitize-ocr.ts [--charts=24]   (or BENCH_CHARTS in the environment)
 *
 * Charts are drawn by chartlens's renderer from samples/sp500.csv: windows of 60..400 bars spread
 * over 2000-2020, four sizes, light and dark, with and without volume, RSI and MACD panes. The
 * price strip (right of the plot) and the time strip (under it) are found from the pixels, read
 * with one warm engine, parsed and fitted. Reported:
 *
 *   cold start        a fresh engine's warm(): worker thread, wasm core, model (best_int, 2.9 MB gz)
 *   first read        cold start plus one price strip, what the first request pays
 *   price / time strip  one readText of a strip, warm (sharp preparation + recognition)
 *   labels exact      price labels whose value equals the tick drawn (its gridline's value)
 *   maxErrorOfRange   the fit's own error: max |fitted - value| over labels / visible range
 *   gridline offset   |fitted price at the gridline - label value| in pixels: the ground truth
 *   bars dated        bars whose interpolated time equals the candle's
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { createChartRenderer } from '../src/composition/chart-renderer.ts';
import { createOcr } from '../src/composition/ocr.ts';
import { fitPriceAxis, priceAt } from '../src/core/digitize/axis-fit.ts';
import { PRICE_LABEL_WHITELIST, priceAxisLabels, TIME_LABEL_WHITELIST, tightenLabelStrip, timeAxisLabels } from '../src/core/digitize/axis-labels.ts';
import { assignBarTimes, readTimeLabels } from '../src/core/digitize/time-labels.ts';
import type { RgbaImage } from '../src/core/digitize/types.ts';
import { type Candle, parseCandlesCsv } from '../src/core/market/candles.ts';
import { computeMarketStreams } from '../src/core/market/facts.ts';
import { chartOptionsSchema } from '../src/core/scene/chart-options.ts';
import { chartlensGeometry } from '../testing/digitize/chartlens-geometry.ts';

const arg = process.argv.find((a) => a.startsWith('--charts='));
const CHARTS = Number(arg ? arg.slice(9) : (process.env.BENCH_CHARTS ?? 24));
if (!Number.isInteger(CHARTS) || CHARTS < 1) {
  console.error('bench/digitize-ocr: --charts must be a whole number >= 1');
  process.exit(2);
}

const candles: Candle[] = parseCandlesCsv(readFileSync(new URL('../samples/sp500.csv', import.meta.url), 'utf8'));

function stats(xs: number[]): { median: number; p90: number; max: number; min: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p90: q(0.9), max: s.at(-1) ?? NaN, min: s[0] ?? NaN };
}

async function decode(png: Buffer): Promise<RgbaImage> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}


const SIZES = [
  [1024, 512],
  [800, 600],
  [640, 400],
  [1280, 720],
] as const;

interface Case {
  label: string;
  bars: Candle[];
  options: Record<string, unknown>;
  priceShare: number;
}

function cases(n: number): Case[] {
  const out: Case[] = [];
  for (let k = 0; k < n; k++) {
    const length = 60 + ((k * 97) % 341);
    const start = Math.floor((candles.length - length - 1) * ((k * 0.618034) % 1));
    const [width, height] = SIZES[k % SIZES.length];
    const theme = k % 2 ? 'dark' : 'light';
    const panes = k % 5 === 3 ? ['rsi', 'macd'] : [];
    const volume = k % 7 !== 5;
    const weights = (volume ? 1 : 0) + panes.length * 1.2;
    out.push({
      label: `${width}x${height} ${theme} ${length} bars from ${new Date(candles[start].time).toISOString().slice(0, 10)}${volume ? '' : ' no volume'}${panes.length ? ' +rsi/macd' : ''}`,
      bars: candles.slice(start, start + length),
      options: { width, height, theme, panes, volume },
      priceShare: 4 / (4 + weights),
    });
  }
  return out;
}

const renderer = createChartRenderer();

// Cold start: a fresh engine, three times (each start spawns a new worker thread).
const cold: number[] = [];
const firstRead: number[] = [];
const probe = cases(1)[0];
const probePng = (await renderer.render({ candles: probe.bars, indicators: computeMarketStreams(probe.bars).indicators, options: chartOptionsSchema.parse(probe.options) })).png;
const probeImg = await decode(probePng);
const probeGeo = chartlensGeometry(probeImg, probe.priceShare)!;
const probeStrip = tightenLabelStrip(probeImg, { left: probeGeo.plot.right, top: probeGeo.plot.top, right: probeImg.width, bottom: probeGeo.priceBottom }, 'left')!;
for (let k = 0; k < 3; k++) {
  const o = createOcr();
  const t0 = performance.now();
  await o.warm();
  cold.push(performance.now() - t0);
  await o.close();
  const o2 = createOcr();
  const t1 = performance.now();
  await o2.readText(probePng, { region: probeStrip, whitelist: PRICE_LABEL_WHITELIST });
  firstRead.push(performance.now() - t1);
  await o2.close();
}

const ocr = createOcr();
await ocr.warm();
const priceMs: number[] = [];
const timeMs: number[] = [];
const errors: number[] = [];
const offsets: number[] = [];
let labelsTotal = 0;
let labelsExact = 0;
let fits = 0;
let monotone = 0;
let barsTotal = 0;
let barsExact = 0;
let barsWithin1 = 0;
let dated = 0;
const failures: string[] = [];

for (const c of cases(CHARTS)) {
  const chart = await renderer.render({ candles: c.bars, indicators: computeMarketStreams(c.bars).indicators, symbol: 'SPX', timeframe: '1d', options: chartOptionsSchema.parse(c.options) });
  const img = await decode(chart.png);
  const geo = chartlensGeometry(img, c.priceShare);
  if (!geo) {
    failures.push(`${c.label}: plot not found`);
    continue;
  }
  const span = { top: geo.plot.top, bottom: geo.priceBottom };
  const strip = tightenLabelStrip(img, { left: geo.plot.right, top: geo.plot.top, right: img.width, bottom: geo.priceBottom }, 'left');
  if (strip) {
    const t0 = performance.now();
    const words = await ocr.readText(chart.png, { region: strip, whitelist: PRICE_LABEL_WHITELIST });
    priceMs.push(performance.now() - t0);
    const labels = priceAxisLabels(words, strip);
    const r = fitPriceAxis(labels, { span });
    if (r.ok) {
      fits++;
      if (r.fit.monotone) monotone++;
      errors.push(r.fit.maxErrorOfRange);
      for (const l of r.fit.labels) {
        const grid = geo.gridRows.reduce((best, y) => (Math.abs(y - l.y) < Math.abs(best - l.y) ? y : best));
        offsets.push(Math.abs(priceAt(r.fit, grid) - l.value) / Math.abs(r.fit.a));
      }
      // A label is exact when its value is the scale's value on its gridline, to the tick step.
      const gridValues = geo.gridRows.filter((y) => y < geo.priceBottom).map((y) => priceAt(r.fit, y));
      const step = r.tickStep ?? Infinity;
      labelsTotal += labels.length;
      labelsExact += r.fit.labels.filter((l) => gridValues.some((g) => Math.abs(g - l.value) < 0.05 * step)).length;
      if (r.fit.rejected.length > 0) failures.push(`${c.label}: rejected ${r.fit.rejected.map((x) => `${x.text} (${x.reason})`).join(', ')}`);
    } else failures.push(`${c.label}: no fit (${r.reason})`);
  } else failures.push(`${c.label}: no price strip`);

  const tstrip = tightenLabelStrip(img, { left: 0, top: geo.plot.bottom, right: img.width, bottom: img.height }, 'top');
  if (tstrip) {
    const t0 = performance.now();
    const words = await ocr.readText(chart.png, { region: tstrip, whitelist: TIME_LABEL_WHITELIST, upscale: 3 });
    timeMs.push(performance.now() - t0);
    const read = readTimeLabels(timeAxisLabels(words, tstrip));
    const n = c.bars.length;
    const xs = c.bars.map((_, i) => geo.plot.left + ((i + 0.5) * (geo.plot.right - geo.plot.left)) / n);
    const bars = assignBarTimes(read.anchors, xs);
    barsTotal += n;
    if (bars) {
      dated++;
      bars.times.forEach((t, i) => {
        if (t === c.bars[i].time) barsExact++;
        if (Math.abs(t - c.bars[i].time) <= 86_400_000 * 1.5) barsWithin1++;
      });
    } else failures.push(`${c.label}: bars not dated (${read.anchors.length} anchors)`);
  }
}
await ocr.close();
await renderer.close();

const ms = (v: number): string => v.toFixed(1).padStart(7);
const pct = (v: number): string => `${(v * 100).toFixed(3)}%`;
console.log(`OCR bench: tesseract.js 7 (LSTM, eng best_int), ${CHARTS} chartlens charts; node ${process.version}`);
console.log('\ntimes (ms)                       median      p90      min    n');
for (const [name, xs] of [
  ['cold start (warm())', cold],
  ['first read (start + 1 strip)', firstRead],
  ['price strip, warm', priceMs],
  ['time strip, warm', timeMs],
] as const) {
  const s = stats(xs);
  console.log(`  ${name.padEnd(29)} ${ms(s.median)}  ${ms(s.p90)}  ${ms(s.min)}  ${String(xs.length).padStart(3)}`);
}
const e = stats(errors);
const o = stats(offsets);
console.log('\naccuracy');
console.log(`  price scale fitted             ${fits}/${CHARTS} charts, monotone ${monotone}/${fits}`);
console.log(`  labels exact                   ${labelsExact}/${labelsTotal}`);
console.log(`  maxErrorOfRange                median ${pct(e.median)}, max ${pct(e.max)}`);
console.log(`  gridline offset (px)           median ${o.median.toFixed(2)}, p90 ${o.p90.toFixed(2)}, max ${o.max.toFixed(2)}`);
console.log(`  bars dated                     ${dated}/${CHARTS} charts; ${barsExact}/${barsTotal} bars exact, ${barsWithin1}/${barsTotal} within a day`);
if (failures.length > 0) console.log(`\nnotes:\n  ${failures.join('\n  ')}`);

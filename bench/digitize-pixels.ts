/**
 * Pixel-reading benchmark for the chart digitiser (src/core/digitize readPixels): over charts with
 * known pixel truth (chartlens's own renderer, and matplotlib charts in several styles from
 * testing/digitize/draw_matplotlib.py), per style: bars found %, median and p95 pixel error of
 * high/low/open/close, and the median ms per image of readPixels alone (decoding excluded).
 *
 *   node bench/digitize-pixels.ts [--iterations=5] [--no-matplotlib] [--jpeg] [--only=NAME,...] [--verbose]
 *
 * --jpeg adds a JPEG (quality 85) round trip of every fixture as its own style, the lossy upload.
 */
import { performance } from 'node:perf_hooks';
import { createChartRenderer } from '../src/composition/chart-renderer.ts';
import { readPixelsDetailed } from '../src/core/digitize/index.ts';
import type { RgbaImage } from '../src/core/digitize/types.ts';
import { CHARTLENS_SPECS, chartlensFixture, type RgbaChartRenderer } from '../testing/digitize/chartlens-fixtures.ts';
import { matplotlibFixtures, matplotlibUnavailable } from '../testing/digitize/matplotlib-fixtures.ts';
import { jpegRoundTrip } from '../testing/digitize/png.ts';
import { mergeScores, quantile, rectIou, scoreBars, type BarScore, type PixelTruth } from '../testing/digitize/truth.ts';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const iterations = Number(arg('iterations') ?? 5);
const only = (arg('only') ?? '').split(',').filter(Boolean);
const verbose = process.argv.includes('--verbose');
const withJpeg = process.argv.includes('--jpeg');

interface Case {
  name: string;
  style: string;
  image: RgbaImage;
  truth: PixelTruth;
}

const cases: Case[] = [];
const renderer = createChartRenderer();
for (const spec of CHARTLENS_SPECS) {
  if (only.length && !only.includes(spec.name)) continue;
  const f = chartlensFixture(renderer as unknown as RgbaChartRenderer, spec);
  cases.push({ name: spec.name, style: f.truth.style, image: f.image, truth: f.truth });
}
await renderer.close();
if (!process.argv.includes('--no-matplotlib')) {
  const why = matplotlibUnavailable();
  if (why) console.log(`matplotlib fixtures skipped: ${why}`);
  else {
    const mpl = await matplotlibFixtures();
    for (const f of mpl) if (!only.length || only.includes(f.name)) cases.push({ name: f.name, style: `mpl-${f.truth.style}`, image: f.image, truth: f.truth });
  }
}
if (withJpeg) {
  for (const c of [...cases]) cases.push({ ...c, name: `${c.name}.jpg`, style: 'jpeg-q85', image: await jpegRoundTrip(c.image, 85) });
}

interface Row {
  style: string;
  score: BarScore;
  ms: number[];
  images: number;
  plotIou: number[];
  notes: string[];
}
const rows = new Map<string, Row>();
for (const c of cases) {
  const times: number[] = [];
  let result = readPixelsDetailed(c.image);
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    result = readPixelsDetailed(c.image);
    times.push(performance.now() - t0);
  }
  const score = scoreBars(result.bars, c.truth.bars);
  const row = rows.get(c.style) ?? { style: c.style, score: mergeScores([]), ms: [], images: 0, plotIou: [], notes: [] };
  row.score = mergeScores([row.score, score]);
  row.ms.push(quantile(times, 0.5));
  row.images++;
  row.plotIou.push(rectIou(result.layout.price, c.truth.plot));
  if (c.truth.bars.length === 0 && result.bars.length > 0) row.notes.push(`${c.name}: ${result.bars.length} bars invented`);
  rows.set(c.style, row);
  if (verbose) {
    const e = score.errors;
    console.log(
      `${c.name.padEnd(26)} ${c.image.width}x${c.image.height} found ${score.matched}/${score.truthBars} (+${score.extra})` +
        ` med ${quantile(e, 0.5).toFixed(2)} p95 ${quantile(e, 0.95).toFixed(2)} dir-wrong ${score.wrongDirection}` +
        ` plotIoU ${rectIou(result.layout.price, c.truth.plot).toFixed(3)} ${quantile(times, 0.5).toFixed(1)} ms` +
        ` kind ${result.style.kind}${result.style.hollow ? ' hollow' : ''} ${result.style.theme} dir ${result.details.directionMethod}` +
        ` iou ${result.details.iou?.toFixed(2)} side ${result.details.priceSide} vol ${result.layout.volume ? 'yes' : 'no'}` +
        (result.warnings.length ? `\n    warnings: ${result.warnings.join(' | ')}` : ''),
    );
  }
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`.padStart(7);
console.log('');
console.log(`readPixels over ${cases.length} images, ${iterations} timed runs each (median per image, then median per style)`);
console.log(`${'style'.padEnd(28)} ${'images'.padStart(6)} ${'bars'.padStart(6)} ${'found'.padStart(7)} ${'extra'.padStart(6)} ${'med px'.padStart(7)} ${'p95 px'.padStart(7)} ${'dir ok'.padStart(7)} ${'plot IoU'.padStart(8)} ${'ms/img'.padStart(7)}`);
for (const r of rows.values()) {
  const s = r.score;
  const found = s.truthBars ? s.matched / s.truthBars : s.foundBars === 0 ? 1 : 0;
  const dirOk = s.matched ? 1 - s.wrongDirection / s.matched : 1;
  console.log(
    `${r.style.padEnd(28)} ${String(r.images).padStart(6)} ${String(s.truthBars).padStart(6)} ${pct(found)} ${String(s.extra).padStart(6)}` +
      ` ${quantile(s.errors, 0.5).toFixed(2).padStart(7)} ${quantile(s.errors, 0.95).toFixed(2).padStart(7)} ${pct(dirOk)}` +
      ` ${quantile(r.plotIou, 0.5).toFixed(3).padStart(8)} ${quantile(r.ms, 0.5).toFixed(1).padStart(7)}`,
  );
  for (const n of r.notes) console.log(`    ${n}`);
}

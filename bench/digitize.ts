/**
 * The chart digitiser end to end (decode, pixels, OCR of the axis labels, scale fit, candles), over
 * charts with known truth: chartlens's own renderer (both themes, candles and OHLC bars, three
 * sizes, 60 to 200 bars) and matplotlib charts in several styles (light, dark, hollow, with and
 * without volume, 800x600 to 1920x1080). Per style it prints the share of candles found, the
 * median OHLC error as a share of the price range, the price-axis fit error, and the median time
 * per image with the OCR engine already warm, against the goals of issue 10.
 *
 *   node bench/digitize.ts [--iterations=3] [--no-matplotlib] [--only=NAME,...]
 */
import { performance } from 'node:perf_hooks';
import { createChartRenderer } from '../src/composition/chart-renderer.ts';
import { loadConfig } from '../src/composition/config.ts';
import { closeDigitizer, createDigitizer, warmDigitizer } from '../src/composition/digitize.ts';
import type { RgbaImage } from '../src/core/digitize/types.ts';
import { digitizeChart } from '../src/use-cases/digitize-chart.ts';
import { CHARTLENS_SPECS, chartlensFixture, type RgbaChartRenderer } from '../testing/digitize/chartlens-fixtures.ts';
import { matplotlibFixtures, matplotlibUnavailable } from '../testing/digitize/matplotlib-fixtures.ts';
import { encodePng } from '../testing/digitize/png.ts';
import { quantile, type PixelTruth, truthSpacing } from '../testing/digitize/truth.ts';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const iterations = Number(arg('iterations') ?? 3);
const only = (arg('only') ?? '').split(',').filter(Boolean);

interface Case {
  name: string;
  style: string;
  png: Buffer;
  truth: PixelTruth;
  width: number;
  height: number;
}

async function caseOf(name: string, image: RgbaImage, truth: PixelTruth): Promise<Case> {
  return { name, style: truth.style, png: await encodePng(image), truth, width: image.width, height: image.height };
}

const cases: Case[] = [];
const renderer = createChartRenderer();
for (const spec of CHARTLENS_SPECS) {
  if (only.length && !only.includes(spec.name)) continue;
  const f = chartlensFixture(renderer as unknown as RgbaChartRenderer, spec);
  cases.push(await caseOf(spec.name, f.image, f.truth));
}
await renderer.close();
const noMpl = process.argv.includes('--no-matplotlib') ? 'skipped by --no-matplotlib' : matplotlibUnavailable();
if (noMpl) console.log(`matplotlib charts: not drawn (${noMpl})`);
else for (const f of await matplotlibFixtures(only)) cases.push(await caseOf(f.name, f.image, f.truth));

const digitizer = createDigitizer(loadConfig({ CHARTLENS_LOG: 'silent' }));
const warmStart = performance.now();
await warmDigitizer(digitizer);
console.log(`OCR engine warm in ${(performance.now() - warmStart).toFixed(0)} ms (excluded from the times below)`);

interface Score {
  truth: number;
  found: number;
  errors: number[];
  fit: number[];
  ms: number[];
  /** Times of the 1024x512 charts only: the size the goal is stated for. */
  ms1024: number[];
  pixelsMs: number[];
  ocrMs: number[];
  /** Charts drawn without candles (a line chart, an empty plot): how many came back with none. */
  noCandleCharts: number;
  noCandleOk: number;
}
const byStyle = new Map<string, Score>();

for (const c of cases) {
  const s = byStyle.get(c.style) ?? { truth: 0, found: 0, errors: [], fit: [], ms: [], ms1024: [], pixelsMs: [], ocrMs: [], noCandleCharts: 0, noCandleOk: 0 };
  byStyle.set(c.style, s);
  let result = await digitizeChart(digitizer, c.png);
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    result = await digitizeChart(digitizer, c.png);
    const ms = performance.now() - t0;
    s.ms.push(ms);
    if (c.width === 1024 && c.height === 512) s.ms1024.push(ms);
    s.pixelsMs.push(result.timing.pixelsMs);
    s.ocrMs.push(result.timing.ocrMs);
  }
  const d = result.digitization;
  if (c.truth.kind === 'line' || c.truth.kind === 'empty') {
    s.noCandleCharts++;
    if (d.candles.length === 0) s.noCandleOk++;
    continue;
  }
  const bars = c.truth.bars;
  s.truth += bars.length;
  if (d.axis.price) s.fit.push(d.axis.price.maxErrorOfRange);
  const range = Math.max(...bars.map((b) => b.high)) - Math.min(...bars.map((b) => b.low));
  const half = truthSpacing(bars) / 2;
  const used = new Set<number>();
  for (const b of bars) {
    let best = -1;
    for (let i = 0; i < d.candles.length; i++) {
      if (used.has(i) || Math.abs(d.candles[i].x - b.x) > half) continue;
      if (best < 0 || Math.abs(d.candles[i].x - b.x) < Math.abs(d.candles[best].x - b.x)) best = i;
    }
    if (best < 0) continue;
    used.add(best);
    s.found++;
    const got = d.candles[best];
    for (const k of ['open', 'high', 'low', 'close'] as const) s.errors.push(Math.abs(got[k] - b[k]) / range);
  }
}
await closeDigitizer(digitizer);

const pct = (v: number, digits = 2): string => `${(v * 100).toFixed(digits)}%`;
const pass = (ok: boolean): string => (ok ? 'ok' : 'MISS');
console.log(`\n${cases.length} charts, ${iterations} timed runs each (node ${process.version})`);
console.log('style'.padEnd(24), 'charts  found (>=98%)   OHLC err med (<=0.3%)  axis fit max (<=0.2%)  ms med (pixels+ocr)   ms 1024x512 (<=150)');
for (const [style, s] of [...byStyle].sort()) {
  const charts = cases.filter((c) => c.style === style).length;
  const ms = quantile(s.ms, 0.5);
  const split = `${ms.toFixed(0)} (${quantile(s.pixelsMs, 0.5).toFixed(0)}+${quantile(s.ocrMs, 0.5).toFixed(0)})`;
  const at1024 = s.ms1024.length ? quantile(s.ms1024, 0.5) : null;
  const t1024 = at1024 === null ? '-' : `${at1024.toFixed(0)} ${pass(at1024 <= 150)}`;
  if (s.noCandleCharts > 0 && s.truth === 0) {
    console.log(style.padEnd(24), String(charts).padStart(6), `no candles reported on ${s.noCandleOk}/${s.noCandleCharts} ${pass(s.noCandleOk === s.noCandleCharts)}`.padEnd(66), split.padStart(18), t1024.padStart(20));
    continue;
  }
  const found = s.found / Math.max(1, s.truth);
  const err = s.errors.length ? quantile(s.errors, 0.5) : Number.NaN;
  const fit = s.fit.length ? Math.max(...s.fit) : Number.NaN;
  console.log(
    style.padEnd(24),
    String(charts).padStart(6),
    `${pct(found, 1)} ${pass(found >= 0.98)}`.padEnd(18),
    `${pct(err, 3)} ${pass(err <= 0.003)}`.padEnd(22),
    `${s.fit.length ? `${pct(fit, 3)} ${pass(fit <= 0.002)}` : 'no fit MISS'}`.padEnd(22),
    split.padStart(18),
    t1024.padStart(20),
  );
}

/**
 * Render benchmark: 150 real S&P 500 daily bars at 1024x512 with volume and SMA20/SMA50, drawn by
 * the Chart.js renderer (split into draw / PNG encode), by the browser renderer (lightweight-charts
 * in headless Chromium: cold start, warm tab pool one at a time and two at a time), through HTTP
 * with each, and by matplotlib's Agg backend (Debian's python3-matplotlib in one warm process,
 * what mplfinance-based tools do), all in one run.
 *
 *   node bench/render.ts [--iterations=50] [--warmup=5] [--cold=3] [--no-matplotlib] [--no-browser]
 *   (or BENCH_ITERATIONS / BENCH_WARMUP / BENCH_COLD / BENCH_PYTHON in the environment)
 *
 * Every path draws the same 150 bars with indicators computed on those 150 bars, exactly what a
 * POST /v1/render of 150 rows does (SMA20 starts at bar 20, SMA50 at bar 50).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { renderBenchProfile } from '../src/composition/bench.ts';
import { formatCandleTime, parseCandlesCsv } from '../src/core/market/candles.ts';
import { computeIndicatorSeries } from '../src/core/market/indicators.ts';
import { chartOptionsSchema, type ChartRequest } from '../src/core/scene/chart-options.ts';
import { renderChart } from '../src/use-cases/render-chart.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const BARS = 150;
const WIDTH = 1024;
const HEIGHT = 512;
const OVERLAYS = ['sma20', 'sma50'] as const;
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

function intOption(name: string, env: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const raw = arg ? arg.slice(name.length + 3) : process.env[env];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (name === 'warmup' ? 0 : 1)) {
    console.error(`bench/render: --${name} must be a whole number (got ${raw})`);
    process.exit(2);
  }
  return n;
}

const iterations = intOption('iterations', 'BENCH_ITERATIONS', 50);
const warmup = intOption('warmup', 'BENCH_WARMUP', 5);
const colds = intOption('cold', 'BENCH_COLD', 3);
const skipMatplotlib = process.argv.includes('--no-matplotlib');
const skipBrowser = process.argv.includes('--no-browser');

interface Stats {
  label: string;
  median: number;
  p90: number;
  min: number;
  n: number;
  note?: string;
}

function stats(label: string, times: number[], note?: string): Stats {
  const s = [...times].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { label, median, p90: at(0.9), min: s[0], n: s.length, note };
}

/** Run `fn` warm-up times untimed, then `iterations` times timed (ms each). */
async function measure(fn: () => unknown): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

const ms = (v: number): string => v.toFixed(1).padStart(7);
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

function printTable(title: string, rows: Stats[]): void {
  console.log(`\n${title}`);
  const w = Math.max(...rows.map((r) => r.label.length), 10);
  console.log(`  ${'step'.padEnd(w)}  median      p90      min    n  note`);
  for (const r of rows) {
    console.log(`  ${r.label.padEnd(w)}  ${ms(r.median)}  ${ms(r.p90)}  ${ms(r.min)}  ${String(r.n).padStart(3)}  ${r.note ?? ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Data: the last 150 bars of samples/sp500.csv.
const csvText = readFileSync(join(root, 'samples/sp500.csv'), 'utf8');
const candles = parseCandlesCsv(csvText).slice(-BARS);
const options = chartOptionsSchema.parse({ overlays: [...OVERLAYS], width: WIDTH, height: HEIGHT });
const request = (opts: Partial<ChartRequest['options']> = {}): ChartRequest => ({
  candles,
  indicators: computeIndicatorSeries(candles),
  options: { ...options, ...opts },
});
const req = request();
// The default renderer and the HTTP app, built by the composition root as the server builds them.
const bench = renderBenchProfile();
const { renderer } = bench;

console.log(
  `chartlens render bench: ${candles.length} S&P 500 daily bars ` +
    `(${formatCandleTime(candles[0].time).slice(0, 10)} to ${formatCandleTime(candles[candles.length - 1].time).slice(0, 10)}), ` +
    `${WIDTH}x${HEIGHT}, volume + ${OVERLAYS.join(' + ')}`,
);
console.log(`iterations ${iterations}, warm-up ${warmup}; times in ms; node ${process.version}, sharp ${sharp.versions.sharp}`);

// ---------------------------------------------------------------------------------------------
// The renderer's raw-pixel entry point (drawRgba: draw without the PNG encode), and the Cairo
// BGRA to RGBA conversion it ends with, both exposed by the bench profile.
const drawName = 'drawRgba';
const drawPixels = (r: ChartRequest): Buffer => renderer.drawRgba(r);
const convert = { name: 'bgraToRgbaInPlace', fn: bench.bgraToRgbaInPlace };

// In-process: draw, convert, encode.
const drawTimes = await measure(() => drawPixels(req));
const pixels = drawPixels(req);
const channels = pixels.length / (WIDTH * HEIGHT);

// The draw includes converting Cairo's BGRA; time the conversion alone on an opaque frame (the
// background plugin paints every pixel, so Cairo's output is fully opaque).
const opaque = Buffer.alloc(WIDTH * HEIGHT * 4, 0xff);
const convertTimes = await measure(() => convert.fn(opaque));

// Encode exactly as render() does (RGBA input has its constant alpha dropped first).
const encode = (level: number) => () => {
  const img = sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: channels as 3 | 4 } });
  return (channels === 4 ? img.removeAlpha() : img).png({ compressionLevel: level, adaptiveFiltering: false }).toBuffer();
};
const encodeRows: Stats[] = [];
for (const level of [1, 3, 6]) {
  const size = (await encode(level)()).length;
  encodeRows.push(stats(`sharp PNG encode, level ${level}`, await measure(encode(level)), kb(size)));
}

// Cairo's own PNG encoder (what chartjs-node-canvas does for 'image/png'), on the same pixels.
let cairoRow: Stats | undefined;
try {
  const { createCanvas } = await import('canvas');
  const canvas = createCanvas(WIDTH, HEIGHT);
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(WIDTH, HEIGHT);
  for (let p = 0, s = 0; s < pixels.length; p += 4, s += channels) {
    img.data[p] = pixels[s];
    img.data[p + 1] = pixels[s + 1];
    img.data[p + 2] = pixels[s + 2];
    img.data[p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  const size = canvas.toBuffer('image/png').length;
  cairoRow = stats('Cairo PNG encode (canvas default)', await measure(() => canvas.toBuffer('image/png')), kb(size));
} catch (err) {
  console.log(`(Cairo PNG encode skipped: ${(err as Error).message})`);
}

const renderSize = (await renderer.render(req)).png.length;
const renderTimes = await measure(() => renderer.render(req));

// What each chart element adds to the draw. The variants run round-robin so that noise from a
// shared machine hits them alike.
const parts: [string, Partial<ChartRequest['options']>][] = [
  ['draw: candles only', { overlays: [], volume: false }],
  ['draw: candles + volume', { overlays: [], volume: true }],
  ['draw: candles + volume + SMA20/50', {}],
];
const partReqs = parts.map(([, opts]) => request(opts));
const partTimes: number[][] = parts.map(() => []);
for (let i = 0; i < warmup + iterations; i++) {
  partReqs.forEach((r, k) => {
    const t0 = performance.now();
    drawPixels(r);
    if (i >= warmup) partTimes[k].push(performance.now() - t0);
  });
}
const partRows = parts.map(([label], k) => stats(label, partTimes[k]));

// The request body POSTed below; time the use case on it in process too (validation + indicators
// + render, no HTTP), so the HTTP overhead splits into app work and transport.
const rows = candles.map((c) => ({
  time: formatCandleTime(c.time).slice(0, 10),
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
  volume: c.volume,
}));
const payload = { candles: rows, chart: { overlays: [...OVERLAYS], width: WIDTH, height: HEIGHT } };
const useCaseTimes = await measure(() => renderChart(renderer, structuredClone(payload)));

// ---------------------------------------------------------------------------------------------
// The browser renderer: lightweight-charts in headless Chromium, the same request.
const browserRows: Stats[] = [];
let browserWarm: Stats | undefined;
let browserCold: Stats | undefined;
let browserPair: Stats | undefined;
let browserSkip: string | undefined;
const browserReq = request({ renderer: 'browser' });
if (skipBrowser) {
  browserSkip = 'browser renderer: skipped (--no-browser)';
} else if (!bench.browserRenderer) {
  browserSkip = 'browser renderer: skipped, no Chromium (npm run setup installs Debian chromium; CHROMIUM_PATH names another)';
} else {
  const open = bench.browserRenderer;
  // Cold: a new renderer each time, so the first render pays for starting Chromium and loading its 2 tabs.
  const coldTimes: number[] = [];
  let version = '';
  for (let i = 0; i < colds; i++) {
    const cold = open(2);
    const t0 = performance.now();
    await cold.render(browserReq);
    coldTimes.push(performance.now() - t0);
    if (i === 0) version = await cold.version();
    await cold.close();
  }
  console.log(`browser renderer: ${version}, lightweight-charts ${bench.lightweightChartsVersion}, pool of 2 tabs`);
  const warm = open(2);
  const size = (await warm.render(browserReq)).png.length;
  browserCold = stats('browser render, cold (launch + 2 tabs + 1st chart)', coldTimes, 'a new Chromium each');
  browserWarm = stats('browser render, warm, one at a time', await measure(() => warm.render(browserReq)), kb(size));
  // Two at a time on the two tabs (both cores): wall time per chart.
  const pairTimes = (await measure(() => Promise.all([warm.render(browserReq), warm.render(browserReq)]))).map((t) => t / 2);
  browserPair = stats('browser render, warm, 2 at a time (wall / chart)', pairTimes);
  browserRows.push(browserCold, browserWarm, browserPair);
  await warm.close();
}

// ---------------------------------------------------------------------------------------------
// HTTP: POST /v1/render end to end (JSON serialisation on the client, Express, validation,
// indicators, render, response), sequential requests over keep-alive.
const server = bench.app.listen(0, '127.0.0.1');
await new Promise<void>((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
});
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/render`;
let httpBytes = 0;
let httpBrowserBytes = 0;
const post = (body: unknown, want: string) => async (): Promise<void> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const png = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 || res.headers.get('content-type') !== 'image/png' || res.headers.get('x-chartlens-renderer') !== want) {
    throw new Error(`POST /v1/render answered ${res.status} ${res.headers.get('content-type')} by ${res.headers.get('x-chartlens-renderer')}: ${png.toString('utf8', 0, 300)}`);
  }
  if (want === 'browser') httpBrowserBytes = png.length;
  else httpBytes = png.length;
};
const httpTimes = await measure(post(payload, 'chartjs'));
// The browser through the app: one untimed request starts the app's warm browser first.
const browserPayload = { ...payload, chart: { ...payload.chart, renderer: 'browser' } };
let httpBrowserTimes: number[] | null = null;
if (browserWarm) {
  await post(browserPayload, 'browser')();
  httpBrowserTimes = await measure(post(browserPayload, 'browser'));
}
await new Promise<void>((resolve) => server.close(() => resolve()));
server.closeAllConnections();

// ---------------------------------------------------------------------------------------------
// matplotlib (Agg) in one warm Python process.
let mplRow: Stats | undefined;
let mplSkip: string | undefined;
if (skipMatplotlib) {
  mplSkip = 'matplotlib: skipped (--no-matplotlib)';
} else {
  const probe = spawnSync(PYTHON, ['-c', 'import matplotlib, numpy; print(matplotlib.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    mplSkip =
      `matplotlib: skipped, ${PYTHON} ${probe.error ? 'is missing' : 'cannot import matplotlib/numpy'}. ` +
      'Install it with: apt-get install -y python3-matplotlib';
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'chartlens-bench-'));
    try {
      const file = join(dir, 'bars.csv');
      const lines = csvText.trimEnd().split(/\r?\n/);
      writeFileSync(file, [lines[0], ...lines.slice(-BARS)].join('\n') + '\n');
      const run = spawnSync(
        PYTHON,
        [join(here, 'matplotlib_render.py'), '--csv', file, '--iterations', String(iterations), '--warmup', String(warmup)],
        { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      );
      if (run.status !== 0) {
        mplSkip = `matplotlib: skipped, bench/matplotlib_render.py failed: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      } else {
        const out = JSON.parse(run.stdout) as { matplotlib: string; pngBytes: number; timesMs: number[] };
        mplRow = stats(`matplotlib ${out.matplotlib} Agg, savefig PNG`, out.timesMs, kb(out.pngBytes));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
const draw = stats(`chartjs draw (${drawName})`, drawTimes, `Chart.js + Cairo + ${convert.name}`);
const render = stats('renderer.render() (draw + sharp encode)', renderTimes, kb(renderSize));
const useCase = stats('renderChart() use case (validate + indicators + render)', useCaseTimes);
const http = stats('HTTP POST /v1/render end to end', httpTimes, kb(httpBytes));
const httpBrowser = httpBrowserTimes ? stats('HTTP POST /v1/render, renderer browser', httpBrowserTimes, kb(httpBrowserBytes)) : undefined;

printTable('Chart.js renderer, in process', [
  draw,
  stats(`  of which ${convert.name}`, convertTimes, 'JS loop over 512K pixels'),
  ...encodeRows,
  ...(cairoRow ? [cairoRow] : []),
  render,
]);
printTable('Draw cost by chart element', partRows);
if (browserRows.length > 0) printTable('Browser renderer (lightweight-charts in headless Chromium), in process', browserRows);
else console.log(`\n${browserSkip}`);
printTable('End to end and baseline', [render, useCase, http, ...(browserWarm ? [browserWarm] : []), ...(httpBrowser ? [httpBrowser] : []), ...(mplRow ? [mplRow] : [])]);

console.log('\nRatios (median matplotlib / median chartlens, same run; goal >= 10x)');
if (mplRow) {
  const line = (label: string, s: Stats): void => {
    const r = mplRow.median / s.median;
    console.log(`  ${label.padEnd(40)} ${r.toFixed(2).padStart(6)}x  ${r >= 10 ? 'meets' : 'below'} the 10x goal`);
  };
  line('chartjs, in process (render())', render);
  line('chartjs, through HTTP', http);
  if (browserWarm && browserPair && browserCold) {
    line('browser, warm, one at a time', browserWarm);
    line('browser, warm, 2 at a time (per chart)', browserPair);
    if (httpBrowser) line('browser, through HTTP', httpBrowser);
    line('browser, cold first render', browserCold);
  } else {
    console.log(`  ${browserSkip}`);
  }
} else {
  console.log(`  ${mplSkip}`);
}
if (browserWarm) console.log(`  browser / chartjs (render(), medians): ${(browserWarm.median / render.median).toFixed(1)}x slower`);
const encode3 = encodeRows[1].median;
const convertMs = stats('', convertTimes).median;
console.log(
  `\nWhere the time goes (medians): draw ${draw.median.toFixed(1)} ms = Chart.js + Cairo ~${(draw.median - convertMs).toFixed(1)} ms` +
    ` + BGRA conversion ~${convertMs.toFixed(1)} ms; sharp PNG encode (level 3) ${encode3.toFixed(1)} ms` +
    ` (${((100 * encode3) / (draw.median + encode3)).toFixed(0)}% of draw + encode);` +
    ` validation + indicators ~${(useCase.median - render.median).toFixed(1)} ms; HTTP transport ~${(http.median - useCase.median).toFixed(1)} ms.`,
);

await bench.close();
process.exit(0);

/**
 * Chart fixtures drawn by chartlens's own renderer, with pixel truth taken from the renderer itself.
 *
 * testing/ may not import the composition root, so the caller passes the renderer in (tests and
 * bench use `createChartRenderer()` from src/composition/chart-renderer.ts). The truth is read off
 * the Chart.js chart the renderer just drew: each financial element's x/open/high/low/close pixels
 * and the scales' boxes. That reaches into the renderer's internals (its per-size canvases), which
 * is test-only knowledge; if the renderer changes shape, `chartlensFixture` throws saying so.
 */
import { readFileSync } from 'node:fs';
import { parseCandlesCsv, type Candle } from '../../src/core/market/candles.ts';
import { computeMarketStreams, factsAt } from '../../src/core/market/facts.ts';
import { computeIndicatorSeries } from '../../src/core/market/indicators.ts';
import { chartOptionsSchema, type ChartRequest } from '../../src/core/scene/chart-options.ts';
import type { RgbaImage } from '../../src/core/digitize/types.ts';
import type { PixelTruth, TruthBar } from './truth.ts';

/** What this helper needs of a renderer: raw RGBA drawing (ChartJsRenderer has it). */
export interface RgbaChartRenderer {
  drawRgba(req: ChartRequest): Buffer;
}

export interface ChartlensFixtureSpec {
  name: string;
  theme: 'light' | 'dark';
  style: 'candle' | 'ohlc';
  width: number;
  height: number;
  bars: number;
  volume: boolean;
  overlays: ('sma20' | 'sma50')[];
  marks: boolean;
  /** Where the window ends in the S&P 500 sample (bars from the end); varies the price path. */
  endOffset: number;
}

export interface ChartlensFixture {
  spec: ChartlensFixtureSpec;
  image: RgbaImage;
  truth: PixelTruth;
}

/** The grid of fixtures the tests and the bench use: both themes and styles, three sizes, 60-200 bars. */
export const CHARTLENS_SPECS: ChartlensFixtureSpec[] = [
  { name: 'cl-light-candle-1024', theme: 'light', style: 'candle', width: 1024, height: 512, bars: 150, volume: true, overlays: ['sma20', 'sma50'], marks: false, endOffset: 0 },
  { name: 'cl-dark-candle-1024', theme: 'dark', style: 'candle', width: 1024, height: 512, bars: 150, volume: true, overlays: ['sma20', 'sma50'], marks: false, endOffset: 0 },
  { name: 'cl-light-candle-800', theme: 'light', style: 'candle', width: 800, height: 400, bars: 60, volume: false, overlays: [], marks: false, endOffset: 400 },
  { name: 'cl-dark-candle-800', theme: 'dark', style: 'candle', width: 800, height: 400, bars: 200, volume: true, overlays: ['sma20'], marks: false, endOffset: 900 },
  { name: 'cl-light-candle-1600', theme: 'light', style: 'candle', width: 1600, height: 900, bars: 200, volume: true, overlays: ['sma20', 'sma50'], marks: true, endOffset: 1500 },
  { name: 'cl-dark-candle-1600', theme: 'dark', style: 'candle', width: 1600, height: 900, bars: 90, volume: false, overlays: ['sma50'], marks: true, endOffset: 2100 },
  { name: 'cl-light-marks-1024', theme: 'light', style: 'candle', width: 1024, height: 512, bars: 120, volume: true, overlays: ['sma20', 'sma50'], marks: true, endOffset: 2600 },
  { name: 'cl-light-ohlc-1024', theme: 'light', style: 'ohlc', width: 1024, height: 512, bars: 120, volume: true, overlays: ['sma20', 'sma50'], marks: false, endOffset: 0 },
  { name: 'cl-dark-ohlc-1024', theme: 'dark', style: 'ohlc', width: 1024, height: 512, bars: 100, volume: false, overlays: ['sma20'], marks: false, endOffset: 3100 },
  { name: 'cl-light-ohlc-800', theme: 'light', style: 'ohlc', width: 800, height: 400, bars: 60, volume: false, overlays: [], marks: false, endOffset: 3600 },
  { name: 'cl-dark-ohlc-1600', theme: 'dark', style: 'ohlc', width: 1600, height: 900, bars: 160, volume: true, overlays: ['sma20', 'sma50'], marks: true, endOffset: 4000 },
];

/** The style a chartlens fixture is scored under: theme and bar style, and whether marks clutter it. */
export function chartlensStyle(spec: ChartlensFixtureSpec): string {
  return `chartlens-${spec.theme}-${spec.style}${spec.marks ? '-marks' : ''}`;
}

let sample: Candle[] | undefined;

/** The repository's S&P 500 daily sample (samples/sp500.csv). */
function sp500(): Candle[] {
  sample ??= parseCandlesCsv(readFileSync(new URL('../../samples/sp500.csv', import.meta.url), 'utf8'));
  return sample;
}

/** The request the HTTP render path would build for this spec (facts only when marks are on). */
export function chartlensRequest(spec: ChartlensFixtureSpec): ChartRequest {
  const all = sp500();
  const end = all.length - spec.endOffset;
  const candles = all.slice(end - spec.bars, end);
  const options = chartOptionsSchema.parse({
    width: spec.width,
    height: spec.height,
    style: spec.style,
    theme: spec.theme,
    overlays: spec.overlays,
    volume: spec.volume,
    markPatterns: spec.marks,
    markLevels: spec.marks,
  });
  const streams = spec.marks ? computeMarketStreams(candles) : undefined;
  return {
    candles,
    indicators: streams?.indicators ?? computeIndicatorSeries(candles),
    facts: streams ? factsAt(streams, candles.length - 1, Math.max(0, candles.length - 30)) : undefined,
    symbol: 'SPX',
    timeframe: '1d',
    options,
  };
}

/** The slice of Chart.js this helper reads after a draw. */
interface ScaleBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
interface FinancialElement {
  x: number;
  open: number;
  high: number;
  low: number;
  close: number;
}
interface DrawnChart {
  scales: Record<string, ScaleBox | undefined>;
  getDatasetMeta(i: number): { data: FinancialElement[] };
}

function drawnChart(renderer: RgbaChartRenderer, width: number, height: number): DrawnChart {
  const canvases = (renderer as unknown as { canvases?: Map<string, { live?: { chart?: DrawnChart } }> }).canvases;
  const chart = canvases?.get(`${width}x${height}`)?.live?.chart;
  if (!chart || typeof chart.getDatasetMeta !== 'function') {
    throw new Error('chartlens-fixtures: the renderer is not the Chart.js renderer this helper knows (no canvases/live chart)');
  }
  return chart;
}

/** Draw one fixture and read its truth from the chart that drew it. */
export function chartlensFixture(renderer: RgbaChartRenderer, spec: ChartlensFixtureSpec): ChartlensFixture {
  const req = chartlensRequest(spec);
  const rgba = renderer.drawRgba(req);
  const chart = drawnChart(renderer, spec.width, spec.height);
  const x = chart.scales.x;
  const y = chart.scales.y;
  if (!x || !y) throw new Error('chartlens-fixtures: the drawn chart has no x/y scales');
  const vol = spec.volume ? chart.scales.yVolume : undefined;
  const elements = chart.getDatasetMeta(0).data;
  const bars: TruthBar[] = req.candles.map((c, i) => {
    const e = elements[i];
    return {
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      x: e.x,
      openY: e.open,
      highY: e.high,
      lowY: e.low,
      closeY: e.close,
      direction: c.close > c.open ? 'up' : c.close < c.open ? 'down' : 'flat',
    };
  });
  const truth: PixelTruth = {
    name: spec.name,
    style: chartlensStyle(spec),
    width: spec.width,
    height: spec.height,
    kind: spec.style,
    hollow: false,
    priceLabels: 'right',
    plot: { left: x.left, right: x.right, top: y.top, bottom: y.bottom },
    volume: vol ? { left: x.left, right: x.right, top: vol.top, bottom: vol.bottom } : null,
    bars,
  };
  const data = new Uint8Array(rgba.length);
  data.set(rgba);
  return { spec, image: { width: spec.width, height: spec.height, data }, truth };
}

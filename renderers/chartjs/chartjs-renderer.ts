import { createRequire } from 'node:module';
import { ChartJSNodeCanvasBase } from 'chartjs-node-canvas';
import sharp from 'sharp';
import { formatCandleTime } from '../../src/core/market/candles.ts';
import type { ChartRenderer, LineChartRenderer, LineChartRequest, RenderedChart } from '../../src/ports/chart-renderer.ts';
import type { ChartRequest } from '../../src/core/scene/chart-options.ts';
import { chartWindow, type ChartWindow } from '../../src/core/scene/chart-window.ts';
import { THEMES, type ChartTheme } from '../../src/core/scene/theme.ts';

const require = createRequire(import.meta.url);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Chart.js configuration objects are loosely typed plugin bags.
type Cfg = any;

/**
 * Load the CommonJS Chart.js with chartjs-chart-financial registered on it. The financial plugin
 * only registers itself on a global `Chart`, so the global is set first (this is the loading order
 * that works under Node 20).
 */
function loadChartJs(): { chart: Cfg; cacheEntries: [string, NodeJS.Module][] } {
  const Chart = require('chart.js/auto');
  Chart.helpers = require('chart.js/helpers');
  const g = globalThis as Cfg;
  g.Chart = Chart;
  require('chartjs-chart-financial');
  // chartjs-node-canvas evicts chart.js from the require cache after each instance; keeping the
  // entries lets later instances (other sizes) get this same, plugin-registered copy.
  const cacheEntries = Object.entries(require.cache).filter(
    (entry): entry is [string, NodeJS.Module] => entry[0].includes('/node_modules/chart.js/') && entry[1] !== undefined,
  );
  return { chart: Chart, cacheEntries };
}

let loaded: ReturnType<typeof loadChartJs> | undefined;

/** Per-render inputs the plugins read; the plugins themselves are registered once per chart. */
interface DrawState {
  theme: ChartTheme;
  histograms: Histogram[];
  win: ChartWindow;
}

/** The state of the render in progress; the empty chart drawn at construction has none. */
const EMPTY_STATE: DrawState = {
  theme: THEMES.light,
  histograms: [],
  win: { candles: [], indicators: {} as ChartWindow['indicators'], patterns: [], levels: [] },
};
const stateOf = (chart: Cfg): DrawState => (chart.$chartlens as DrawState | undefined) ?? EMPTY_STATE;

/**
 * One long-lived Chart.js chart on one canvas per image size. Rebuilding a chart per render (as
 * chartjs-node-canvas's renderToBuffer does) spends a third of the draw on setup and a new Cairo
 * surface; updating the existing chart with new data and options gives the same pixels for less.
 */
class ReusableChartCanvas extends ChartJSNodeCanvasBase {
  private chart: Cfg | undefined;

  drawRaw(config: Cfg, state: DrawState): Buffer {
    const options = { ...config.options, responsive: false, animation: false };
    if (!this.chart) {
      const canvas = this._createCanvas(this._width, this._height);
      this.chart = new this._chartJs(canvas.getContext('2d') as Cfg, {
        data: { datasets: [] },
        options,
        plugins: PLUGINS,
      });
    }
    const chart = this.chart;
    chart.$chartlens = state;
    chart.data = config.data;
    chart.options = options;
    chart.update('none');
    return chart.canvas.toBuffer('raw');
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }
}

function canvasFor(width: number, height: number): ReusableChartCanvas {
  loaded ??= loadChartJs();
  for (const [key, mod] of loaded.cacheEntries) require.cache[key] = mod;
  return new ReusableChartCanvas({ width, height });
}

/**
 * Convert Cairo's premultiplied BGRA (little-endian ARGB32) into straight RGBA, in place.
 * The chart paints an opaque background first, so alpha is 255 everywhere in practice and the
 * fast path is a byte swap on 32-bit words; a translucent pixel is un-premultiplied.
 */
export function bgraToRgbaInPlace(raw: Buffer): Buffer {
  const words = new Uint32Array(raw.buffer, raw.byteOffset, raw.length >>> 2);
  for (let i = 0; i < words.length; i++) {
    const v = words[i];
    if (v >>> 24 === 255) {
      words[i] = (v & 0xff00ff00) | ((v & 0xff) << 16) | ((v >>> 16) & 0xff);
    } else {
      const o = i * 4;
      const a = raw[o + 3];
      const b = raw[o];
      const g = raw[o + 1];
      const r = raw[o + 2];
      raw[o] = a === 0 ? 0 : Math.min(255, Math.round((r * 255) / a));
      raw[o + 1] = a === 0 ? 0 : Math.min(255, Math.round((g * 255) / a));
      raw[o + 2] = a === 0 ? 0 : Math.min(255, Math.round((b * 255) / a));
    }
  }
  return raw;
}

/** Round to a readable step so tick spacing does not depend on float noise. */
function tickStep(bars: number, width: number): number {
  const target = Math.max(2, Math.floor(width / 110));
  const raw = bars / target;
  const steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000];
  return steps.find((s) => s >= raw) ?? 10_000;
}

function lineDataset(label: string, values: readonly (number | null)[], color: string, yAxisID: string, extra: Cfg = {}): Cfg {
  return {
    type: 'line',
    label,
    data: values.map((y, x) => ({ x, y })),
    borderColor: color,
    borderWidth: 1.2,
    pointRadius: 0,
    spanGaps: false,
    yAxisID,
    ...extra,
  };
}

function buildConfig(win: ChartWindow, req: ChartRequest, theme: ChartTheme): { config: Cfg; state: DrawState } {
  const { candles, indicators } = win;
  const o = req.options;
  const showVolume = o.volume && candles.every((c) => c.volume !== undefined);
  const datasets: Cfg[] = [
    {
      type: o.style === 'ohlc' ? 'ohlc' : 'candlestick',
      label: req.symbol ?? 'price',
      data: candles.map((c, x) => ({ x, o: c.open, h: c.high, l: c.low, c: c.close })),
      yAxisID: 'y',
      backgroundColors: { up: theme.up, down: theme.down, unchanged: theme.text },
      borderColors: { up: theme.up, down: theme.down, unchanged: theme.text },
      order: 0,
    },
  ];
  for (const name of o.overlays) {
    if (name === 'bollinger') {
      datasets.push(lineDataset('BB upper', indicators.bbUpper, theme.overlays.bollinger, 'y', { borderDash: [4, 3] }));
      datasets.push(
        lineDataset('BB lower', indicators.bbLower, theme.overlays.bollinger, 'y', {
          borderDash: [4, 3],
          fill: '-1',
          backgroundColor: theme.bollingerFill,
        }),
      );
    } else {
      datasets.push(lineDataset(name.toUpperCase(), indicators[name], theme.overlays[name], 'y'));
    }
  }
  // Stacked panes are laid out top-down in declaration order: price first, then the lower panes.
  const scales: Cfg = {
    x: {
      type: 'linear',
      min: -0.5,
      max: candles.length - 0.5,
      offset: false,
      grid: { color: theme.grid },
      // Ticks sit on whole bars (every `step` bars) so each label is the date of a real bar.
      afterBuildTicks: (scale: Cfg) => {
        const step = tickStep(candles.length, o.width);
        scale.ticks = [];
        for (let v = 0; v < candles.length; v += step) scale.ticks.push({ value: v });
      },
      ticks: {
        color: theme.text,
        maxRotation: 0,
        autoSkip: false,
        font: { size: 10 },
        callback: (v: number) => (Number.isInteger(v) && candles[v] ? formatCandleTime(candles[v].time).slice(0, 10) : ''),
      },
    },
  };
  const pane = (weight: number, extra: Cfg = {}): Cfg => ({
    type: 'linear',
    position: 'right',
    stack: 'panes',
    stackWeight: weight,
    offset: true,
    grid: { color: theme.grid },
    ticks: { color: theme.text, font: { size: 9 }, maxTicksLimit: 4 },
    ...extra,
  });
  scales.y = pane(4, { ticks: { color: theme.text, font: { size: 10 }, maxTicksLimit: 8 } });
  const histograms: Histogram[] = [];
  if (showVolume) {
    const volumes = candles.map((c) => c.volume as number);
    scales.yVolume = pane(1, {
      min: 0,
      max: Math.max(1, ...volumes),
      ticks: { color: theme.text, font: { size: 9 }, maxTicksLimit: 3, callback: compactNumber },
    });
    histograms.push({ axis: 'yVolume', values: volumes, isUp: (i) => candles[i].close >= candles[i].open });
  }
  if (o.panes.includes('rsi')) {
    scales.yRsi = pane(1.2, {
      min: 0,
      max: 100,
      offset: false,
      ticks: { color: theme.text, font: { size: 9 }, stepSize: 30 },
    });
    datasets.push(lineDataset('RSI14', indicators.rsi14, theme.rsi, 'yRsi'));
  }  if (o.panes.includes('macd')) {
    scales.yMacd = pane(1.2);
    datasets.push(lineDataset('MACD', indicators.macd, theme.macd, 'yMacd'));
    datasets.push(lineDataset('Signal', indicators.macdSignal, theme.macdSignal, 'yMacd'));
    histograms.push({ axis: 'yMacd', values: indicators.macdHist, isUp: (i) => (indicators.macdHist[i] ?? 0) >= 0 });
  }



  const first = candles[0];
  const last = candles.at(-1) ?? first;
  const title = [
    req.symbol,
    req.timeframe,
    `${formatCandleTime(first.time).slice(0, 10)} to ${formatCandleTime(last.time).slice(0, 10)}`,
    `last close ${last.close.toFixed(2)}`,
  ]
    .filter(Boolean)
    .join('  ·  ');

  const config = {
    data: { datasets },
    options: {
      devicePixelRatio: 1,
      animation: false,
      responsive: false,
      parsing: false,
      normalized: true,
      layout: { padding: { left: 4, right: 4, top: 2, bottom: 2 } },
      scales,
      plugins: {
        legend: {
          display: o.overlays.length > 0,
          position: 'top',
          align: 'end',
          labels: {
            color: theme.text,
            boxWidth: 10,
            boxHeight: 2,
            font: { size: 10 },
            filter: (item: Cfg) => item.datasetIndex > 0 && ['Volume', 'Hist', 'BB lower'].indexOf(item.text) < 0,
          },
        },
        title: { display: true, text: title, align: 'start', color: theme.text, font: { size: 12, weight: 'bold' } },
        tooltip: { enabled: false },
      },
    },
  };
  return { config, state: { theme, histograms, win } };
}

/** Bars drawn straight onto a pane (volume, MACD histogram). */
interface Histogram {
  axis: string;
  values: readonly (number | null)[];
  isUp: (i: number) => boolean;
}

/**
 * Volume and MACD histogram bars are painted with plain rectangles: as Chart.js bar datasets
 * they cost a third of the whole draw (an element and resolved options per bar) for no gain.
 */
const histogramPlugin: Cfg = {
  id: 'chartlensHistograms',
  beforeDatasetsDraw(chart: Cfg) {
    const { histograms, theme } = stateOf(chart);
    const { ctx } = chart;
    const x = chart.scales.x;
    for (const h of histograms) {
      const y = chart.scales[h.axis];
      if (!y) continue;
      const width = Math.max(1, (x.getPixelForValue(1) - x.getPixelForValue(0)) * 0.8);
      const base = y.getPixelForValue(Math.min(Math.max(0, y.min), y.max));
      for (const up of [true, false]) {
        ctx.fillStyle = up ? theme.volumeUp : theme.volumeDown;
        ctx.beginPath();
        h.values.forEach((v, i) => {
          if (v === null || h.isUp(i) !== up) return;
          const top = y.getPixelForValue(v);
          ctx.rect(x.getPixelForValue(i) - width / 2, Math.min(top, base), width, Math.abs(base - top));
        });
        ctx.fill();
      }
    }
  },
};

function compactNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${(v / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${(v / 1e3).toFixed(1)}K`;
  return String(v);
}

const backgroundPlugin: Cfg = {
  id: 'chartlensBackground',
  beforeDraw(chart: Cfg) {
    const { theme } = stateOf(chart);
    const ctx = chart.ctx;
    ctx.save();
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** Draws detected patterns as labelled brackets and levels as dashed lines on the price pane. */
const marksPlugin: Cfg = {
  id: 'chartlensMarks',
  afterDatasetsDraw(chart: Cfg) {
    const { win, theme } = stateOf(chart);
    const { ctx } = chart;
    const x = chart.scales.x;
    const y = chart.scales.y;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x.left, y.top, x.right - x.left, y.bottom - y.top);
    ctx.clip();
    ctx.font = '10px sans-serif';
    for (const level of win.levels) {
      const py = Math.round(y.getPixelForValue(level.price)) + 0.5;
      ctx.strokeStyle = level.side === 'support' ? theme.support : theme.resistance;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x.left, py);
      ctx.lineTo(x.right, py);
      ctx.stroke();
      ctx.setLineDash([]);
      const label = `${level.side === 'support' ? 'S' : 'R'} ${level.price.toFixed(2)} x${level.touches}`;
      const w = ctx.measureText(label).width + 6;
      ctx.fillStyle = theme.background;
      ctx.fillRect(x.right - w, py - 13, w, 12);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(label, x.right - w + 3, py - 3);
    }
    const lane = new Map<number, number>();
    for (const p of win.patterns) {
      const color = p.direction === 'bullish' ? theme.bullishMark : p.direction === 'bearish' ? theme.bearishMark : theme.neutralMark;
      const slice = win.candles.slice(p.start, p.end + 1);
      const hi = Math.max(...slice.map((c) => c.high));
      const lo = Math.min(...slice.map((c) => c.low));
      const x0 = x.getPixelForValue(p.start - 0.45);
      const x1 = x.getPixelForValue(p.end + 0.45);
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = p.kind === 'chart' ? 1.5 : 1;
      if (p.kind === 'chart') {
        const top = y.getPixelForValue(hi) - 4;
        const bottom = y.getPixelForValue(lo) + 4;
        ctx.strokeRect(x0, top, x1 - x0, bottom - top);
        ctx.fillText(p.label, x0 + 2, top - 3);
      } else {
        // Stack labels that end on the same bar so they stay readable.
        const n = lane.get(p.end) ?? 0;
        lane.set(p.end, n + 1);
        const below = p.direction === 'bullish';
        const base = below ? y.getPixelForValue(lo) + 12 + n * 11 : y.getPixelForValue(hi) - 4 - n * 11;
        ctx.beginPath();
        ctx.moveTo(x0, base + (below ? -8 : 0));
        ctx.lineTo(x1, base + (below ? -8 : 0));
        ctx.stroke();
        ctx.fillText(p.label, x0, base + (below ? 2 : -2));
      }
    }
    ctx.restore();
  },
};

const PLUGINS = [backgroundPlugin, histogramPlugin, marksPlugin];

export interface ChartJsRendererOptions {
  /** zlib level for the PNG (1 is fastest; the chart's flat colours compress well at any level). */
  compressionLevel?: number;
}

/**
 * Server-side Chart.js renderer. Charts are drawn to raw pixels and encoded by sharp, which is about
 * twice as fast as Cairo's own PNG encoder; the output is byte-identical for identical input.
 */
export class ChartJsRenderer implements ChartRenderer, LineChartRenderer {
  readonly name = 'chartjs';
  private readonly canvases = new Map<string, ReusableChartCanvas>();
  private readonly compressionLevel: number;

  constructor(options: ChartJsRendererOptions = {}) {
    this.compressionLevel = options.compressionLevel ?? 3;
  }

  private canvasOf(width: number, height: number): ReusableChartCanvas {
    const key = `${width}x${height}`;
    let canvas = this.canvases.get(key);
    if (!canvas) {
      canvas = canvasFor(width, height);
      this.canvases.set(key, canvas);
    }
    return canvas;
  }

  /** PNG from opaque RGBA: the alpha channel carries nothing, and dropping it shrinks the file. */
  private encode(rgba: Buffer, width: number, height: number): Promise<Buffer> {
    return sharp(rgba, { raw: { width, height, channels: 4 } })
      .removeAlpha()
      .png({ compressionLevel: this.compressionLevel, adaptiveFiltering: false })
      .toBuffer();
  }

  /** Draw to raw RGBA pixels (synchronous: Chart.js and Cairo run on this thread). */
  drawRgba(req: ChartRequest): Buffer {
    const { width, height } = req.options;
    const theme = THEMES[req.options.theme];
    const { config, state } = buildConfig(chartWindow(req), req, theme);
    return bgraToRgbaInPlace(this.canvasOf(width, height).drawRaw(config, state));
  }

  /** A line chart (equity curves): same canvas reuse, same encoder, same determinism. */
  async renderLineChart(req: LineChartRequest): Promise<RenderedChart> {
    const theme = THEMES[req.theme];
    const palette = ['#2563eb', '#6b7280', '#f59e0b', '#16a34a', '#dc2626'];
    const n = req.times.length;
    const config = {
      data: {
        datasets: req.series.map((s, k) => lineDataset(s.label, [...s.values], s.color ?? palette[k % palette.length], 'y', { borderWidth: 1.5 })),
      },
      options: {
        devicePixelRatio: 1,
        animation: false,
        responsive: false,
        parsing: false,
        normalized: true,
        layout: { padding: { left: 4, right: 8, top: 2, bottom: 2 } },
        scales: {
          x: {
            type: 'linear',
            min: 0,
            max: Math.max(1, n - 1),
            grid: { color: theme.grid },
            afterBuildTicks: (scale: Cfg) => {
              const step = tickStep(n, req.width);
              scale.ticks = [];
              for (let v = 0; v < n; v += step) scale.ticks.push({ value: v });
            },
            ticks: {
              color: theme.text,
              maxRotation: 0,
              autoSkip: false,
              font: { size: 10 },
              callback: (v: number) => (Number.isInteger(v) && req.times[v] !== undefined ? formatCandleTime(req.times[v]).slice(0, 10) : ''),
            },
          },
          y: { type: 'linear', position: 'right', grid: { color: theme.grid }, ticks: { color: theme.text, font: { size: 10 }, maxTicksLimit: 8 } },
        },
        plugins: {
          legend: { display: true, position: 'top', align: 'end', labels: { color: theme.text, boxWidth: 10, boxHeight: 2, font: { size: 10 } } },
          title: { display: true, text: req.title, align: 'start', color: theme.text, font: { size: 12, weight: 'bold' } },
          tooltip: { enabled: false },
        },
      },
    };
    const rgba = bgraToRgbaInPlace(this.canvasOf(req.width, req.height).drawRaw(config, { ...EMPTY_STATE, theme }));
    return { png: await this.encode(rgba, req.width, req.height), width: req.width, height: req.height, renderer: this.name };
  }

  async render(req: ChartRequest): Promise<RenderedChart> {
    const { width, height } = req.options;
    return { png: await this.encode(this.drawRgba(req), width, height), width, height, renderer: this.name };
  }

  async close(): Promise<void> {
    for (const canvas of this.canvases.values()) canvas.destroy();
    this.canvases.clear();
  }
}

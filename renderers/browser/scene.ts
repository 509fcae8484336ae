import type { Candle } from '../../src/core/market/candles.ts';
import type { ChartRequest } from '../../src/core/scene/chart-options.ts';
import { chartTitle } from '../../src/core/scene/chart-title.ts';
import { chartWindow } from '../../src/core/scene/chart-window.ts';
import { type ChartTheme, THEMES } from '../../src/core/scene/theme.ts';

/**
 * What the page paints, as plain JSON: everything is decided here (the same choices as the Chart.js
 * renderer: window, title, overlays, panes, marks, theme tokens), so the in-page script
 * (paint.js) only maps it onto lightweight-charts series and does no chart logic of its own.
 */
export interface Scene {
  width: number;
  height: number;
  colors: Omit<ChartTheme, 'overlays'>;
  /** "SPX  ·  1d  ·  2024-01-02 to 2024-08-01  ·  last close 5446.68", as the Chart.js title. */
  title: string;
  legend: { label: string; color: string; dashed: boolean }[];
  style: 'candle' | 'ohlc';
  /** Bars as UTC seconds (lightweight-charts' UTCTimestamp), strictly increasing. */
  times: number[];
  /** Intraday bars show the time of day on the time axis. */
  intraday: boolean;
  bars: { open: number; high: number; low: number; close: number }[];
  /** Per bar, or null when the volume pane is not drawn. */
  volume: { value: number; up: boolean }[] | null;
  /** Lines on the price pane; null values are gaps (an indicator's warm-up). */
  overlays: { label: string; color: string; dashed: boolean; values: (number | null)[] }[];
  /** The Bollinger band's fill between its upper and lower lines. */
  band: { upper: (number | null)[]; lower: (number | null)[]; color: string } | null;
  rsi: { values: (number | null)[]; color: string } | null;
  macd: { macd: (number | null)[]; signal: (number | null)[]; hist: (number | null)[]; colors: [string, string] } | null;
  /** Candlestick patterns: a marker on the bar where the pattern completes. */
  markers: { bar: number; position: 'aboveBar' | 'belowBar'; shape: 'arrowUp' | 'arrowDown' | 'circle'; color: string; text: string }[];
  /** Chart patterns: a box over the bars start..end from their low to their high, labelled. */
  boxes: { start: number; end: number; high: number; low: number; color: string; label: string }[];
  /** Support and resistance: dashed price lines with an axis label. */
  levels: { price: number; color: string; title: string }[];
  /** Relative pane heights, as the Chart.js renderer's stack weights: price, volume, RSI, MACD. */
  weights: { price: number; volume: number; rsi: number; macd: number };
}

/** Epoch ms to UTC seconds; bars closer than a second apart are pushed a second on (the library needs strictly increasing times). */
function utcSeconds(candles: readonly Candle[]): number[] {
  const out: number[] = [];
  for (const c of candles) {
    const s = Math.floor(c.time / 1000);
    out.push(out.length > 0 && s <= out[out.length - 1] ? out[out.length - 1] + 1 : s);
  }
  return out;
}

const finiteOrNull = (values: readonly (number | null)[]): (number | null)[] => values.map((v) => (v === null || !Number.isFinite(v) ? null : v));

function patternColor(direction: string, theme: ChartTheme): string {
  return direction === 'bullish' ? theme.bullishMark : direction === 'bearish' ? theme.bearishMark : theme.neutralMark;
}

/** The scene of a chart request: what to draw, in which colours, with no drawing done. */
export function chartScene(req: ChartRequest): Scene {
  const o = req.options;
  const theme = THEMES[o.theme];
  const win = chartWindow(req);
  const { candles, indicators } = win;
  const { overlays: _overlays, ...colors } = theme;
  const overlays: Scene['overlays'] = [];
  const legend: Scene['legend'] = [];
  let band: Scene['band'] = null;
  for (const name of o.overlays) {
    if (name === 'bollinger') {
      const color = theme.overlays.bollinger;
      overlays.push({ label: 'BB upper', color, dashed: true, values: finiteOrNull(indicators.bbUpper) });
      overlays.push({ label: 'BB lower', color, dashed: true, values: finiteOrNull(indicators.bbLower) });
      band = { upper: finiteOrNull(indicators.bbUpper), lower: finiteOrNull(indicators.bbLower), color: theme.bollingerFill };
      legend.push({ label: 'BB upper', color, dashed: true });
    } else {
      overlays.push({ label: name.toUpperCase(), color: theme.overlays[name], dashed: false, values: finiteOrNull(indicators[name]) });
      legend.push({ label: name.toUpperCase(), color: theme.overlays[name], dashed: false });
    }
  }
  const rsi = o.panes.includes('rsi') ? { values: finiteOrNull(indicators.rsi14), color: theme.rsi } : null;
  const macd = o.panes.includes('macd')
    ? { macd: finiteOrNull(indicators.macd), signal: finiteOrNull(indicators.macdSignal), hist: finiteOrNull(indicators.macdHist), colors: [theme.macd, theme.macdSignal] as [string, string] }
    : null;
  // The Chart.js legend lists the pane lines too (it shows whenever there are overlays).
  if (o.overlays.length > 0) {
    if (rsi) legend.push({ label: 'RSI14', color: theme.rsi, dashed: false });
    if (macd) legend.push({ label: 'MACD', color: theme.macd, dashed: false }, { label: 'Signal', color: theme.macdSignal, dashed: false });
  }
  const showVolume = o.volume && candles.every((c) => c.volume !== undefined);
  const markers: Scene['markers'] = [];
  const boxes: Scene['boxes'] = [];
  for (const p of win.patterns) {
    const color = patternColor(p.direction, theme);
    if (p.kind === 'chart') {
      const slice = candles.slice(p.start, p.end + 1);
      boxes.push({ start: p.start, end: p.end, high: Math.max(...slice.map((c) => c.high)), low: Math.min(...slice.map((c) => c.low)), color, label: p.label });
    } else {
      const bullish = p.direction === 'bullish';
      const bearish = p.direction === 'bearish';
      markers.push({ bar: p.end, position: bullish ? 'belowBar' : 'aboveBar', shape: bullish ? 'arrowUp' : bearish ? 'arrowDown' : 'circle', color, text: p.label });
    }
  }
  // The markers plugin wants them in time order; stable for equal bars (their order in the facts).
  markers.sort((a, b) => a.bar - b.bar);
  return {
    width: o.width,
    height: o.height,
    colors,
    title: chartTitle(win, req),
    legend,
    style: o.style,
    times: utcSeconds(candles),
    intraday: candles.some((c) => c.time % 86_400_000 !== 0),
    bars: candles.map((c) => ({ open: c.open, high: c.high, low: c.low, close: c.close })),
    volume: showVolume ? candles.map((c) => ({ value: c.volume ?? 0, up: c.close >= c.open })) : null,
    overlays,
    band,
    rsi,
    macd,
    markers,
    boxes,
    levels: win.levels.map((l) => ({
      price: l.price,
      color: l.side === 'support' ? theme.support : theme.resistance,
      title: `${l.side === 'support' ? 'S' : 'R'} x${l.touches}`,
    })),
    weights: { price: 4, volume: 1, rsi: 1.2, macd: 1.2 },
  };
}

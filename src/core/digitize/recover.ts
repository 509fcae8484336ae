import type { PriceAxisResult } from './axis-fit.ts';
import { priceAt } from './axis-fit.ts';
import type { BarTimes, TimeAxisRead } from './time-labels.ts';
import type { ChartLayout, ChartStyle, PixelBar, Rect } from './types.ts';

/** One bar read back from a chart image. */
export interface RecoveredCandle {
  index: number;
  /** The bar's centre column in the image. */
  x: number;
  /** ISO time when the time axis could be read; null otherwise (the bar keeps its index only). */
  time: string | null;
  open: number;
  high: number;
  low: number;
  close: number;
  /** 0..1: how cleanly this bar was read (its pixels) times how well the price axis fitted. */
  confidence: number;
}

/** What `POST /v1/digitize` answers: the candles, how sure we are, and how they were read. */
export interface Digitization {
  candles: RecoveredCandle[];
  /** 0..1 overall: the share of bars found cleanly, the axis fit, and the self-checks. */
  confidence: number;
  axis: {
    price: {
      scale: 'linear' | 'log';
      a: number;
      b: number;
      /** Largest label misfit over the visible price range (0.002 = 0.2%). */
      maxErrorOfRange: number;
      tickStep: number | null;
      labels: { text: string; value: number; y: number; fitted: number }[];
      rejected: { text: string; y: number; reason: string }[];
    } | null;
    time: {
      labels: { text: string; x: number; time: string }[];
      rejected: { text: string; x: number; reason: string }[];
      period: string | null;
    } | null;
  };
  plotArea: Rect;
  volumePane: Rect | null;
  style: ChartStyle;
  warnings: string[];
  /**
   * How far a price read off this chart may be from the truth, in price units: a pixel and a half
   * of the scale plus the axis misfit. Verification widens its tolerances by it.
   */
  priceError: number | null;
}

const r6 = (v: number): number => Number(v.toPrecision(6));
const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
/** A bar's ends are read to about a pixel; one and a half covers anti-aliasing. */
const PIXEL_UNCERTAINTY = 1.5;

function periodName(times: BarTimes | null): string | null {
  if (!times) return null;
  const p = times.period;
  if (p.unit === 'minute') return `${p.minutes}m`;
  if (p.unit === 'day') return p.business ? '1d (business days)' : '1d';
  return p.unit === 'week' ? '1w' : '1M';
}

/**
 * Turn bars in pixels into prices with the fitted axis, date them where the time axis was read,
 * and score the whole reading. Pure: the same pixels and labels give the same candles.
 */
export function recoverCandles(input: {
  bars: readonly PixelBar[];
  layout: ChartLayout;
  style: ChartStyle;
  price: PriceAxisResult | null;
  time: TimeAxisRead | null;
  times: BarTimes | null;
  warnings: readonly string[];
}): Digitization {
  const warnings = [...input.warnings];
  const fit = input.price?.ok ? input.price.fit : null;
  if (input.price && !input.price.ok) warnings.push(`The price axis could not be fitted: ${input.price.reason}.`);
  if (!input.price) warnings.push('No price axis labels were found, so prices cannot be recovered.');
  if (fit && !fit.monotone) warnings.push('The price axis labels are not in order; the scale is doubtful.');
  if (input.bars.length === 0) warnings.push('No candles or OHLC bars were found on the chart.');
  const times = input.times;
  if (!times && input.bars.length > 0) warnings.push('The time axis could not be read: bars keep their index only.');

  const fitQuality = fit ? clamp01(1 - fit.maxErrorOfRange / 0.01) * (fit.monotone ? 1 : 0.5) : 0;
  const candles: RecoveredCandle[] = [];
  if (fit) {
    input.bars.forEach((bar, index) => {
      const at = (y: number): number => r6(priceAt(fit, y));
      const open = at(bar.openY);
      const close = at(bar.closeY);
      // The wick ends bound the body; rounding must not make a candle break its own invariants.
      const high = Math.max(at(bar.highY), open, close);
      const low = Math.min(at(bar.lowY), open, close);
      const t = times?.times[index];
      candles.push({ index, x: bar.x, time: t === undefined ? null : new Date(t).toISOString(), open, high, low, close, confidence: r6(bar.confidence * fitQuality) });
    });
  }
  const barShare = input.bars.length === 0 ? 0 : input.bars.filter((b) => b.confidence >= 0.5).length / input.bars.length;
  const confidence = fit ? r6(clamp01(barShare * fitQuality)) : 0;
  const pane = input.layout.price;
  const priceError = fit
    ? r6(
        Math.abs(priceAt(fit, pane.top + PIXEL_UNCERTAINTY) - priceAt(fit, pane.top)) +
          fit.maxErrorOfRange * Math.abs(priceAt(fit, pane.top) - priceAt(fit, pane.bottom)),
      )
    : null;
  return {
    candles,
    confidence,
    axis: {
      price: fit && input.price?.ok
        ? { scale: fit.scale, a: fit.a, b: fit.b, maxErrorOfRange: r6(fit.maxErrorOfRange), tickStep: input.price.tickStep, labels: fit.labels, rejected: fit.rejected }
        : null,
      time: input.time
        ? {
            labels: input.time.anchors.map((a) => ({ text: a.text, x: a.x, time: new Date(a.time).toISOString() })),
            rejected: input.time.rejected,
            period: periodName(times),
          }
        : null,
    },
    plotArea: input.layout.price,
    volumePane: input.layout.volume,
    style: input.style,
    warnings,
    priceError,
  };
}

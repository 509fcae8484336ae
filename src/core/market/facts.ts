import { type Candle, formatCandleTime, hasVolume } from './candles.ts';
import { type CandlestickHit, detectCandlestickPatterns } from './candlestick-patterns.ts';
import { type ChartPatternHit, detectChartPatterns, priceUnitAt } from './chart-patterns.ts';
import { computeIndicatorSeries, type IndicatorSeries, type IndicatorValues, indicatorValuesAt } from './indicators.ts';
import { computeLevels, type Levels } from './levels.ts';
import { findPivots, type Pivot } from './pivots.ts';
import { computeTrendRegime, type TrendRegime } from './regime.ts';

/** Everything chartlens computes about a series at one bar: the numbers the model must agree with. */
export interface MarketFacts {
  bars: number;
  /** The bar the facts describe; later bars (if any were given) were not read. */
  asOf: { index: number; time: string };
  lastBar: { time: string; open: number; high: number; low: number; close: number; volume: number | null };
  /** Lowest low and highest high over the bars <= asOf. */
  range: { low: number; high: number };
  indicators: IndicatorValues;
  patterns: (CandlestickHit | ChartPatternHit)[];
  levels: Levels;
  trend: TrendRegime;
  hasVolume: boolean;
  /** Set when the bars were read back from an uploaded image rather than sent as OHLCV. */
  fromImage?: boolean;
  /** How well the image was read: its overall confidence and the price error of a value read off it. */
  digitization?: { confidence: number; priceError: number | null; bars: number; datesRead: boolean };
}

/** Per-bar streams computed once over a whole series; `factsAt` reads them as of any bar. */
export interface MarketStreams {
  candles: readonly Candle[];
  indicators: IndicatorSeries;
  candlesticks: CandlestickHit[];
  pivots: Pivot[];
}

/** Recent candlestick hits are what a chart reader sees; older ones are history. */
/** Bars a chart draws when nothing else says: the facts list every candlestick hit over them. */
export const DEFAULT_WINDOW_BARS = 150;

/** Compute every causal stream once (TA-Lib, pivots). Each value at bar i depends on bars <= i only. */
export function computeMarketStreams(candles: readonly Candle[]): MarketStreams {
  const indicators = computeIndicatorSeries(candles);
  return {
    candles,
    indicators,
    candlesticks: detectCandlestickPatterns(candles),
    pivots: findPivots(candles),
  };
}

/**
 * The facts a trader standing at bar `t` could know. Streams are filtered by the bar at which each
 * item became known, so a replay can compute streams once and ask for any t without look-ahead.
 */
export function factsAt(streams: MarketStreams, t: number, from = Math.max(0, t - DEFAULT_WINDOW_BARS + 1)): MarketFacts {
  const { candles, indicators } = streams;
  const last = candles[t];
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i <= t; i++) {
    low = Math.min(low, candles[i].low);
    high = Math.max(high, candles[i].high);
  }
  const unit = priceUnitAt(candles, indicators.atr14, t);
  // Every hit the chart's window shows, as known at t: what the verifier checks claims against.
  const candlesticks = streams.candlesticks.filter((h) => h.knownAt <= t && h.endIndex >= from);
  const chart = detectChartPatterns({
    candles,
    pivots: streams.pivots,
    atr: indicators.atr14,
    volumeRatio: indicators.volumeRatio20,
    t,
  });
  const withVolume = hasVolume(candles);
  return {
    bars: t + 1,
    asOf: { index: t, time: formatCandleTime(last.time) },
    lastBar: {
      time: formatCandleTime(last.time),
      open: last.open,
      high: last.high,
      low: last.low,
      close: last.close,
      volume: last.volume ?? null,
    },
    range: { low, high },
    indicators: indicatorValuesAt(indicators, t),
    patterns: [...candlesticks, ...chart].sort((a, b) => a.endIndex - b.endIndex || a.code.localeCompare(b.code)),
    levels: computeLevels(streams.pivots, t, last.close, unit),
    trend: computeTrendRegime(candles, indicators, t),
    hasVolume: withVolume,
  };
}

/** Market facts at the last bar of a series, listing the candlestick hits of its last `windowBars` bars. */
export function computeMarketFacts(candles: readonly Candle[], windowBars = DEFAULT_WINDOW_BARS): MarketFacts {
  const t = candles.length - 1;
  return factsAt(computeMarketStreams(candles), t, Math.max(0, t - windowBars + 1));
}

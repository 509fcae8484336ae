import type { Candle } from './candles.ts';
import type { IndicatorSeries } from './indicators.ts';

export type TrendDirection = 'up' | 'down' | 'sideways';

/** The trend at one bar, and the three-way regime probabilities derived from it. */
export interface TrendRegime {
  direction: TrendDirection;
  /** 0..1: how much of the evidence says "trending" rather than "sideways". */
  strength: number;
  /** -1..1: +1 when close > SMA20 > SMA50 > SMA200, -1 for the reverse. */
  maAlignment: number | null;
  adx: number | null;
  /** Least-squares slope of the last closes, in ATRs per bar. */
  slopeAtrPerBar: number | null;
  probabilities: { uptrend: number; downtrend: number; sideways: number };
}

const SLOPE_BARS = 20;
/** A slope of this many ATRs per bar is a firm trend (tanh maps it to ~0.76). */
const FIRM_SLOPE_ATR = 0.1;
/** ADX below the floor reads as no trend, above floor + span as a full trend. */
const ADX_FLOOR = 15;
const ADX_SPAN = 20;

function regressionSlope(values: readonly number[]): number {
  const n = values.length;
  const xMean = (n - 1) / 2;
  const yMean = values.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - xMean) * (values[i] - yMean);
    den += (i - xMean) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

/** Trend regime at bar `t` from MA alignment, ADX and a regression slope (bars <= t only). */
export function computeTrendRegime(candles: readonly Candle[], ind: IndicatorSeries, t: number): TrendRegime {
  const close = candles[t].close;
  const pairs: [number | null, number | null][] = [
    [close, ind.sma20[t]],
    [ind.sma20[t], ind.sma50[t]],
    [ind.sma50[t], ind.sma200[t]],
  ];
  const votes = pairs.filter(([a, b]) => a !== null && b !== null).map(([a, b]) => Math.sign((a as number) - (b as number)));
  const maAlignment = votes.length ? votes.reduce((s, v) => s + v, 0) / votes.length : null;

  const atr = ind.atr14[t];
  let slopeAtrPerBar: number | null = null;
  if (t + 1 >= SLOPE_BARS && atr) {
    const closes = candles.slice(t + 1 - SLOPE_BARS, t + 1).map((c) => c.close);
    slopeAtrPerBar = regressionSlope(closes) / atr;
  }
  const slopeScore = slopeAtrPerBar === null ? null : Math.tanh(slopeAtrPerBar / FIRM_SLOPE_ATR);
  const parts = [maAlignment, slopeScore].filter((v): v is number => v !== null);
  const bias = parts.length ? parts.reduce((s, v) => s + v, 0) / parts.length : 0;

  const adx = ind.adx14[t];
  if (parts.length === 0 && adx === null) {
    // Too few bars for any evidence: say so with an uninformative regime instead of inventing one.
    return {
      direction: 'sideways',
      strength: 0,
      maAlignment: null,
      adx: null,
      slopeAtrPerBar: null,
      probabilities: { uptrend: 0.3333, downtrend: 0.3333, sideways: 0.3334 },
    };
  }
  const adxTrendiness = adx === null ? 0.5 : Math.min(1, Math.max(0, (adx - ADX_FLOOR) / ADX_SPAN));
  const trending = 0.5 * adxTrendiness + 0.5 * Math.abs(bias);
  const probabilities = {
    uptrend: round((trending * (1 + bias)) / 2),
    downtrend: round((trending * (1 - bias)) / 2),
    sideways: 0,
  };
  probabilities.sideways = round(1 - probabilities.uptrend - probabilities.downtrend);
  const best = Math.max(probabilities.uptrend, probabilities.downtrend, probabilities.sideways);
  const direction: TrendDirection =
    best === probabilities.sideways ? 'sideways' : best === probabilities.uptrend ? 'up' : 'down';
  return {
    direction,
    strength: round(trending),
    maAlignment: maAlignment === null ? null : round(maAlignment),
    adx,
    slopeAtrPerBar: slopeAtrPerBar === null ? null : round(slopeAtrPerBar),
    probabilities,
  };
}

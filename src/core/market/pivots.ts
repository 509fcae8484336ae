import type { Candle } from './candles.ts';

/** A swing high or low: the extreme of `2 * strength + 1` bars centred on it. */
export interface Pivot {
  type: 'high' | 'low';
  index: number;
  price: number;
  /** The pivot is only known once `strength` bars after it have printed. */
  knownAt: number;
}

export const DEFAULT_PIVOT_STRENGTH = 3;

/**
 * Swing pivots, each dated by the bar at which it became known. A high must beat the bars on its
 * left strictly and the bars on its right or tie them, so a flat top yields one pivot, not several.
 */
export function findPivots(candles: readonly Candle[], strength = DEFAULT_PIVOT_STRENGTH): Pivot[] {
  const pivots: Pivot[] = [];
  for (let i = strength; i + strength < candles.length; i++) {
    let isHigh = true;
    let isLow = true;
    for (let k = 1; k <= strength && (isHigh || isLow); k++) {
      const left = candles[i - k];
      const right = candles[i + k];
      if (!(candles[i].high > left.high && candles[i].high >= right.high)) isHigh = false;
      if (!(candles[i].low < left.low && candles[i].low <= right.low)) isLow = false;
    }
    if (isHigh) pivots.push({ type: 'high', index: i, price: candles[i].high, knownAt: i + strength });
    if (isLow) pivots.push({ type: 'low', index: i, price: candles[i].low, knownAt: i + strength });
  }
  return pivots;
}

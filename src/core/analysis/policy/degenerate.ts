import type { MarketFacts } from '../../market/facts.ts';

/**
 * A price movement smaller than this fraction of the price is no movement: a millionth is below
 * any tick a market quotes at any price scale, so ATR or a close range under it is a flat series
 * (oscillators then divide zero by zero, stops and targets have no unit to be placed in). Relative,
 * so a series quoted near 1e-6 is judged like one quoted near 1e4.
 */
export const FLAT_FRACTION = 1e-6;

const negligible = (v: number, price: number): boolean => Math.abs(v) <= FLAT_FRACTION * Math.abs(price);

/** ATR is ~0 next to the price (null when either is unknown: then nothing is said). */
export function atrIsFlat(atr: number | null, close: number | null): boolean {
  return atr !== null && close !== null && Number.isFinite(atr) && negligible(atr, close);
}

/** Every close equal to the last one (within FLAT_FRACTION of it). */
export function closesAreFlat(closes: readonly number[]): boolean {
  if (closes.length < 2) return false;
  const last = closes[closes.length - 1];
  return closes.every((c) => negligible(c - last, last));
}

/**
 * A flat series as the market facts show it: ATR ~0, every price of the series equal, or (the
 * closes equal while highs and lows move) the 20- and 50-bar averages and the EMA20 on the close,
 * and MACD at 0.
 */
export function factsAreFlat(f: Pick<MarketFacts, 'indicators' | 'lastBar' | 'range'>): string | null {
  const close = f.lastBar.close;
  const { atr14, sma20, sma50, ema20, macd } = f.indicators;
  if (atrIsFlat(atr14, close)) return `ATR ${atr14} next to a close of ${close}`;
  if (negligible(f.range.high - f.range.low, close)) return `every price is ${close}`;
  const averages = [sma20, ema20, sma50].filter((v): v is number => v !== null);
  if (sma20 !== null && ema20 !== null && averages.every((a) => negligible(a - close, close)) && (macd === null || negligible(macd, close))) {
    return `the closes do not move: the averages sit on the close ${close}`;
  }
  return null;
}

/**
 * What the strategy is measured against, and how it leans. Every baseline is causal: its position
 * over bar i is decided from closes up to bar i-1.
 */
import type { ReturnMetrics } from './backtest-metrics.ts';
import type { TradeCall } from './trade-exits.ts';

/** Long over every bar of (from, to], flat outside it. */
export function buyAndHoldPositions(bars: number, from: number, to: number): number[] {
  return Array.from({ length: bars }, (_, i) => (i > from && i <= to ? 1 : 0));
}

export const TREND_SMA = 50;

/**
 * The plain trend-following baseline: at each close, long when the close is above its `length`-bar
 * simple moving average (the close itself included), else flat; the position is held over the next
 * bar. So the position over bar i reads closes i-length .. i-1 only. Flat until there are `length`
 * closes, and outside (from, to].
 */
export function trendPositions(closes: readonly number[], from: number, to: number, length = TREND_SMA): number[] {
  const pos = new Array<number>(closes.length).fill(0);
  let sum = 0;
  for (let t = 0; t < closes.length; t++) {
    sum += closes[t];
    if (t >= length) sum -= closes[t - length];
    const i = t + 1;
    if (t >= length - 1 && i > from && i <= to && i < closes.length) pos[i] = closes[t] > sum / length ? 1 : 0;
  }
  return pos;
}

/** A call with its levels, as dealt by the shuffled baseline. */
export type LevelledCall = TradeCall & { confidence: number };

/**
 * The random baseline: the same calls dealt to the decision bars in a seeded random order. Each
 * call keeps its exposure and confidence, and its stop and target move with it as the same
 * fractions of the entry close (a stop 2% below a long stays 2% below at its new bar).
 * The exposures come out in the same order as shuffledDecisions gives for the same `rand`.
 */
export function shuffledCalls(calls: readonly LevelledCall[], closes: readonly number[], rand: () => number): LevelledCall[] {
  const order = calls.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return calls.map((slot, k) => {
    const src = calls[order[k]];
    const scale = closes[slot.index] / closes[src.index];
    return {
      index: slot.index,
      exposure: src.exposure,
      confidence: src.confidence,
      invalidation: src.invalidation === null ? null : src.invalidation * scale,
      target: src.target === null ? null : src.target * scale,
    };
  });
}

export interface Bias {
  /** Shares of the decisions that were long, short and hold (they add up to 1). */
  long: number;
  short: number;
  hold: number;
  /** Mean signed exposure of the decisions. */
  meanExposure: number;
  /** Mean signed position actually held over the bars of the period, after exits. */
  meanPosition: number;
}

export function bias(exposures: readonly number[], heldPositions: readonly number[]): Bias {
  const n = exposures.length || 1;
  return {
    long: exposures.filter((e) => e > 0).length / n,
    short: exposures.filter((e) => e < 0).length / n,
    hold: exposures.filter((e) => e === 0).length / n,
    meanExposure: exposures.reduce((s, e) => s + e, 0) / n,
    meanPosition: heldPositions.reduce((s, p) => s + p, 0) / (heldPositions.length || 1),
  };
}

export interface Excess {
  /** Strategy minus baseline, in each. */
  totalReturn: number;
  cagr: number | null;
  sharpe: number | null;
  maxDrawdown: number;
}

export function excessOver(strategy: ReturnMetrics, baseline: ReturnMetrics): Excess {
  const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);
  return {
    totalReturn: strategy.totalReturn - baseline.totalReturn,
    cagr: diff(strategy.cagr, baseline.cagr),
    sharpe: diff(strategy.sharpe, baseline.sharpe),
    maxDrawdown: strategy.maxDrawdown - baseline.maxDrawdown,
  };
}

/**
 * Is the edge real? Confidence intervals for the hit rate and the Sharpe ratio, a permutation test
 * against the same calls in random order, and the verdict the report prints. Pure and seeded.
 */
import { seededRandom, sharpeOf } from './backtest-metrics.ts';

/** The two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval of a binomial proportion (hits of n); null when n is 0. */
export function wilsonInterval(hits: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  const p = hits / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface BootstrapOptions {
  seed: number;
  /** Resamples drawn; the replay uses BOOTSTRAP_RESAMPLES. */
  resamples: number;
  /** Mean block length of the stationary bootstrap, in bars. */
  meanBlock: number;
}

export const BOOTSTRAP_RESAMPLES = 2000;

/** Random orders of the calls drawn for the permutation test. */
export const PERMUTATIONS = 1000;

/** The replay's mean block length: 10 bars, or the horizon when longer, so a held position's bars mostly stay together. */
export function bootstrapBlock(horizon: number): number {
  return Math.max(10, horizon);
}

/**
 * One stationary-bootstrap resample (Politis and Romano, 1994) of a series: blocks start at random
 * positions, wrap around the end, and have geometric lengths with mean `meanBlock`, so the serial
 * dependence within a block (a position held several bars) is kept.
 */
export function stationaryResample(x: readonly number[], meanBlock: number, rand: () => number): number[] {
  const n = x.length;
  const out = new Array<number>(n);
  const pNew = 1 / Math.max(1, meanBlock);
  let j = Math.floor(rand() * n);
  for (let i = 0; i < n; i++) {
    if (i > 0) j = rand() < pNew ? Math.floor(rand() * n) : (j + 1) % n;
    out[i] = x[j];
  }
  return out;
}

/** Percentile of sorted values, by linear interpolation. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Percentile 95% interval of the annualised Sharpe ratio of per-bar returns under a seeded
 * stationary bootstrap; null for fewer than 2 returns or when no resample has any variance.
 */
export function bootstrapSharpe(returns: readonly number[], perYear: number, o: BootstrapOptions): Interval | null {
  if (returns.length < 2) return null;
  const rand = seededRandom(o.seed);
  const stats: number[] = [];
  for (let k = 0; k < o.resamples; k++) {
    const s = sharpeOf(stationaryResample(returns, o.meanBlock, rand), perYear);
    if (s !== null) stats.push(s);
  }
  if (stats.length === 0) return null;
  stats.sort((a, b) => a - b);
  return { low: percentile(stats, 0.025), high: percentile(stats, 0.975) };
}

/**
 * One-sided permutation p-value: the share of the null statistics at least as large as the observed
 * one, counting the observed itself ((1 + k) / (1 + N)), so it is never 0.
 */
export function permutationPValue(observed: number, nulls: readonly number[]): number {
  const k = nulls.filter((v) => v >= observed).length;
  return (1 + k) / (1 + nulls.length);
}

export const NO_EDGE = 'no significant edge';
export const EDGE = 'significant edge (check for leaks)';
export type Verdict = typeof NO_EDGE | typeof EDGE;

export interface Significance {
  alpha: number;
  /** The bootstrap behind sharpe95. */
  bootstrap: { method: 'stationary'; meanBlock: number; resamples: number };
  /** sharpe95.low > 0: the strategy made money beyond resampling noise. */
  sharpeAboveZero: boolean;
  /** Sharpe against the same calls (exposure with its stop and target) dealt to random decision bars. */
  permutation: { statistic: 'sharpe'; permutations: number; p: number | null };
  /** Both: the Sharpe interval is above zero and p < alpha. */
  edge: boolean;
  verdict: Verdict;
}

/**
 * The verdict: an edge only when the strategy's Sharpe 95% interval lies above zero (it made money
 * beyond noise) and its Sharpe beats the shuffled calls at p < alpha (its timing, not its exposure
 * mix or the market's drift, made it). On a random walk either can only come from a leak.
 */
export function significance(
  sharpe95: Interval | null,
  p: number | null,
  o: { alpha?: number; meanBlock: number; resamples: number; permutations: number },
): Significance {
  const alpha = o.alpha ?? 0.05;
  const sharpeAboveZero = sharpe95 !== null && sharpe95.low > 0;
  const edge = sharpeAboveZero && p !== null && p < alpha;
  return {
    alpha,
    bootstrap: { method: 'stationary', meanBlock: o.meanBlock, resamples: o.resamples },
    sharpeAboveZero,
    permutation: { statistic: 'sharpe', permutations: o.permutations, p },
    edge,
    verdict: edge ? EDGE : NO_EDGE,
  };
}

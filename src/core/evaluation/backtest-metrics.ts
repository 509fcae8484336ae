/**
 * Pure replay arithmetic: positions from decisions, equity from positions, and the metrics that
 * say whether the calls were any good. No I/O; every function is a plain transformation.
 */
import { barsPerYear, type MarketSession, parseTimeframe } from '../market/timeframe.ts';

/** One call made at bar `index` (its close), held for `horizon` bars. */
export interface ReplayDecision {
  index: number;
  exposure: number;
  confidence: number;
  action: 'buy' | 'sell' | 'hold';
}

export interface ReturnMetrics {
  totalReturn: number;
  cagr: number | null;
  sharpe: number | null;
  maxDrawdown: number;
  /** Sum of |position change| over the replay (1 = a full position in or out once). */
  turnover: number;
  /** Number of position changes. */
  trades: number;
}

export interface CalibrationBucket {
  from: number;
  to: number;
  calls: number;
  hits: number;
  hitRate: number | null;
}

/** Bars per year for annualising, by timeframe (core/market/timeframe.ts); unknown timeframes assume daily bars. */
export function periodsPerYear(timeframe: string | null | undefined, session: MarketSession = 'exchange'): number {
  return barsPerYear(parseTimeframe(timeframe) ?? '1d', session);
}

/**
 * The position held over each bar: bar i (the move from close i-1 to close i) carries the exposure
 * of the latest decision made at a close before i, for `horizon` bars after it; flat otherwise.
 */
export function positionsFromDecisions(bars: number, decisions: readonly ReplayDecision[], horizon: number): number[] {
  const pos = new Array<number>(bars).fill(0);
  const sorted = [...decisions].sort((a, b) => a.index - b.index);
  for (let k = 0; k < sorted.length; k++) {
    const d = sorted[k];
    const until = Math.min(bars - 1, d.index + horizon, k + 1 < sorted.length ? sorted[k + 1].index : Number.POSITIVE_INFINITY);
    for (let i = d.index + 1; i <= until; i++) pos[i] = d.exposure;
  }
  return pos;
}

/** Close-to-close return of each bar (0 for the first). */
export function closeReturns(closes: readonly number[]): number[] {
  return closes.map((c, i) => (i === 0 ? 0 : c / closes[i - 1] - 1));
}

/**
 * Per-bar returns of a position series after costs, given what the instrument returned over each
 * bar as held (close to close, or to an intrabar fill on an exit bar): |change in position| x costBps
 * is paid on entry to the bar.
 */
export function positionReturns(barReturns: readonly number[], positions: readonly number[], costBps: number): number[] {
  const out = new Array<number>(barReturns.length).fill(0);
  let prev = 0;
  for (let i = 1; i < barReturns.length; i++) {
    const cost = (Math.abs(positions[i] - prev) * costBps) / 10_000;
    out[i] = positions[i] * barReturns[i] - cost;
    prev = positions[i];
  }
  return out;
}

/** Per-bar returns of a position series after costs: |change in position| x costBps is paid on entry to the bar. */
export function strategyReturns(closes: readonly number[], positions: readonly number[], costBps: number): number[] {
  return positionReturns(closeReturns(closes), positions, costBps);
}

/** Annualised Sharpe ratio of per-bar returns (no risk-free rate): mean / sample sd x sqrt(perYear); null without variance. */
export function sharpeOf(r: readonly number[], perYear: number): number | null {
  const mean = r.reduce((s, v) => s + v, 0) / (r.length || 1);
  const variance = r.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, r.length - 1);
  const sd = Math.sqrt(variance);
  return sd > 1e-15 ? (mean / sd) * Math.sqrt(perYear) : null;
}

/** Compounded equity curve starting at 1. */
export function equityCurve(returns: readonly number[]): number[] {
  let e = 1;
  return returns.map((r) => {
    e *= 1 + r;
    return e;
  });
}

export function maxDrawdown(equity: readonly number[]): number {
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (const e of equity) {
    peak = Math.max(peak, e);
    worst = Math.min(worst, e / peak - 1);
  }
  return worst;
}

/** Return metrics over bars [from..to] of a per-bar return series. */
export function returnMetrics(returns: readonly number[], positions: readonly number[], from: number, to: number, perYear: number): ReturnMetrics {
  const r = returns.slice(from + 1, to + 1);
  const equity = equityCurve(r);
  const total = (equity.at(-1) ?? 1) - 1;
  const years = r.length / perYear;
  let turnover = 0;
  let trades = 0;
  for (let i = from + 1; i <= to; i++) {
    const change = Math.abs(positions[i] - (i > from + 1 ? positions[i - 1] : 0));
    turnover += change;
    if (change > 1e-12) trades++;
  }
  return {
    totalReturn: total,
    cagr: years > 0 && 1 + total > 0 ? (1 + total) ** (1 / years) - 1 : null,
    sharpe: sharpeOf(r, perYear),
    maxDrawdown: maxDrawdown([1, ...equity]),
    turnover,
    trades,
  };
}

/** Forward return from the close at `index` to the close `horizon` bars later (null past the end). */
export function forwardReturn(closes: readonly number[], index: number, horizon: number): number | null {
  const j = index + horizon;
  return j < closes.length ? closes[j] / closes[index] - 1 : null;
}

/** Share of non-hold calls whose exposure sign matched the forward return's sign. */
export function hitRate(calls: readonly { exposure: number; forward: number | null }[]): { calls: number; hits: number; hitRate: number | null } {
  const scored = calls.filter((c) => c.exposure !== 0 && c.forward !== null && c.forward !== 0);
  const hits = scored.filter((c) => Math.sign(c.exposure) === Math.sign(c.forward as number)).length;
  return { calls: scored.length, hits, hitRate: scored.length ? hits / scored.length : null };
}

/** Hit rate per confidence bucket: is a 0.7 call right more often than a 0.5 call? */
export function calibration(
  calls: readonly { exposure: number; confidence: number; forward: number | null }[],
  edges: readonly number[] = [0, 0.4, 0.5, 0.6, 0.7, 1.0001],
): CalibrationBucket[] {
  return edges.slice(0, -1).map((from, k) => {
    const to = edges[k + 1];
    const inBucket = calls.filter((c) => c.confidence >= from && c.confidence < to);
    const h = hitRate(inBucket);
    return { from, to: Math.min(1, to), calls: h.calls, hits: h.hits, hitRate: h.hitRate };
  });
}

/** A small seeded PRNG (mulberry32), so the random baseline is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed derived from another and a salt (a murmur3 finaliser), so independent streams never share draws. */
export function deriveSeed(seed: number, salt: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(salt >>> 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The same exposures in a seeded random order: a baseline with the strategy's exposure distribution. */
export function shuffledDecisions(decisions: readonly ReplayDecision[], seed: number): ReplayDecision[] {
  const rand = seededRandom(seed);
  const exposures = decisions.map((d) => d.exposure);
  for (let i = exposures.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [exposures[i], exposures[j]] = [exposures[j], exposures[i]];
  }
  return decisions.map((d, i) => ({ ...d, exposure: exposures[i] }));
}

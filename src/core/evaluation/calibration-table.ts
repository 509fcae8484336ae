/**
 * Calibration of the confidence: each non-hold call's confidence is read as the forecast
 * probability that its direction is right (outcome 1 = a hit, 0 = a miss). Pure arithmetic.
 */

/** One scored call: its confidence and whether it was right. */
export interface ScoredCall {
  confidence: number;
  hit: boolean;
}

export interface ReliabilityBucket {
  from: number;
  to: number;
  calls: number;
  meanConfidence: number;
  hitRate: number;
}

export interface CalibrationScores {
  /** Non-empty confidence buckets, lowest first. */
  reliability: ReliabilityBucket[];
  /** Mean of (confidence - hit)^2; null without calls. */
  brier: number | null;
  /** The Brier score of forecasting the overall hit rate for every call: h(1 - h). */
  brierBaseline: number | null;
  /** Expected calibration error: sum over buckets of calls/N x |meanConfidence - hitRate|. */
  ece: number | null;
}

/** Ten equal-width buckets over [0, 1]; the last one includes 1. */
export const RELIABILITY_EDGES: readonly number[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** The reliability table: per confidence bucket, how many calls, their mean confidence and their hit rate. */
export function reliabilityTable(calls: readonly ScoredCall[], edges: readonly number[] = RELIABILITY_EDGES): ReliabilityBucket[] {
  const out: ReliabilityBucket[] = [];
  for (let k = 0; k + 1 < edges.length; k++) {
    const from = edges[k];
    const to = edges[k + 1];
    const last = k + 2 === edges.length;
    const inBucket = calls.filter((c) => {
      const p = clamp01(c.confidence);
      return p >= from && (p < to || (last && p <= to));
    });
    if (inBucket.length === 0) continue;
    out.push({
      from,
      to,
      calls: inBucket.length,
      meanConfidence: inBucket.reduce((s, c) => s + clamp01(c.confidence), 0) / inBucket.length,
      hitRate: inBucket.filter((c) => c.hit).length / inBucket.length,
    });
  }
  return out;
}

export function brierScore(calls: readonly ScoredCall[]): number | null {
  if (calls.length === 0) return null;
  return calls.reduce((s, c) => s + (clamp01(c.confidence) - (c.hit ? 1 : 0)) ** 2, 0) / calls.length;
}

export function calibrationScores(calls: readonly ScoredCall[], edges: readonly number[] = RELIABILITY_EDGES): CalibrationScores {
  const reliability = reliabilityTable(calls, edges);
  if (calls.length === 0) return { reliability, brier: null, brierBaseline: null, ece: null };
  const h = calls.filter((c) => c.hit).length / calls.length;
  const ece = reliability.reduce((s, b) => s + (b.calls / calls.length) * Math.abs(b.meanConfidence - b.hitRate), 0);
  return { reliability, brier: brierScore(calls), brierBaseline: h * (1 - h), ece };
}

/**
 * Fitting a calibration map from replay rows, and scoring forecasts against outcomes. Pure.
 *
 * A row is one call of a walk-forward replay: its decision bar, the confidence the policy gave it
 * before any map (raw), and whether its direction was right over its horizon (sign of the exposure
 * = sign of the close `horizon` bars later over this close). That outcome is known only `horizon`
 * bars after the decision bar, so a fit that ends at bar T reads only rows with index + horizon <= T.
 *
 * The map is an isotonic step function (pool-adjacent-violators) over the raw confidence, whose
 * steps' hit rates are shrunk toward the base rate by `shrinkage` pseudo-calls: a step of 5 calls
 * says little, one of 500 says what it measured. A forecaster with no skill gets one step at the
 * base rate.
 */
import { type CalibrationBin, type CalibrationMap, calibrate } from '../analysis/calibration.ts';
import { calibrationScores, type ReliabilityBucket } from './calibration-table.ts';

/** One call of a replay, as the fit reads it. */
export interface CalibrationObservation {
  /** The decision bar. */
  index: number;
  /** Its date, for the map's record of what it was fitted on. */
  time: string;
  /** The confidence the policy gave the call, before any calibration map. */
  raw: number;
  /** Direction right over the horizon; null when not scored (a hold, no move, or past the end). */
  hit: boolean | null;
}

/** Pseudo-calls at the base rate added to every step: a round prior worth about a month of daily calls. */
export const DEFAULT_SHRINKAGE = 20;

/** The replay rows as observations: non-hold calls whose forward return is known and not 0 are scored. */
export function observationsFromRows(
  rows: readonly { index: number; time: string; exposure: number; confidence: number; forwardReturn: number | null }[],
): CalibrationObservation[] {
  return rows.map((r) => ({
    index: r.index,
    time: r.time,
    raw: r.confidence,
    hit: r.exposure === 0 || r.forwardReturn === null || r.forwardReturn === 0 ? null : Math.sign(r.exposure) === Math.sign(r.forwardReturn),
  }));
}

/** The scored observations whose outcome was known at bar `asOf`: index + horizon <= asOf. */
export function knownBy(obs: readonly CalibrationObservation[], asOf: number, horizon: number): (CalibrationObservation & { hit: boolean })[] {
  return obs.filter((o): o is CalibrationObservation & { hit: boolean } => o.hit !== null && o.index + horizon <= asOf);
}

interface Block {
  lo: number;
  hi: number;
  n: number;
  hits: number;
}

const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;
/** Step edges keep 6 decimals: raw confidences have 4, so a midpoint between two never rounds onto either. */
const r6 = (v: number): number => Math.round(v * 1e6) / 1e6;

/**
 * The isotonic steps of scored calls: blocks of equal raw confidence, pooled with their neighbour
 * while a block's shrunk hit rate is above the next one's, so the rates never fall. Each step's
 * rate is (hits + shrinkage x baseRate) / (n + shrinkage). Steps cover [0, 1], split halfway
 * between the raw confidences of neighbouring blocks.
 */
export function fitBins(scored: readonly { raw: number; hit: boolean }[], shrinkage = DEFAULT_SHRINKAGE): { baseRate: number; bins: CalibrationBin[] } {
  if (scored.length === 0) throw new Error('no scored calls to fit a calibration map on');
  if (!(shrinkage >= 0)) throw new Error(`shrinkage must be >= 0 (got ${shrinkage})`);
  const baseRate = scored.filter((s) => s.hit).length / scored.length;
  const rate = (b: Block): number => (b.hits + shrinkage * baseRate) / (b.n + shrinkage);
  // One block per distinct raw confidence, in order.
  const groups: Block[] = [];
  for (const s of [...scored].sort((a, b) => a.raw - b.raw)) {
    const raw = Math.min(1, Math.max(0, s.raw));
    const last = groups[groups.length - 1];
    if (last && last.hi === raw) {
      last.n++;
      last.hits += s.hit ? 1 : 0;
    } else {
      groups.push({ lo: raw, hi: raw, n: 1, hits: s.hit ? 1 : 0 });
    }
  }
  // Pool adjacent violators, on the shrunk rates (so a small block cannot out-rank a large one by
  // luck). Every push restores the order of the whole stack, so it is monotone at the end.
  const stack: Block[] = [];
  for (const g of groups) {
    stack.push({ ...g });
    while (stack.length > 1 && rate(stack[stack.length - 2]) > rate(stack[stack.length - 1])) {
      const b = stack.pop() as Block;
      const a = stack[stack.length - 1];
      a.hi = b.hi;
      a.n += b.n;
      a.hits += b.hits;
    }
  }
  const bins = stack.map((b, k) => ({
    from: k === 0 ? 0 : r6((stack[k - 1].hi + b.lo) / 2),
    to: k === stack.length - 1 ? 1 : r6((b.hi + stack[k + 1].lo) / 2),
    n: b.n,
    hitRate: r4(rate(b)),
  }));
  return { baseRate: r4(baseRate), bins };
}

/** What a map records besides its steps. */
export interface MapMeta {
  version: number;
  analyzer: string;
  model: string | null;
  promptVersion: string;
  horizonBars: number;
  source: string;
  window: number;
  step: number;
}

/**
 * Fit a map on the observations whose outcome was known at bar `asOf` (the fit's last bar). Rows
 * decided later, or decided earlier but still open at `asOf`, are not read.
 */
export function fitCalibration(obs: readonly CalibrationObservation[], asOf: number, meta: MapMeta, shrinkage = DEFAULT_SHRINKAGE): CalibrationMap {
  const known = knownBy(obs, asOf, meta.horizonBars);
  const { baseRate, bins } = fitBins(known, shrinkage);
  return {
    version: meta.version,
    analyzer: meta.analyzer,
    model: meta.model,
    promptVersion: meta.promptVersion,
    horizonBars: meta.horizonBars,
    fittedOn: { from: known[0].time, to: known[known.length - 1].time, calls: known.length, source: meta.source, window: meta.window, step: meta.step },
    method: `isotonic steps (pool-adjacent-violators) over the raw confidence; each step's hit rate shrunk toward the base rate by ${shrinkage} pseudo-calls; hit = the call's direction right over ${meta.horizonBars} bars`,
    shrinkage,
    baseRate,
    bins,
  };
}

/**
 * Walk-forward calibration of each scored observation: the map fitted on every observation known
 * at its decision bar (index + horizon <= its index), or the constant `prior` before there are
 * `minCalls` of them. No observation's forecast reads its own outcome or any later one.
 */
export function walkForwardForecasts(
  obs: readonly CalibrationObservation[],
  horizon: number,
  opts: { minCalls?: number; prior?: number; shrinkage?: number } = {},
): { index: number; forecast: number; hit: boolean }[] {
  const minCalls = opts.minCalls ?? 50;
  const prior = opts.prior ?? 0.5;
  const out: { index: number; forecast: number; hit: boolean }[] = [];
  for (const o of obs) {
    if (o.hit === null) continue;
    const known = knownBy(obs, o.index, horizon);
    const forecast = known.length < minCalls ? prior : calibrate(fitBins(known, opts.shrinkage ?? DEFAULT_SHRINKAGE), o.raw);
    out.push({ index: o.index, forecast, hit: o.hit });
  }
  return out;
}

/** How good forecasts were: Brier, the base-rate Brier scores, ECE and the reliability table. */
export interface ForecastScores {
  calls: number;
  /** Share of the calls that were right. */
  hitRate: number | null;
  meanForecast: number | null;
  brier: number | null;
  /** Brier of forecasting the calls' own hit rate for every call, h(1 - h): known only afterwards. */
  brierBaseRate: number | null;
  /** Brier of forecasting a fixed rate (the fit's base rate, known at the decision) for every call. */
  brierPrior: number | null;
  ece: number | null;
  reliability: ReliabilityBucket[];
}

/** Score forecasts (probabilities that the call is right) against outcomes; ECE over 10 equal-width buckets. */
export function scoreForecasts(calls: readonly { forecast: number; hit: boolean }[], prior: number | null = null): ForecastScores {
  const scores = calibrationScores(calls.map((c) => ({ confidence: c.forecast, hit: c.hit })));
  const n = calls.length;
  const brierPrior = n === 0 || prior === null ? null : calls.reduce((s, c) => s + (prior - (c.hit ? 1 : 0)) ** 2, 0) / n;
  return {
    calls: n,
    hitRate: n === 0 ? null : calls.filter((c) => c.hit).length / n,
    meanForecast: n === 0 ? null : calls.reduce((s, c) => s + c.forecast, 0) / n,
    brier: scores.brier,
    brierBaseRate: scores.brierBaseline,
    brierPrior,
    ece: scores.ece,
    reliability: scores.reliability,
  };
}

/**
 * Calibrated confidence. An analyzer's confidence is a score; a calibration map says what that
 * score has been worth: the share of calls with that score whose direction was right over their
 * horizon, measured in walk-forward replays (src/core/evaluation/fit-calibration.ts fits it). The
 * policy replaces a call's confidence with calibrate(map, raw) where a map exists for the analyzer,
 * model and prompt version that answered. Pure: no I/O; the maps are loaded through a port.
 */

/** One step of the map: raw confidences in [from, to] have been right `hitRate` of the time. */
export interface CalibrationBin {
  from: number;
  to: number;
  /** Scored calls of the fit whose raw confidence fell in this step. */
  n: number;
  /** Their hit rate, shrunk toward the base rate (see the map's `shrinkage`). */
  hitRate: number;
}

/** A fitted map, as stored in calibration/<id>.json (id: see calibrationMapId). */
export interface CalibrationMap {
  /** Bumped whenever the map is refitted; named in every answer it calibrates. */
  version: number;
  analyzer: string;
  /** The model the map was fitted on; null for the rules. */
  model: string | null;
  promptVersion: string;
  /** The horizon the hits were scored over; the map calibrates only decisions with this horizon. */
  horizonBars: number;
  /** The replay the map was fitted on: first and last decision date, scored calls, and how. */
  fittedOn: { from: string; to: string; calls: number; source: string; window: number; step: number };
  /** How the steps were made, in words. */
  method: string;
  /** Pseudo-calls at the base rate added to every step before its hit rate is taken. */
  shrinkage: number;
  /** Hit rate of every scored call of the fit. */
  baseRate: number;
  /** Steps in raw-confidence order, covering [0, 1]; hit rates never fall as raw confidence rises. */
  bins: CalibrationBin[];
}

/** What an answer says about its calibration: which map, and the confidence before it. */
export interface DecisionCalibration {
  /** The map's id, the name of its file in calibration/ without `.json`. */
  map: string;
  version: number;
  /** The confidence the policy made, before the map. */
  raw: number;
  /** The hit rate of all calls the map was fitted on (what a forecaster with no skill should say). */
  baseRate: number;
}

/** The key of a map: `<analyzer>[.<model>].<promptVersion>`, e.g. local.analyze.v1. */
export function calibrationMapId(m: { analyzer: string; model: string | null; promptVersion: string }): string {
  return [m.analyzer, ...(m.model ? [m.model] : []), m.promptVersion].join('.');
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/**
 * The calibrated confidence of a raw one: the hit rate of the step that holds it (the first step
 * below the lowest, the last above the highest). A map without steps answers its base rate.
 */
export function calibrate(map: Pick<CalibrationMap, 'bins' | 'baseRate'>, raw: number): number {
  const bins = map.bins;
  if (bins.length === 0) return clamp01(map.baseRate);
  const x = clamp01(Number.isFinite(raw) ? raw : 0);
  for (const b of bins) if (x <= b.to) return clamp01(b.hitRate);
  return clamp01(bins[bins.length - 1].hitRate);
}

/** Problems that make a map unusable (empty when it is sound): steps out of order, rates that fall. */
export function mapProblems(map: Pick<CalibrationMap, 'bins' | 'baseRate' | 'horizonBars'>): string[] {
  const out: string[] = [];
  if (!(map.baseRate >= 0 && map.baseRate <= 1)) out.push(`baseRate ${map.baseRate} is not in [0, 1]`);
  if (!Number.isInteger(map.horizonBars) || map.horizonBars < 1) out.push(`horizonBars ${map.horizonBars} is not a whole number of bars`);
  map.bins.forEach((b, k) => {
    if (!(b.from <= b.to)) out.push(`bin ${k}: from ${b.from} is after to ${b.to}`);
    if (!(b.hitRate >= 0 && b.hitRate <= 1)) out.push(`bin ${k}: hitRate ${b.hitRate} is not in [0, 1]`);
    const prev = map.bins[k - 1];
    if (prev && b.from < prev.to) out.push(`bin ${k}: starts at ${b.from}, inside bin ${k - 1} (to ${prev.to})`);
    if (prev && b.hitRate < prev.hitRate) out.push(`bin ${k}: hitRate ${b.hitRate} falls below bin ${k - 1}'s ${prev.hitRate}`);
  });
  return out;
}

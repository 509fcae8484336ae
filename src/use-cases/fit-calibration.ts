import type { AnalyzerId } from '../core/analysis/analyzer-id.ts';
import { calibrate, type CalibrationMap } from '../core/analysis/calibration.ts';
import {
  type CalibrationObservation,
  fitCalibration,
  type ForecastScores,
  observationsFromRows,
  scoreForecasts,
  walkForwardForecasts,
} from '../core/evaluation/fit-calibration.ts';
import type { Candle } from '../core/market/candles.ts';
import type { AnalyzeDeps } from './analyze-chart.ts';
import { runBacktest } from './backtest.ts';

/**
 * The replay a map is fitted on: the backtest's defaults. The horizon is the rules' horizonBars,
 * and every 5th bar gives calls whose horizons do not overlap, so each is one independent outcome.
 */
export const CALIBRATION_REPLAY = { window: 150, horizon: 5, step: 5, costBps: 10, seed: 7 } as const;

export interface FitCalibrationOptions {
  candles: readonly Candle[];
  symbol: string | null;
  timeframe: string | null;
  analyzer: AnalyzerId;
  model: string | null;
  /** First decision bar (default: the first full window). */
  fromIndex?: number;
  /** The fit's last bar: no bar after it is read, and only calls whose outcome is known by it count. */
  toIndex: number;
  /** Also replay the decisions after the fit up to this bar, and score the map on them (held out). */
  checkToIndex?: number;
  /** The map's version (bump it when refitting). */
  version: number;
  /** Where the bars came from, for the map's record (a file name). */
  source: string;
  onProgress?: (p: { done: number; total: number; failed: number; costUsd: number; elapsedMs: number }) => void;
}

/** How the map does on calls it was not fitted on. */
export interface HeldOutCheck {
  from: string;
  to: string;
  /** The policy's confidence as it was. */
  raw: ForecastScores;
  /** calibrate(map, raw): what the service answers with this map. */
  calibrated: ForecastScores;
  /** Each call calibrated by a map refitted on every call known at its bar (expanding window). */
  walkForward: ForecastScores;
}

export interface FitCalibrationResult {
  map: CalibrationMap;
  /** The scored calls of the fit replay, for scoring the map in-sample. */
  inSample: ForecastScores;
  heldOut: HeldOutCheck | null;
}

/** The replay's calls with the policy's own confidence: the deps without their maps, so nothing is calibrated twice. */
async function replayRaw(deps: AnalyzeDeps, o: FitCalibrationOptions, lastBar: number, fromIndex: number | undefined): Promise<{ obs: CalibrationObservation[]; analyzer: string; model: string | null }> {
  const result = await runBacktest(
    { ...deps, calibration: undefined },
    {
      candles: o.candles.slice(0, lastBar + 1),
      symbol: o.symbol,
      timeframe: o.timeframe,
      window: CALIBRATION_REPLAY.window,
      horizon: CALIBRATION_REPLAY.horizon,
      step: CALIBRATION_REPLAY.step,
      fromIndex,
      analyzer: o.analyzer,
      model: o.model,
      costBps: CALIBRATION_REPLAY.costBps,
      seed: CALIBRATION_REPLAY.seed,
      onProgress: o.onProgress,
    },
  );
  const { analyzer } = result.metrics;
  if (analyzer.degraded > 0) {
    throw new Error(`${analyzer.degraded} of ${result.decisions.length} decisions came from the rules standing in for ${o.analyzer}: a map fitted on them would mix two analyzers`);
  }
  return { obs: observationsFromRows(result.decisions), analyzer: analyzer.name, model: analyzer.model };
}

const scored = (obs: readonly CalibrationObservation[]): (CalibrationObservation & { hit: boolean })[] =>
  obs.filter((o): o is CalibrationObservation & { hit: boolean } => o.hit !== null);

/**
 * Fit a calibration map walk-forward: replay the series up to `toIndex` only (the later bars are
 * cut off before the replay starts), score each call on its direction over the horizon, and fit
 * the isotonic map on the calls whose outcome was known at `toIndex`. With `checkToIndex`, replay
 * the calls after the fit too and score raw, calibrated and walk-forward confidences on them.
 */
export async function fitCalibrationFromReplay(deps: AnalyzeDeps, o: FitCalibrationOptions): Promise<FitCalibrationResult> {
  const promptVersion = deps.prompts.build({ facts: null, symbol: o.symbol, timeframe: o.timeframe, chartRange: null, news: [] }).version;
  const fit = await replayRaw(deps, o, o.toIndex, o.fromIndex);
  const map = fitCalibration(fit.obs, o.toIndex, {
    version: o.version,
    analyzer: fit.analyzer,
    model: fit.model,
    promptVersion,
    horizonBars: CALIBRATION_REPLAY.horizon,
    source: o.source,
    window: CALIBRATION_REPLAY.window,
    step: CALIBRATION_REPLAY.step,
  });
  const inSample = scoreForecasts(
    scored(fit.obs).map((x) => ({ forecast: calibrate(map, x.raw), hit: x.hit })),
    map.baseRate,
  );
  if (o.checkToIndex === undefined || o.checkToIndex <= o.toIndex) return { map, inSample, heldOut: null };

  const check = await replayRaw(deps, o, o.checkToIndex, o.toIndex + 1);
  const held = scored(check.obs);
  if (held.length === 0) return { map, inSample, heldOut: null };
  const all = [...fit.obs, ...check.obs];
  const walk = walkForwardForecasts(all, CALIBRATION_REPLAY.horizon, { prior: map.baseRate }).filter((w) => w.index > o.toIndex);
  return {
    map,
    inSample,
    heldOut: {
      from: held[0].time,
      to: held[held.length - 1].time,
      raw: scoreForecasts(held.map((x) => ({ forecast: x.raw, hit: x.hit })), map.baseRate),
      calibrated: scoreForecasts(held.map((x) => ({ forecast: calibrate(map, x.raw), hit: x.hit })), map.baseRate),
      walkForward: scoreForecasts(walk, map.baseRate),
    },
  };
}

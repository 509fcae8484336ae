import type { Analysis } from '../core/analysis/analysis.ts';
import {
  calibration,
  deriveSeed,
  forwardReturn,
  hitRate,
  periodsPerYear,
  positionReturns,
  positionsFromDecisions,
  type ReplayDecision,
  type ReturnMetrics,
  returnMetrics,
  seededRandom,
  sharpeOf,
  strategyReturns,
  equityCurve,
} from '../core/evaluation/backtest-metrics.ts';
import { bias, buyAndHoldPositions, excessOver, type LevelledCall, shuffledCalls, TREND_SMA, trendPositions } from '../core/evaluation/baselines.ts';
import { calibrationScores } from '../core/evaluation/calibration-table.ts';
import { BOOTSTRAP_RESAMPLES, bootstrapBlock, bootstrapSharpe, PERMUTATIONS, permutationPValue, significance, wilsonInterval } from '../core/evaluation/significance.ts';
import type { SyntheticInfo } from '../core/evaluation/synthetic.ts';
import { exitBook, simulateExit, type TradeExit } from '../core/evaluation/trade-exits.ts';
import { type Candle, formatCandleTime } from '../core/market/candles.ts';
import { computeMarketStreams } from '../core/market/facts.ts';
import { chartOptionsSchema } from '../core/scene/chart-options.ts';
import type { BacktestResult, DecisionRow } from '../core/evaluation/backtest-result.ts';
import { type AnalyzeDeps, analyzeChart } from './analyze-chart.ts';
import { type AnalyzerId } from '../core/analysis/analyzer-id.ts';

/** Salts of the random streams derived from the seed, so no two share draws. */
const BOOTSTRAP_SALT = 0xb007;
const PERMUTATION_SALT = 0x9e40;

export interface BacktestOptions {
  candles: readonly Candle[];
  symbol: string | null;
  timeframe: string | null;
  /** Bars drawn on each chart. */
  window: number;
  /** Bars each decision is held. */
  horizon: number;
  /** Bars between decisions. */
  step: number;
  /** First and last decision bar (inclusive); default: from the first full window to the end. */
  fromIndex?: number;
  toIndex?: number;
  analyzer: AnalyzerId;
  model: string | null;
  costBps: number;
  /** Seed of the random baseline, the permutation test and the bootstrap. */
  seed: number;
  /** Set when `candles` were generated (the null test), so the report says so. */
  synthetic?: SyntheticInfo | null;
  onProgress?: (p: { done: number; total: number; failed: number; costUsd: number; elapsedMs: number }) => void;
}

/** The decision bars of a replay: every `step` bars from the first full window to the last bar. */
export function decisionBars(n: number, o: Pick<BacktestOptions, 'window' | 'step' | 'fromIndex' | 'toIndex'>): number[] {
  const first = Math.max(o.window - 1, o.fromIndex ?? 0);
  const last = Math.min(n - 1, o.toIndex ?? n - 1);
  const bars: number[] = [];
  for (let t = first; t <= last; t += o.step) bars.push(t);
  return bars;
}

/**
 * Walk forward through the series. At each decision bar t the analyzer sees a chart and facts built
 * from bars <= t only (the streams are causal; the chart is cut at t). A non-hold decision is
 * entered at the close of t and leaves at its stop or target, whichever bars t+1.. touch first, or
 * `horizon` bars later (see trade-exits.ts); the next decision takes over from its own close. Each step goes through the same use case as the API, so results are
 * stored and an interrupted replay reruns from the cache at no cost.
 */
export async function runBacktest(deps: AnalyzeDeps, o: BacktestOptions): Promise<BacktestResult> {
  const started = Date.now();
  const { candles } = o;
  const streams = computeMarketStreams(candles);
  const bars = decisionBars(candles.length, o);
  if (bars.length === 0) throw new Error(`no decision bars: the series has ${candles.length} bars and the window is ${o.window}`);
  const closes = candles.map((c) => c.close);
  const chart = chartOptionsSchema.parse({ last: o.window });
  const rows: DecisionRow[] = [];
  let spent = 0;
  let failed = 0;
  let cached = 0;
  let degraded = 0;
  let model: string | null = null;
  let analyzerName: string = o.analyzer;
  for (const t of bars) {
    const analysis: Analysis = await analyzeChart(deps, {
      symbol: o.symbol,
      timeframe: o.timeframe,
      candles: candles.slice(0, t + 1),
      image: null,
      news: [],
      analyzer: o.analyzer,
      model: o.model,
      chart,
      request: { backtest: { bar: t, time: formatCandleTime(candles[t].time), window: o.window, horizon: o.horizon } },
      streams,
    });
    const d = analysis.decision;
    spent += analysis.provider.costUsd ?? 0;
    if (analysis.provider.cached) cached++;
    if (analysis.provider.degraded) {
      degraded++;
      failed++;
    }
    model = analysis.provider.model ?? model;
    analyzerName = analysis.provider.degraded ? analyzerName : analysis.provider.analyzer;
    rows.push({
      index: t,
      time: formatCandleTime(candles[t].time),
      action: d.action,
      exposure: d.exposure,
      confidence: d.confidence,
      entry: d.entry,
      invalidation: d.invalidation,
      target: d.target,
      forwardReturn: forwardReturn(closes, t, o.horizon),
      ...exitFields(candles, simulateExit(candles, { index: t, exposure: d.exposure, invalidation: d.invalidation, target: d.target }, o.horizon)),
      hallucinationRate: analysis.verification.hallucinationRate,
      imageSha256: analysis.input.imageSha256,
      costUsd: analysis.provider.costUsd,
      cached: analysis.provider.cached,
      degraded: analysis.provider.degraded !== false,
    });
    o.onProgress?.({ done: rows.length, total: bars.length, failed, costUsd: spent, elapsedMs: Date.now() - started });
  }

  const from = bars[0];
  const to = Math.min(candles.length - 1, bars[bars.length - 1] + o.horizon);
  const perYear = periodsPerYear(o.timeframe);
  const period = (r: readonly number[]) => r.slice(from + 1, to + 1);
  const metricsOf = (ret: readonly number[], pos: readonly number[]): ReturnMetrics => returnMetrics(ret, pos, from, to, perYear);

  // The strategy: the calls with their simulated exits.
  const book = exitBook(candles, rows.map((r) => ({ ...r, exit: r })));
  const stratReturns = positionReturns(book.barReturns, book.positions, o.costBps);
  const strategy = metricsOf(stratReturns, book.positions);

  // The same calls dealt to random decision bars, with their stops and targets moved along.
  const levelled: LevelledCall[] = rows.map((r) => ({ index: r.index, exposure: r.exposure, confidence: r.confidence, invalidation: r.invalidation, target: r.target }));
  const dealt = (calls: readonly LevelledCall[]) => {
    const withExits = calls.map((c) => ({ ...c, exit: simulateExit(candles, c, o.horizon) }));
    const b = exitBook(candles, withExits);
    const ret = positionReturns(b.barReturns, b.positions, o.costBps);
    return { ret, pos: b.positions, withExits };
  };
  const randomRun = dealt(shuffledCalls(levelled, closes, seededRandom(o.seed)));
  const permRand = seededRandom(deriveSeed(o.seed, PERMUTATION_SALT));
  const nullSharpes: number[] = [];
  for (let k = 0; k < PERMUTATIONS; k++) nullSharpes.push(sharpeOf(period(dealt(shuffledCalls(levelled, closes, permRand)).ret), perYear) ?? 0);

  const holdAll = buyAndHoldPositions(candles.length, from, to);
  const bhReturns = strategyReturns(closes, holdAll, o.costBps);
  const trendPos = trendPositions(closes, from, to, TREND_SMA);
  const trendReturns = strategyReturns(closes, trendPos, o.costBps);
  const buyAndHold = metricsOf(bhReturns, holdAll);
  const random = metricsOf(randomRun.ret, randomRun.pos);
  const randomHits = hitRate(randomRun.withExits.map((c) => ({ exposure: c.exposure, forward: c.exit.realisedReturn === null ? null : Math.sign(c.exposure) * c.exit.realisedReturn })));
  const trend = metricsOf(trendReturns, trendPos);

  // The old positions: every call held `horizon` bars, scored on the sign of the forward return.
  const decisions: ReplayDecision[] = rows.map((r) => ({ index: r.index, exposure: r.exposure, confidence: r.confidence, action: r.action }));
  const horizonPos = positionsFromDecisions(candles.length, decisions, o.horizon);
  const horizonHits = hitRate(rows.map((r) => ({ exposure: r.exposure, forward: r.forwardReturn })));

  // Scoring: a non-hold call is a hit when its simulated trade made money; flat or still-open trades are not scored.
  const moves = rows.map((r) => ({ exposure: r.exposure, confidence: r.confidence, forward: r.realisedReturn === null ? null : Math.sign(r.exposure) * r.realisedReturn }));
  const hits = hitRate(moves);
  const scored = rows
    .filter((r) => r.exposure !== 0 && r.realisedReturn !== null && r.realisedReturn !== 0)
    .map((r) => ({ confidence: r.confidence, hit: (r.realisedReturn as number) > 0 }));
  const cal = calibrationScores(scored);

  const meanBlock = bootstrapBlock(o.horizon);
  const sharpe95 = bootstrapSharpe(period(stratReturns), perYear, { seed: deriveSeed(o.seed, BOOTSTRAP_SALT), resamples: BOOTSTRAP_RESAMPLES, meanBlock });
  const p = strategy.sharpe === null ? null : permutationPValue(strategy.sharpe, nullSharpes);
  const nonHold = rows.filter((r) => r.exposure !== 0);

  const eqS = equityCurve(period(stratReturns));
  const eqB = equityCurve(period(bhReturns));
  const eqR = equityCurve(period(randomRun.ret));
  const eqT = equityCurve(period(trendReturns));
  const equity = [{ time: candles[from].time, strategy: 1, buyAndHold: 1, random: 1, trend: 1 }];
  for (let i = 0; i < eqS.length; i++) equity.push({ time: candles[from + 1 + i].time, strategy: eqS[i], buyAndHold: eqB[i], random: eqR[i], trend: eqT[i] });

  return {
    decisions: rows,
    equity,
    metrics: {
      hitRate: hits.hitRate,
      wilson95: wilsonInterval(hits.hits, hits.calls),
      hitRateByConfidence: calibration(moves),
      calls: hits.calls,
      holds: rows.filter((r) => r.exposure === 0).length,
      ...strategy,
      sharpe95,
      bias: bias(
        rows.map((r) => r.exposure),
        period(book.positions),
      ),
      exits: {
        stop: nonHold.filter((r) => r.exitReason === 'stop').length,
        target: nonHold.filter((r) => r.exitReason === 'target').length,
        horizon: nonHold.filter((r) => r.exitReason === 'horizon').length,
        open: nonHold.filter((r) => r.exitReason === null).length,
      },
      reliability: cal.reliability,
      brier: cal.brier,
      brierBaseline: cal.brierBaseline,
      ece: cal.ece,
      buyAndHold: { ...buyAndHold, excess: excessOver(strategy, buyAndHold) },
      random: { ...random, excess: excessOver(strategy, random), seed: o.seed, hitRate: randomHits.hitRate, calls: randomHits.calls },
      trend: {
        ...trend,
        excess: excessOver(strategy, trend),
        rule: `long when the close is above its ${TREND_SMA}-bar simple moving average, else flat; decided at each close, held over the next bar`,
        sma: TREND_SMA,
      },
      horizonOnly: { ...metricsOf(strategyReturns(closes, horizonPos, o.costBps), horizonPos), hitRate: horizonHits.hitRate, calls: horizonHits.calls },
      significance: significance(sharpe95, p, { meanBlock, resamples: BOOTSTRAP_RESAMPLES, permutations: PERMUTATIONS }),
      synthetic: o.synthetic ?? null,
      period: { from: formatCandleTime(candles[from].time), to: formatCandleTime(candles[to].time), bars: to - from + 1 },
      analyzer: { name: analyzerName, model, costUsd: Math.round(spent * 1e6) / 1e6, cached, degraded },
      params: { window: o.window, horizon: o.horizon, step: o.step, costBps: o.costBps },
    },
  };
}

/** A simulated exit as the columns of a decision row. */
function exitFields(candles: readonly Candle[], e: TradeExit): Pick<DecisionRow, 'exitIndex' | 'exitTime' | 'exitReason' | 'exitPrice' | 'realisedReturn'> {
  return {
    exitIndex: e.exitIndex,
    exitTime: e.exitIndex === null ? null : formatCandleTime(candles[e.exitIndex].time),
    exitReason: e.exitReason,
    exitPrice: e.exitPrice,
    realisedReturn: e.realisedReturn,
  };
}

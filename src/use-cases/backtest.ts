import type { Analysis } from '../core/analysis/analysis.ts';
import {
  calibration,
  forwardReturn,
  hitRate,
  periodsPerYear,
  positionsFromDecisions,
  type ReplayDecision,
  returnMetrics,
  shuffledDecisions,
  strategyReturns,
  equityCurve,
} from '../core/evaluation/backtest-metrics.ts';
import { type Candle, formatCandleTime } from '../core/market/candles.ts';
import { computeMarketStreams } from '../core/market/facts.ts';
import { chartOptionsSchema } from '../core/scene/chart-options.ts';
import type { BacktestResult, DecisionRow } from '../core/evaluation/backtest-result.ts';
import { type AnalyzeDeps, analyzeChart } from './analyze-chart.ts';
import { type AnalyzerId } from '../core/analysis/analyzer-id.ts';

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
  /** Seed of the random baseline. */
  seed: number;
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
 * from bars <= t only (the streams are causal; the chart is cut at t), and its final decision is
 * held for `horizon` bars. Each step goes through the same use case as the API, so results are
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
  const decisions: ReplayDecision[] = rows.map((r) => ({ index: r.index, exposure: r.exposure, confidence: r.confidence, action: r.action }));
  const perYear = periodsPerYear(o.timeframe);
  const evaluate = (ds: readonly ReplayDecision[]) => {
    const pos = positionsFromDecisions(candles.length, ds, o.horizon);
    const ret = strategyReturns(closes, pos, o.costBps);
    return { metrics: returnMetrics(ret, pos, from, to, perYear), returns: ret };
  };
  const strategy = evaluate(decisions);
  const holdAll = candles.map((_, i) => (i > from && i <= to ? 1 : 0));
  const bhReturns = strategyReturns(closes, holdAll, o.costBps);
  const buyAndHold = returnMetrics(bhReturns, holdAll, from, to, perYear);
  const random = evaluate(shuffledDecisions(decisions, o.seed));
  const calls = rows.map((r) => ({ exposure: r.exposure, confidence: r.confidence, forward: r.forwardReturn }));
  const hits = hitRate(calls);

  const eqS = equityCurve(strategy.returns.slice(from + 1, to + 1));
  const eqB = equityCurve(bhReturns.slice(from + 1, to + 1));
  const eqR = equityCurve(random.returns.slice(from + 1, to + 1));
  const equity = [{ time: candles[from].time, strategy: 1, buyAndHold: 1, random: 1 }];
  for (let i = 0; i < eqS.length; i++) equity.push({ time: candles[from + 1 + i].time, strategy: eqS[i], buyAndHold: eqB[i], random: eqR[i] });

  return {
    decisions: rows,
    equity,
    metrics: {
      hitRate: hits.hitRate,
      hitRateByConfidence: calibration(calls),
      calls: hits.calls,
      holds: rows.filter((r) => r.exposure === 0).length,
      ...strategy.metrics,
      buyAndHold,
      random: { ...random.metrics, seed: o.seed },
      period: { from: formatCandleTime(candles[from].time), to: formatCandleTime(candles[to].time), bars: to - from + 1 },
      analyzer: { name: analyzerName, model, costUsd: Math.round(spent * 1e6) / 1e6, cached, degraded },
      params: { window: o.window, horizon: o.horizon, step: o.step, costBps: o.costBps },
    },
  };
}

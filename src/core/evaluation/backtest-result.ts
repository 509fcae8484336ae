import type { CalibrationBucket, ReturnMetrics } from './backtest-metrics.ts';

/** One row of decisions.csv. */
export interface DecisionRow {
  index: number;
  time: string;
  action: 'buy' | 'sell' | 'hold';
  exposure: number;
  confidence: number;
  entry: number | null;
  invalidation: number | null;
  target: number | null;
  /** Close `horizon` bars later over this close, minus 1: for scoring only, never shown to the analyzer. */
  forwardReturn: number | null;
  hallucinationRate: number | null;
  imageSha256: string;
  costUsd: number | null;
  cached: boolean;
  degraded: boolean;
}

export interface BacktestMetrics extends ReturnMetrics {
  hitRate: number | null;
  hitRateByConfidence: CalibrationBucket[];
  calls: number;
  holds: number;
  buyAndHold: ReturnMetrics;
  random: ReturnMetrics & { seed: number };
  period: { from: string; to: string; bars: number };
  analyzer: { name: string; model: string | null; costUsd: number; cached: number; degraded: number };
  params: { window: number; horizon: number; step: number; costBps: number };
}

export interface BacktestResult {
  decisions: DecisionRow[];
  metrics: BacktestMetrics;
  /** Per bar of the evaluation period: the strategy's and buy-and-hold's equity. */
  equity: { time: number; strategy: number; buyAndHold: number; random: number }[];
}

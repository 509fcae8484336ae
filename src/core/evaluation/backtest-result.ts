import type { CalibrationBucket, ReturnMetrics } from './backtest-metrics.ts';
import type { Bias, Excess } from './baselines.ts';
import type { ReliabilityBucket } from './calibration-table.ts';
import type { Interval, Significance } from './significance.ts';
import type { SyntheticInfo } from './synthetic.ts';
import type { ExitReason } from './trade-exits.ts';

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
  /** The simulated exit (stop, target or horizon); null for a hold or a trade still open at the end. */
  exitIndex: number | null;
  exitTime: string | null;
  exitReason: ExitReason | null;
  exitPrice: number | null;
  /** sign(exposure) x (exit price / this close - 1), before costs. */
  realisedReturn: number | null;
  hallucinationRate: number | null;
  imageSha256: string;
  costUsd: number | null;
  cached: boolean;
  degraded: boolean;
}

/** A baseline's return metrics, and the strategy's excess over them (strategy minus baseline). */
export type BaselineMetrics = ReturnMetrics & { excess: Excess };

export interface BacktestMetrics extends ReturnMetrics {
  /** Share of the scored non-hold calls whose simulated trade made money (realisedReturn > 0). */
  hitRate: number | null;
  /** Wilson 95% interval of hitRate. */
  wilson95: Interval | null;
  hitRateByConfidence: CalibrationBucket[];
  calls: number;
  holds: number;
  /** Stationary-bootstrap 95% interval of `sharpe`. */
  sharpe95: Interval | null;
  bias: Bias;
  exits: { stop: number; target: number; horizon: number; open: number };
  reliability: ReliabilityBucket[];
  brier: number | null;
  brierBaseline: number | null;
  ece: number | null;
  buyAndHold: BaselineMetrics;
  /** The same calls at random bars; its hit rate is what the calls' stops and targets give by chance. */
  random: BaselineMetrics & { seed: number; hitRate: number | null; calls: number };
  trend: BaselineMetrics & { rule: string; sma: number };
  /** The old positions for comparison: every call held `horizon` bars, no stops or targets; hit = sign of the forward return. */
  horizonOnly: ReturnMetrics & { hitRate: number | null; calls: number };
  significance: Significance;
  /** Set when the bars are not the CSV's but generated from it (the null test). */
  synthetic: SyntheticInfo | null;
  period: { from: string; to: string; bars: number };
  analyzer: { name: string; model: string | null; costUsd: number; cached: number; degraded: number };
  params: { window: number; horizon: number; step: number; costBps: number };
}

export interface BacktestResult {
  decisions: DecisionRow[];
  metrics: BacktestMetrics;
  /** Per bar of the evaluation period: the strategy's and the baselines' equity. */
  equity: { time: number; strategy: number; buyAndHold: number; random: number; trend: number }[];
}

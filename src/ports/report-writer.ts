import type { BacktestResult } from '../core/evaluation/backtest-result.ts';

/** Writes a replay's report (decisions, metrics, equity chart, HTML) and returns the paths written. */
export interface BacktestReportWriter {
  write(dir: string, result: BacktestResult, title: string): Promise<string[]>;
}

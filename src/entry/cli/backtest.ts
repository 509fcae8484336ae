import { readFileSync } from 'node:fs';
import { buildServices } from '../../composition/root.ts';
import { loadConfig } from '../../composition/config.ts';
import { parseCandleTime, parseCandlesCsv } from '../../core/market/candles.ts';
import type { AnalyzerId } from '../../core/analysis/analyzer-id.ts';
import { runBacktest } from '../../use-cases/backtest.ts';
import { progressReporter } from './progress.ts';
import { UsageError } from './usage-error.ts';

type Values = Record<string, string | boolean | undefined>;
const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

function int(v: string | undefined, name: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return n;
}

/** Index of the first bar at or after a date (or the last at or before it, for --to). */
function barAt(times: readonly number[], date: string | undefined, side: 'from' | 'to'): number | undefined {
  if (date === undefined) return undefined;
  const t = parseCandleTime(date);
  if (Number.isNaN(t)) throw new UsageError(`--${side} must be a date like 2018-01-02`);
  if (side === 'from') {
    const i = times.findIndex((x) => x >= t);
    return i < 0 ? times.length : i;
  }
  let i = times.length - 1;
  while (i >= 0 && times[i] > t) i--;
  return i;
}

/** `chartlens backtest --csv FILE`: a walk-forward replay and its report. */
export async function runBacktestCommand(values: Values): Promise<number> {
  const csv = str(values.csv);
  if (!csv) throw new UsageError('backtest needs --csv FILE');
  const analyzer = (str(values.analyzer) ?? 'local') as AnalyzerId;
  if (analyzer !== 'local' && analyzer !== 'openai') throw new UsageError('--analyzer must be local or openai');
  const candles = parseCandlesCsv(readFileSync(csv, 'utf8'));
  const times = candles.map((c) => c.time);
  const window = int(str(values.window), 'window', 150, 20);
  const horizon = int(str(values.horizon), 'horizon', 5, 1);
  const step = int(str(values.step), 'step', 5, 1);
  const costBps = Number(str(values['cost-bps']) ?? 10);
  if (!Number.isFinite(costBps) || costBps < 0) throw new UsageError('--cost-bps must be a number >= 0');
  const seed = int(str(values.seed), 'seed', 7, 0);
  const out = str(values.out) ?? 'backtest';
  const fromIndex = barAt(times, str(values.from), 'from');
  const toIndex = barAt(times, str(values.to), 'to');
  const symbol = str(values.symbol) ?? null;

  const services = await buildServices(loadConfig());
  const progress = progressReporter(process.stderr);
  try {
    const result = await runBacktest(services.analyze, {
      candles,
      symbol,
      timeframe: str(values.timeframe) ?? '1d',
      window,
      horizon,
      step,
      fromIndex,
      toIndex,
      analyzer,
      model: str(values.model) ?? null,
      costBps,
      seed,
      onProgress: progress.update,
    });
    progress.finish();
    const title = `${symbol ?? csv} replay (${result.metrics.analyzer.name})`;
    const files = await services.reports.write(out, result, title);
    const m = result.metrics;
    const p = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
    const f = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(2));
    process.stdout.write(
      [
        `period ${m.period.from} to ${m.period.to} (${m.period.bars} bars), ${result.decisions.length} decisions, hit rate ${p(m.hitRate)} over ${m.calls} calls`,
        `              total     CAGR      Sharpe  max DD    trades`,
        `strategy      ${p(m.totalReturn).padEnd(9)} ${p(m.cagr).padEnd(9)} ${f(m.sharpe).padEnd(7)} ${p(m.maxDrawdown).padEnd(9)} ${m.trades}`,
        `buy and hold  ${p(m.buyAndHold.totalReturn).padEnd(9)} ${p(m.buyAndHold.cagr).padEnd(9)} ${f(m.buyAndHold.sharpe).padEnd(7)} ${p(m.buyAndHold.maxDrawdown).padEnd(9)} ${m.buyAndHold.trades}`,
        `random        ${p(m.random.totalReturn).padEnd(9)} ${p(m.random.cagr).padEnd(9)} ${f(m.random.sharpe).padEnd(7)} ${p(m.random.maxDrawdown).padEnd(9)} ${m.random.trades}`,
        `spend $${m.analyzer.costUsd.toFixed(4)}, ${m.analyzer.cached} cached, ${m.analyzer.degraded} degraded`,
        ...files.map((x) => `wrote ${x}`),
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await services.close();
  }
}

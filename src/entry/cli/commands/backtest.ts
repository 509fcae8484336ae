import { ANALYZER_IDS } from '../../../core/analysis/analyzer-id.ts';
import { parseCandlesCsv, parseCandleTime } from '../../../core/market/candles.ts';
import { Flags } from '../args.ts';
import type { Command } from '../command.ts';
import { usageError } from '../failure.ts';
import { readText } from '../files.ts';
import { progressReporter } from '../progress.ts';

/** Index of the first bar at or after a date (or the last at or before it, for --to). */
function barAt(times: readonly number[], t: number | undefined, side: 'from' | 'to'): number | undefined {
  if (t === undefined) return undefined;
  if (side === 'from') {
    const i = times.findIndex((x) => x >= t);
    return i < 0 ? times.length : i;
  }
  let i = times.length - 1;
  while (i >= 0 && times[i] > t) i--;
  return i;
}

function dateFlag(f: Flags, side: 'from' | 'to'): number | undefined {
  const v = f.string(side);
  if (v === undefined) return undefined;
  const t = parseCandleTime(v);
  if (Number.isNaN(t)) throw usageError(`--${side} must be a date like 2018-01-02 (got "${v}")`);
  return t;
}

/** `chartlens backtest --csv FILE`: a walk-forward replay and its report. */
export const command: Command = {
  name: 'backtest',
  usage: 'chartlens backtest --csv FILE [options]',
  description: [
    'Walks forward through a price series: every --step bars it builds the chart, the facts and the prompt',
    'from the bars up to that one only, asks the analyzer, and holds the decision for --horizon bars.',
    'Writes decisions.csv, metrics.json, equity.png and report.html to --out, and prints the metrics.',
  ].join('\n'),
  options: {
    csv: { type: 'string', value: 'FILE', required: true, help: 'the OHLCV CSV to replay' },
    window: { type: 'string', value: 'N', default: '150', help: 'bars on each chart (20..10000)' },
    horizon: { type: 'string', value: 'N', default: '5', help: 'bars each decision is held' },
    step: { type: 'string', value: 'N', default: '5', help: 'bars between decisions' },
    from: { type: 'string', value: 'DATE', shows: 'the first full window', help: 'first decision date' },
    to: { type: 'string', value: 'DATE', shows: 'the last bar', help: 'last decision date' },
    analyzer: { type: 'string', value: ANALYZER_IDS.join('|'), default: 'local', help: 'the analyzer' },
    model: { type: 'string', value: 'M', shows: 'CHARTLENS_MODEL', help: 'the model, for --analyzer openai' },
    'cost-bps': { type: 'string', value: 'X', default: '10', help: 'cost per unit of position change, in basis points' },
    seed: { type: 'string', value: 'N', default: '7', help: 'seed of the random baseline' },
    out: { type: 'string', value: 'DIR', default: 'backtest', help: 'where the four files go' },
    symbol: { type: 'string', value: 'S', help: 'the symbol, for the report and the analyzer' },
    timeframe: { type: 'string', value: 'T', default: '1d', help: 'the timeframe; it sets the annualisation (252 bars a year for 1d)' },
  },
  async run(args, io) {
    const f = new Flags(command, args);
    const csvPath = f.required('csv');
    const analyzer = f.choice('analyzer', ANALYZER_IDS) ?? 'local';
    const window = f.int('window', { min: 20, max: 10_000 }) ?? 150;
    const horizon = f.int('horizon', { min: 1 }) ?? 5;
    const step = f.int('step', { min: 1 }) ?? 5;
    const costBps = f.number('cost-bps', { min: 0 }) ?? 10;
    const seed = f.int('seed', { min: 0 }) ?? 7;
    const from = dateFlag(f, 'from');
    const to = dateFlag(f, 'to');
    if (from !== undefined && to !== undefined && from > to) throw usageError('--from must not be after --to');
    const out = f.string('out') ?? 'backtest';
    const symbol = f.string('symbol') ?? null;
    const timeframe = f.string('timeframe') ?? '1d';
    const candles = parseCandlesCsv(readText(csvPath));
    const times = candles.map((c) => c.time);

    const [{ buildServices }, { loadConfig }, { runBacktest }] = await Promise.all([
      import('../../../composition/root.ts'),
      import('../../../composition/config.ts'),
      import('../../../use-cases/backtest.ts'),
    ]);
    const services = await buildServices(loadConfig(io.env));
    const progress = progressReporter(io.stderr);
    try {
      const result = await runBacktest(services.analyze, {
        candles,
        symbol,
        timeframe,
        window,
        horizon,
        step,
        fromIndex: barAt(times, from, 'from'),
        toIndex: barAt(times, to, 'to'),
        analyzer,
        model: f.string('model') ?? null,
        costBps,
        seed,
        onProgress: (p) => progress.update(p),
      });
      progress.finish();
      const title = `${symbol ?? csvPath} replay (${result.metrics.analyzer.name})`;
      const files = await services.reports.write(out, result, title);
      const m = result.metrics;
      const p = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
      const n = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(2));
      io.stdout.write(
        [
          `period ${m.period.from} to ${m.period.to} (${m.period.bars} bars), ${result.decisions.length} decisions, hit rate ${p(m.hitRate)} over ${m.calls} calls`,
          `              total     CAGR      Sharpe  max DD    trades`,
          `strategy      ${p(m.totalReturn).padEnd(9)} ${p(m.cagr).padEnd(9)} ${n(m.sharpe).padEnd(7)} ${p(m.maxDrawdown).padEnd(9)} ${m.trades}`,
          `buy and hold  ${p(m.buyAndHold.totalReturn).padEnd(9)} ${p(m.buyAndHold.cagr).padEnd(9)} ${n(m.buyAndHold.sharpe).padEnd(7)} ${p(m.buyAndHold.maxDrawdown).padEnd(9)} ${m.buyAndHold.trades}`,
          `random        ${p(m.random.totalReturn).padEnd(9)} ${p(m.random.cagr).padEnd(9)} ${n(m.random.sharpe).padEnd(7)} ${p(m.random.maxDrawdown).padEnd(9)} ${m.random.trades}`,
          `spend $${m.analyzer.costUsd.toFixed(4)}, ${m.analyzer.cached} cached, ${m.analyzer.degraded} degraded`,
          ...files.map((x) => `wrote ${x}`),
          '',
        ].join('\n'),
      );
      if (m.analyzer.degraded > 0) {
        io.stderr.write(`chartlens: warning: ${m.analyzer.degraded} decision(s) came from the rules standing in for the ${analyzer} analyzer (degraded)\n`);
      }
      return 0;
    } finally {
      await services.close();
    }
  },
};

import { ANALYZER_IDS } from '../../../core/analysis/analyzer-id.ts';
import type { BacktestMetrics } from '../../../core/evaluation/backtest-result.ts';
import { randomWalkCandles, SYNTHETIC_KINDS } from '../../../core/evaluation/synthetic.ts';
import { parseCandlesCsv, parseCandleTime } from '../../../core/market/candles.ts';
import { parseTimeframe, TIMEFRAME_HELP } from '../../../core/market/timeframe.ts';
import { Flags, oneShotWorkers } from '../args.ts';
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
    'from the bars up to that one only, asks the analyzer, and holds the decision until its stop or',
    'target is touched, or for --horizon bars. Writes decisions.csv, metrics.json, equity.png and',
    'report.html to --out, and prints the metrics, the baselines and whether the edge is significant.',
  ].join('\n'),
  options: {
    csv: { type: 'string', value: 'FILE', required: true, help: 'the OHLCV CSV to replay' },
    window: { type: 'string', value: 'N', default: '150', help: 'bars on each chart (20..10000)' },
    horizon: { type: 'string', value: 'N', default: '5', help: 'bars each decision is held at most (its stop or target can end it sooner)' },
    step: { type: 'string', value: 'N', default: '5', help: 'bars between decisions' },
    from: { type: 'string', value: 'DATE', shows: 'the first full window', help: 'first decision date' },
    to: { type: 'string', value: 'DATE', shows: 'the last bar', help: 'last decision date' },
    analyzer: { type: 'string', value: ANALYZER_IDS.join('|'), default: 'local', help: 'the analyzer' },
    model: { type: 'string', value: 'M', shows: 'CHARTLENS_MODEL', help: 'the model, for --analyzer openai' },
    'cost-bps': { type: 'string', value: 'X', default: '10', help: 'cost per unit of position change, in basis points' },
    seed: { type: 'string', value: 'N', default: '7', help: 'seed of the random baseline, the bootstrap, the permutations and --synthetic' },
    synthetic: { type: 'string', value: SYNTHETIC_KINDS.join('|'), shows: 'off', help: 'the null test: replay a seeded random walk with the CSV\'s volatility, length and start price instead of its bars' },
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
    const timeframe = parseTimeframe(f.string('timeframe') ?? '1d');
    if (!timeframe) throw usageError(`--timeframe: "${f.string('timeframe')}" is not a timeframe: ${TIMEFRAME_HELP}`);
    const syntheticKind = f.choice('synthetic', SYNTHETIC_KINDS);
    const csvCandles = parseCandlesCsv(readText(csvPath));
    const walk = syntheticKind === undefined ? null : randomWalkCandles(csvCandles, seed);
    const candles = walk?.candles ?? csvCandles;
    const times = candles.map((c) => c.time);

    const [{ buildServices }, { loadConfig }, { runBacktest }] = await Promise.all([
      import('../../../composition/root.ts'),
      import('../../../composition/config.ts'),
      import('../../../use-cases/backtest.ts'),
    ]);
    // The replay asks for one analysis at a time: no pool unless CHARTLENS_WORKERS asks for one.
    const services = await buildServices(loadConfig(io.env), { workers: oneShotWorkers(io.env) });
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
        synthetic: walk?.info ?? null,
        onProgress: (p) => progress.update(p),
      });
      progress.finish();
      const m = result.metrics;
      const title = `${symbol ?? csvPath} replay (${m.analyzer.name})${m.synthetic ? `, synthetic ${m.synthetic.kind} seed ${m.synthetic.seed}` : ''}`;
      const files = await services.reports.write(out, result, title);
      io.stdout.write([...summaryLines(m, result.decisions.length), ...files.map((x) => `wrote ${x}`), ''].join('\n'));
      if (m.analyzer.degraded > 0) {
        io.stderr.write(`chartlens: warning: ${m.analyzer.degraded} decision(s) came from the rules standing in for the ${analyzer} analyzer (degraded)\n`);
      }
      return 0;
    } finally {
      await services.close();
    }
  },
};

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(2)}%`);
const fix = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? 'n/a' : v.toFixed(d));

/** The printed summary: period and hit rate, the returns table, the calibration, the verdict and the spend. */
export function summaryLines(m: BacktestMetrics, decisions: number): string[] {
  const line = (label: string, s: { totalReturn: number; cagr: number | null; sharpe: number | null; maxDrawdown: number; trades: number }) =>
    `${label.padEnd(14)}${pct(s.totalReturn).padEnd(10)}${pct(s.cagr).padEnd(10)}${fix(s.sharpe).padEnd(8)}${pct(s.maxDrawdown).padEnd(10)}${s.trades}`;
  const w = m.wilson95;
  const sig = m.significance;
  return [
    ...(m.synthetic
      ? [`synthetic data: ${m.synthetic.kind} (seed ${m.synthetic.seed}, sigma ${pct(m.synthetic.sigma)} a bar, from ${fix(m.synthetic.startPrice)}), not the CSV's prices`]
      : []),
    `period ${m.period.from} to ${m.period.to} (${m.period.bars} bars), ${decisions} decisions, hit rate ${pct(m.hitRate)} over ${m.calls} calls` +
      (w ? ` (wilson95 ${pct(w.low)} to ${pct(w.high)}; the random baseline's ${pct(m.random.hitRate)})` : ''),
    `              total     CAGR      Sharpe  max DD    trades`,
    line('strategy', m),
    line('buy and hold', m.buyAndHold),
    line('random', m.random),
    line(`trend SMA${m.trend.sma}`, m.trend),
    line('horizon only', m.horizonOnly),
    `exits: ${m.exits.stop} stop, ${m.exits.target} target, ${m.exits.horizon} horizon, ${m.exits.open} open; ` +
      `bias: long ${pct(m.bias.long)}, short ${pct(m.bias.short)}, hold ${pct(m.bias.hold)}, mean exposure ${fix(m.bias.meanExposure, 3)}`,
    `sharpe ${fix(m.sharpe)}, 95% ${m.sharpe95 ? `${fix(m.sharpe95.low)} to ${fix(m.sharpe95.high)}` : 'n/a'} (stationary bootstrap, mean block ${sig.bootstrap.meanBlock} bars, ${sig.bootstrap.resamples} resamples); ` +
      `permutation p ${fix(sig.permutation.p, 3)} (${sig.permutation.permutations} shuffles of the calls)`,
    `calibration: brier ${fix(m.brier, 4)} vs base rate ${fix(m.brierBaseline, 4)}, ece ${fix(m.ece, 4)}`,
    `verdict: ${sig.verdict}`,
    `spend $${m.analyzer.costUsd.toFixed(4)}, ${m.analyzer.cached} cached, ${m.analyzer.degraded} degraded`,
  ];
}

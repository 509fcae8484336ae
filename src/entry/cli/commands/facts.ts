import { Flags } from '../args.ts';
import { asUsageError, chartFlags, LABEL_FLAGS, LAST_OPTION } from '../chart-flags.ts';
import type { Command } from '../command.ts';
import { readText } from '../files.ts';

/** `chartlens facts`: the answer of POST /v1/indicators for a CSV file. */
export const command: Command = {
  name: 'facts',
  usage: 'chartlens facts --csv FILE [options]',
  description: [
    'Prints the market facts at the last bar of an OHLCV CSV as JSON, exactly as POST /v1/indicators',
    'answers: the indicators, the candlestick and chart patterns, support and resistance, the trend.',
    'Indicators are computed from the whole series, whatever --last says.',
  ].join('\n'),
  options: {
    csv: { type: 'string', value: 'FILE', required: true, help: 'the OHLCV CSV' },
    symbol: { type: 'string', value: 'S', help: 'symbol echoed in the answer' },
    timeframe: { type: 'string', value: 'T', help: 'timeframe echoed in the answer' },
    last: {
      ...LAST_OPTION,
      // The facts use case's default window (DEFAULT_WINDOW_BARS in core/market/facts.ts, which loads
      // TA-Lib, so it is not imported here); tests/e2e/cli-help.test.ts checks the two agree.
      shows: '150 bars',
      help: 'list the candlestick hits of the last N bars (2..10000), the window a chart with --last N shows; indicators, levels and trend always use the whole series, as POST /v1/indicators with last',
    },
  },
  async run(args, io) {
    const f = new Flags(command, args);
    const csvPath = f.required('csv');
    // The whole series always goes in: --last only sets the window the facts list hits over (the
    // CLI used to cut the CSV to N rows, which made sma200 null on --last 150).
    const { last } = chartFlags(f);
    const csv = readText(csvPath);
    const { computeFacts } = await import('../../../use-cases/compute-facts.ts');
    let result;
    try {
      result = computeFacts({ csv, symbol: f.string('symbol'), timeframe: f.string('timeframe'), ...(last !== undefined ? { last } : {}) });
    } catch (err) {
      throw asUsageError(err, LABEL_FLAGS);
    }
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  },
};

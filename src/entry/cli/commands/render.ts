import { Flags } from '../args.ts';
import { asUsageError, CHART_OPTIONS, chartFlags, LABEL_FLAGS } from '../chart-flags.ts';
import type { Command } from '../command.ts';
import { readText, requireOutputFolder, writeBytes } from '../files.ts';

/** `chartlens render`: the same chart POST /v1/render draws, written to a PNG file. */
export const command: Command = {
  name: 'render',
  usage: 'chartlens render --csv FILE --out FILE [options]',
  description: 'Draws the chart of an OHLCV CSV (date,open,high,low,close[,volume]) exactly as POST /v1/render does.',
  options: {
    csv: { type: 'string', value: 'FILE', required: true, help: 'the OHLCV CSV to draw' },
    out: { type: 'string', value: 'FILE', required: true, help: 'where the PNG is written' },
    symbol: { type: 'string', value: 'S', help: 'symbol shown in the title' },
    timeframe: { type: 'string', value: 'T', help: 'timeframe shown in the title, e.g. 1d' },
    ...CHART_OPTIONS,
  },
  notes: 'example: chartlens render --csv samples/sp500.csv --last 150 --symbol SPX --timeframe 1d --out chart.png',
  async run(args, io) {
    const f = new Flags(command, args);
    const csvPath = f.required('csv');
    const out = f.required('out');
    const chart = chartFlags(f);
    const csv = readText(csvPath);
    requireOutputFolder(out);
    const [{ createSelectingRenderer }, { renderChart }] = await Promise.all([import('../../../composition/chart-renderer.ts'), import('../../../use-cases/render-chart.ts')]);
    // Chart.js unless --renderer browser; the fallback's reason goes to the log, its warning to stderr below.
    const renderer = createSelectingRenderer({ env: io.env, log: () => {} });
    try {
      let png;
      try {
        png = await renderChart(renderer, { csv, symbol: f.string('symbol'), timeframe: f.string('timeframe'), chart });
      } catch (err) {
        throw asUsageError(err, LABEL_FLAGS);
      }
      writeBytes(out, png.png);
      for (const w of png.warnings) io.stderr.write(`chartlens: warning: ${w}\n`);
      io.stderr.write(`wrote ${out} (${png.width}x${png.height}, ${png.png.length} bytes)\n`);
      return 0;
    } finally {
      await renderer.close();
    }
  },
};

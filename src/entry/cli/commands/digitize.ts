import { usageError } from '../failure.ts';
import type { Command } from '../command.ts';
import { readBytes } from '../files.ts';

/** `chartlens digitize IMAGE`: the answer of POST /v1/digitize for an image file. */
export const command: Command = {
  name: 'digitize',
  usage: 'chartlens digitize IMAGE',
  description: [
    'Reads a candlestick (or OHLC bar) chart image back to candles, exactly as POST /v1/digitize',
    'answers, and prints the JSON: the candles with a confidence each and one overall, the price',
    'scale fitted to the axis labels (read offline with tesseract), the time labels where legible,',
    'the plot area, the style (theme, up and down colours, hollow or not) and any warnings.',
  ].join('\n'),
  positionals: { name: 'IMAGE', help: 'a PNG, JPEG or WebP chart' },
  options: {},
  async run(args, io) {
    if (args.positionals.length !== 1) throw usageError('digitize takes exactly one image: chartlens digitize IMAGE');
    const bytes = readBytes(args.positionals[0]);
    const [{ closeDigitizer, createDigitizer }, { loadConfig }, { digitizeChart }] = await Promise.all([
      import('../../../composition/digitize.ts'),
      import('../../../composition/config.ts'),
      import('../../../use-cases/digitize-chart.ts'),
    ]);
    const digitizer = createDigitizer(loadConfig(io.env));
    try {
      const { digitization, timing } = await digitizeChart(digitizer, bytes);
      io.stdout.write(`${JSON.stringify({ ...digitization, timing }, null, 2)}\n`);
      for (const w of digitization.warnings) io.stderr.write(`warning: ${w}\n`);
      return digitization.candles.length > 0 ? 0 : 1;
    } finally {
      await closeDigitizer(digitizer);
    }
  },
};

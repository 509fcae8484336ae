import { ANALYZER_IDS } from '../../../core/analysis/analyzer-id.ts';
import { AppError } from '../../../core/errors.ts';
import { DEFAULT_ANALYSIS_BARS, DEFAULT_FETCH_BARS, parseAnalyzeRequest, withMarketBars } from '../../../use-cases/analyze-request.ts';
import { Flags, oneShotWorkers } from '../args.ts';
import { asUsageError, chartFlags, LABEL_FLAGS, LAST_OPTION } from '../chart-flags.ts';
import type { Command } from '../command.ts';
import { usageError } from '../failure.ts';
import { readBytes, readText } from '../files.ts';

/** `chartlens analyze`: POST /v1/analyze in this process, stored like the server's analyses. */
export const command: Command = {
  name: 'analyze',
  usage: 'chartlens analyze (--csv FILE | --image FILE | both | --symbol S [--source SRC]) [options]',
  description: [
    'Analyzes a chart the way POST /v1/analyze does and prints the analysis as JSON. With --csv the',
    'chart is drawn from the data; with --image the picture is read as is (and --csv, if given too,',
    'supplies the facts); with only --symbol the bars are fetched from a market-data source. The',
    'analysis is stored in CHARTLENS_DATA_DIR or DATABASE_URL, like the server.',
  ].join('\n'),
  options: {
    csv: { type: 'string', value: 'FILE', shows: 'none', help: 'the OHLCV CSV (give it, --image, or both)' },
    image: { type: 'string', value: 'FILE', shows: 'none', help: 'a chart image (PNG, JPEG or WebP)' },
    news: { type: 'string', value: 'FILE', shows: 'none', help: 'a JSON array of news items {headline, summary?, source?, publishedAt?, url?}' },
    last: { ...LAST_OPTION, shows: `${DEFAULT_ANALYSIS_BARS} bars` },
    analyzer: { type: 'string', value: ANALYZER_IDS.join('|'), shows: 'CHARTLENS_ANALYZER, else local', help: 'who reads the chart: the local rules or an OpenAI-compatible model' },
    model: { type: 'string', value: 'M', shows: 'CHARTLENS_MODEL', help: 'the model, for --analyzer openai' },
    symbol: { type: 'string', value: 'S', help: 'the symbol, told to the analyzer; alone, the symbol whose bars are fetched' },
    timeframe: { type: 'string', value: 'T', shows: '1d when fetching', help: 'the timeframe: 1m 5m 15m 1h 4h 1d 1w 1M' },
    source: { type: 'string', value: 'SRC', shows: 'CHARTLENS_MARKET_SOURCE, else csv', help: 'where --symbol is fetched: csv, yahoo, or a ccxt exchange (binance, kraken, coinbase)' },
    bars: { type: 'string', value: 'N', shows: `${DEFAULT_FETCH_BARS}`, help: 'how many bars to fetch for --symbol' },
  },
  notes: [
    'When the model is not configured or fails, the rules answer instead: the analysis says so in',
    'provider.degraded and a warning goes to stderr (the exit code stays 0).',
    'examples: chartlens analyze --symbol AAPL --source yahoo --timeframe 1d',
    '          chartlens analyze --symbol BTC/USDT --source binance --timeframe 4h --bars 500',
    '          chartlens analyze --symbol sp500   (the CSV folder CHARTLENS_MARKET_DIR, offline)',
  ].join('\n'),
  async run(args, io) {
    const f = new Flags(command, args);
    const csvPath = f.string('csv');
    const imagePath = f.string('image');
    const fetching = !csvPath && !imagePath;
    if (fetching && f.string('symbol') === undefined) throw usageError('analyze needs --csv FILE, --image FILE, both, or --symbol S to fetch its bars');
    if (!fetching && (f.string('source') !== undefined || f.string('bars') !== undefined)) throw usageError('--source and --bars fetch bars for --symbol; drop them with --csv or --image');
    const bars = f.int('bars', { min: 2, max: 10_000 });
    const analyzer = f.choice('analyzer', ANALYZER_IDS);
    const chart = chartFlags(f);
    const newsPath = f.string('news');
    const ohlcv = csvPath ? readText(csvPath) : undefined;
    const image = imagePath ? readBytes(imagePath) : undefined;
    const news = newsPath ? readNews(newsPath) : undefined;
    const body: Record<string, unknown> = {
      ...(f.string('symbol') !== undefined ? { symbol: f.string('symbol') } : {}),
      ...(f.string('timeframe') !== undefined ? { timeframe: f.string('timeframe') } : {}),
      ...(analyzer ? { analyzer } : {}),
      ...(f.string('model') !== undefined ? { model: f.string('model') } : {}),
      ...(news !== undefined ? { news } : {}),
      ...(f.string('source') !== undefined ? { source: f.string('source') } : {}),
      ...(bars !== undefined ? { bars } : {}),
      // The whole series goes in; chart.last only narrows what is drawn (the API's meaning).
      ...(chart.last !== undefined ? { chart: { last: chart.last } } : {}),
    };
    const [{ buildServices }, { loadConfig }, { analyzeChart }] = await Promise.all([
      import('../../../composition/root.ts'),
      import('../../../composition/config.ts'),
      import('../../../use-cases/analyze-chart.ts'),
    ]);
    let pending;
    try {
      pending = parseAnalyzeRequest(body, { image, ohlcv });
    } catch (err) {
      throw asUsageError(err, { ...LABEL_FLAGS, model: '--model', source: '--source', bars: '--bars' });
    }
    // One analysis: a thread pool would cost more than it saves, unless CHARTLENS_WORKERS asks for one.
    const services = await buildServices(loadConfig(io.env), { workers: oneShotWorkers(io.env) });
    try {
      const analysis = await analyzeChart(services.analyze, await withMarketBars(pending, services.market));
      io.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
      const degraded = analysis.provider.degraded;
      if (degraded) io.stderr.write(`chartlens: warning: degraded (${degraded.code}): ${degraded.message}\n`);
      return 0;
    } finally {
      await services.close();
    }
  },
};

function readNews(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError('invalid_news', `${path} is not valid JSON: ${(err as Error).message}`);
  }
}

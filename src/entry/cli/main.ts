import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createChartRenderer } from '../../composition/chart-renderer.ts';
import { buildServices } from '../../composition/root.ts';
import { startServer } from '../../composition/server.ts';
import { runBacktestCommand } from './backtest.ts';
import { runSlackBot } from './slack.ts';
import { runScore } from './score.ts';
import { UsageError } from './usage-error.ts';
import { loadConfig } from '../../composition/config.ts';
import { AppError } from '../../core/errors.ts';
import { analyzeChart } from '../../use-cases/analyze-chart.ts';
import { toAnalyzeCommand } from '../../use-cases/analyze-request.ts';
import { computeFacts } from '../../use-cases/compute-facts.ts';
import { renderChart } from '../../use-cases/render-chart.ts';

const USAGE = `chartlens <command> [options]

Commands:
  serve                               start the HTTP API (PORT, HOST, CHARTLENS_DATA_DIR)
  render --csv FILE [--last N] --out chart.png [--symbol S] [--timeframe T]
         [--theme light|dark] [--style candle|ohlc] [--width W] [--height H]
         [--overlays sma20,sma50,...] [--panes rsi,macd] [--marks]
                                      draw a chart from OHLCV CSV
  facts --csv FILE [--last N]         print the market facts (indicators, patterns, levels, trend) as JSON
  analyze (--csv FILE [--last N] | --image FILE | both) [--news FILE] [--analyzer local|openai]
          [--model M] [--symbol S] [--timeframe T]
                                      analyze a chart and print the analysis as JSON
                                      (stored in CHARTLENS_DATA_DIR or DATABASE_URL, like the server)
  score DIR [--out FILE] [--format jsonl|csv] [--recursive] [--concurrency N] [--rate RPM]
        [--budget-usd X] [--analyzer local|openai] [--model M] [--endpoint URL [--api-key K]]
        [--resume | --overwrite] [--workers N]
                                      score every chart/OHLCV input of a folder (see README)
  backtest --csv FILE [--window 150] [--horizon 5] [--step 5] [--from DATE] [--to DATE]
           [--analyzer local|openai] [--model M] [--cost-bps 10] [--seed 7] [--out DIR]
           [--symbol S] [--timeframe 1d]
                                      walk-forward replay: decisions.csv, metrics.json,
                                      equity.png and report.html in DIR (default ./backtest)
  slack                               start the Slack bot (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET or
                                      SLACK_APP_TOKEN, CHARTLENS_URL...; see README)
  help                                show this text

Exit codes: 0 success, 1 bad input or failure, 2 (score) some inputs failed, 64 usage error.`;

const list = (v: string | undefined): string[] | undefined => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer`);
  return n;
};



/** Read a CSV file and keep its last N data rows (the header stays). */
function readCsv(path: string | undefined, last: number | undefined): string {
  if (!path) throw new UsageError('--csv FILE is required');
  const text = readFileSync(path, 'utf8');
  if (last === undefined) return text;
  if (last < 2) throw new UsageError('--last must be at least 2');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return [lines[0], ...lines.slice(1).slice(-last)].join('\n');
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: ${(err as Error).message}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      csv: { type: 'string' },
      last: { type: 'string' },
      out: { type: 'string' },
      symbol: { type: 'string' },
      timeframe: { type: 'string' },
      theme: { type: 'string' },
      style: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      overlays: { type: 'string' },
      panes: { type: 'string' },
      marks: { type: 'boolean' },
      image: { type: 'string' },
      news: { type: 'string' },
      analyzer: { type: 'string' },
      model: { type: 'string' },
      format: { type: 'string' },
      recursive: { type: 'boolean' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'budget-usd': { type: 'string' },
      endpoint: { type: 'string' },
      'api-key': { type: 'string' },
      resume: { type: 'boolean' },
      overwrite: { type: 'boolean' },
      workers: { type: 'string' },
      window: { type: 'string' },
      horizon: { type: 'string' },
      step: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'cost-bps': { type: 'string' },
      seed: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (command !== 'score' && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  switch (command) {
    case 'serve':
      await startServer(loadConfig());
      return -1;
    case 'render': {
      if (!values.out) throw new UsageError('--out FILE is required');
      const renderer = createChartRenderer();
      const chart = await renderChart(renderer, {
        csv: readCsv(values.csv, int(values.last, 'last')),
        symbol: values.symbol,
        timeframe: values.timeframe,
        chart: {
          ...(values.theme ? { theme: values.theme } : {}),
          ...(values.style ? { style: values.style } : {}),
          ...(values.width ? { width: int(values.width, 'width') } : {}),
          ...(values.height ? { height: int(values.height, 'height') } : {}),
          ...(values.overlays !== undefined ? { overlays: list(values.overlays) ?? [] } : {}),
          ...(values.panes !== undefined ? { panes: list(values.panes) ?? [] } : {}),
          ...(values.marks ? { markPatterns: true, markLevels: true } : {}),
        },
      });
      writeFileSync(values.out, chart.png);
      console.error(`wrote ${values.out} (${chart.width}x${chart.height}, ${chart.png.length} bytes)`);
      return 0;
    }
    case 'facts': {
      const result = computeFacts({ csv: readCsv(values.csv, int(values.last, 'last')), symbol: values.symbol });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    case 'score':
      return runScore(positionals, values);
    case 'backtest':
      return runBacktestCommand(values);
    case 'slack':
      await runSlackBot();
      return -1;
    case 'analyze': {
      if (!values.csv && !values.image) throw new UsageError('analyze needs --csv FILE, --image FILE, or both');
      const body: Record<string, unknown> = {
        ...(values.symbol ? { symbol: values.symbol } : {}),
        ...(values.timeframe ? { timeframe: values.timeframe } : {}),
        ...(values.analyzer ? { analyzer: values.analyzer } : {}),
        ...(values.model ? { model: values.model } : {}),
        ...(values.news ? { news: readJson(values.news) } : {}),
      };
      const services = await buildServices(loadConfig());
      try {
        const cmd = toAnalyzeCommand(body, {
          image: values.image ? readFileSync(values.image) : undefined,
          ohlcv: values.csv ? readCsv(values.csv, int(values.last, 'last')) : undefined,
        });
        const analysis = await analyzeChart(services.analyze, cmd);
        process.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
      } finally {
        await services.close();
      }
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')) {
      console.error(`chartlens: ${(err as Error).message}\n\n${USAGE}`);
      process.exitCode = 64;
    } else if (err instanceof AppError) {
      console.error(`chartlens: ${err.code}: ${err.message}`);
      for (const d of err.details.slice(0, 10)) console.error(`  ${JSON.stringify(d)}`);
      process.exitCode = 1;
    } else {
      console.error(`chartlens: ${(err as Error)?.message ?? String(err)}`);
      process.exitCode = 1;
    }
  },
);

import { analyzeNewsSchema, analyzeRequestSchema } from '../contracts/analyze-request.ts';
import { AppError } from '../core/errors.ts';
import { parseCandlesCsv } from '../core/market/candles.ts';
import { chartOptionsSchema } from '../core/scene/chart-options.ts';
import type { MarketSources } from '../ports/market-data.ts';
import type { AnalyzeCommand } from './analyze-chart.ts';
import { readCandles } from './candle-input.ts';
import { type BarsQuery, fetchMarketBars } from './fetch-market-bars.ts';
import { parseRequest } from './parse-request.ts';

/** Bars drawn on an analysis chart unless the caller says otherwise: enough to read, few enough to see. */
export const DEFAULT_ANALYSIS_BARS = 150;

/** Bars fetched for a symbol request: the 200-bar average needs 200, and the chart shows the last 150. */
export const DEFAULT_FETCH_BARS = 300;

/** The schema lives in the HTTP contract; re-exported for callers that import it from here. */
export { analyzeRequestSchema };

/** Validate news separately so its errors carry their own code and name the item. */
export function readNews(value: unknown): AnalyzeCommand['news'] {
  const parsed = analyzeNewsSchema.safeParse(value);
  if (parsed.success) return parsed.data ?? [];
  const details = parsed.error.issues.map((i) => ({
    field: ['news', ...i.path].join('.'),
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${(i as { keys: string[] }).keys.join(', ')}` : i.message,
  }));
  throw new AppError('invalid_news', 'The news is invalid: at most 20 items of {headline (<=300 chars), summary? (<=2000), source?, publishedAt?, url?}', details);
}

/** The market query of a request that names a symbol but sends no bars or image; null otherwise. */
function marketQueryOf(req: ReturnType<typeof parseRequest<typeof analyzeRequestSchema>>, hasBars: boolean, hasImage: boolean): BarsQuery | null {
  const fetchFields = (['source', 'bars'] as const).filter((f) => req[f] !== undefined);
  if (hasBars || hasImage) {
    if (fetchFields.length) {
      throw new AppError('invalid_request', `"${fetchFields.join('" and "')}" fetch bars for a symbol; this request already sends ${hasBars ? 'OHLCV' : 'an image'}`, fetchFields.map((f) => ({ field: f, message: 'only without candles, csv or image' })));
    }
    return null;
  }
  if (!req.symbol) return null;
  return { source: req.source ?? null, symbol: req.symbol, timeframe: req.timeframe ?? '1d', bars: req.bars ?? DEFAULT_FETCH_BARS };
}

/** A parsed request whose bars, when it named only a symbol, are still to be fetched. */
export interface PendingAnalyzeCommand {
  command: AnalyzeCommand;
  market: BarsQuery | null;
}

/** A JSON analyze request, or the fields of a multipart one plus its uploaded files. */
export function parseAnalyzeRequest(body: unknown, files: { image?: Buffer; ohlcv?: string } = {}): PendingAnalyzeCommand {
  const req = parseRequest(analyzeRequestSchema, body);
  let candles = null;
  if (files.ohlcv !== undefined) {
    if (req.candles !== undefined || req.csv !== undefined) {
      throw new AppError('invalid_request', 'Send OHLCV once: as the ohlcv file, or as candles/csv', [{ field: 'ohlcv', message: 'given twice' }]);
    }
    candles = parseCandlesCsv(files.ohlcv);
  } else if (req.candles !== undefined || req.csv !== undefined) {
    candles = readCandles(req);
  }
  const market = marketQueryOf(req, candles !== null, files.image !== undefined);
  if (!candles && !files.image && !market) {
    throw new AppError('invalid_request', 'Send OHLCV data (candles or csv), a chart image (multipart field "image"), both, or a symbol to fetch bars for', [
      { field: 'candles', message: 'missing' },
    ]);
  }
  const { candles: _c, csv: _s, bars: _b, source: _src, ...rest } = req;
  const command: AnalyzeCommand = {
    symbol: req.symbol ?? null,
    timeframe: req.timeframe ?? (market ? market.timeframe : null),
    candles,
    image: files.image ?? null,
    news: readNews(req.news),
    analyzer: req.analyzer ?? null,
    model: req.model ?? null,
    chart: chartOptionsSchema.parse({ last: DEFAULT_ANALYSIS_BARS, ...(req.chart ?? {}) }),
    // The audit copy keeps the validated candles (not the caller's raw text) and only the image's size.
    request: { ...rest, candles, imageBytes: files.image?.length ?? null },
  };
  return { command, market };
}

/** The command with its bars fetched when the request named a symbol only (`market` absent: refused). */
export async function withMarketBars(pending: PendingAnalyzeCommand, market: MarketSources | undefined): Promise<AnalyzeCommand> {
  if (!pending.market) return pending.command;
  if (!market) throw new AppError('invalid_request', 'This server fetches no market data: send candles, csv or an image', [{ field: 'candles', message: 'missing' }]);
  const { source, candles } = await fetchMarketBars(market, pending.market);
  const request = { ...(pending.command.request as Record<string, unknown>), source: source.name, bars: pending.market.bars, candles };
  return { ...pending.command, candles, request };
}

/** A request that sends its own bars or image (no fetch), as one command. */
export function toAnalyzeCommand(body: unknown, files: { image?: Buffer; ohlcv?: string } = {}): AnalyzeCommand {
  const pending = parseAnalyzeRequest(body, files);
  if (pending.market) throw new AppError('invalid_request', 'Send OHLCV data (candles or csv) or a chart image', [{ field: 'candles', message: 'missing' }]);
  return pending.command;
}

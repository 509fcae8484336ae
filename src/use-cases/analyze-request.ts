import { analyzeNewsSchema, analyzeRequestSchema } from '../contracts/analyze-request.ts';
import { AppError } from '../core/errors.ts';
import { parseCandlesCsv } from '../core/market/candles.ts';
import { chartOptionsSchema } from '../core/scene/chart-options.ts';
import type { AnalyzeCommand } from './analyze-chart.ts';
import { readCandles } from './candle-input.ts';
import { parseRequest } from './parse-request.ts';

/** Bars drawn on an analysis chart unless the caller says otherwise: enough to read, few enough to see. */
export const DEFAULT_ANALYSIS_BARS = 150;

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

/** A JSON analyze request, or the fields of a multipart one plus its uploaded files. */
export function toAnalyzeCommand(body: unknown, files: { image?: Buffer; ohlcv?: string } = {}): AnalyzeCommand {
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
  if (!candles && !files.image) {
    throw new AppError('invalid_request', 'Send OHLCV data (candles or csv), a chart image (multipart field "image"), or both', [
      { field: 'candles', message: 'missing' },
    ]);
  }
  const { candles: _c, csv: _s, ...rest } = req;
  return {
    symbol: req.symbol ?? null,
    timeframe: req.timeframe ?? null,
    candles,
    image: files.image ?? null,
    news: readNews(req.news),
    analyzer: req.analyzer ?? null,
    model: req.model ?? null,
    chart: chartOptionsSchema.parse({ last: DEFAULT_ANALYSIS_BARS, ...(req.chart ?? {}) }),
    // The audit copy keeps the validated candles (not the caller's raw text) and only the image's size.
    request: { ...rest, candles, imageBytes: files.image?.length ?? null },
  };
}

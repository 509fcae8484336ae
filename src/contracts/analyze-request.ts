import { z } from 'zod';
import { ANALYZER_IDS } from '../core/analysis/analyzer-id.ts';
import { newsSchema } from '../core/analysis/news.ts';
import { chartOptionsSchema } from '../core/scene/chart-options.ts';
import { candleInputFields } from './candle-input.ts';

/** The analyzers a caller may ask for by id. */
export const analyzerIdSchema = z.enum(ANALYZER_IDS);

/**
 * JSON body of POST /v1/analyze (and the text fields of its multipart form). Unknown fields are
 * rejected. `news` is only `unknown` at this step: it is checked next with `analyzeNewsSchema`
 * so its errors carry their own code (`invalid_news`) and name the item.
 */
export const analyzeRequestSchema = z
  .object({
    ...candleInputFields,
    /** With a symbol and no candles, csv or image: fetch this many bars from `source` (default 300). */
    bars: z.number().int().min(2).max(10_000).optional(),
    /** The market-data source to fetch from (`csv`, `yahoo`, an exchange id); default: the server's. */
    source: z.string().trim().min(1).max(32).optional(),
    news: z.unknown().optional(),
    chart: chartOptionsSchema.optional(),
    analyzer: analyzerIdSchema.optional(),
    model: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

/** The `news` field of an analyze request; null or absent means no news. */
export const analyzeNewsSchema = newsSchema.nullable().optional();

/** What a client may send to POST /v1/analyze as JSON, news included. */
export type AnalyzeRequestBody = Omit<z.input<typeof analyzeRequestSchema>, 'news'> & { news?: z.input<typeof analyzeNewsSchema> };
/** The request after the first validation step (defaults applied, news still unchecked). */
export type AnalyzeRequest = z.output<typeof analyzeRequestSchema>;

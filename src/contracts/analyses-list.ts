import { z } from 'zod';
import { ANALYZER_IDS } from '../core/analysis/analyzer-id.ts';

/** The query of GET /v1/analyses: a page size and the cursor the previous page gave. */
export const analysesQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** Opaque: the `nextCursor` of the previous page. */
    cursor: z.string().regex(/^[0-9]{1,19}$/, 'not a cursor this API gave').optional(),
  })
  .strict();

/** One stored analysis in the history: what a list shows; GET /v1/analyses/{id} has the rest. */
export const analysisSummarySchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    symbol: z.string().nullable(),
    timeframe: z.string().nullable(),
    source: z.enum(['ohlcv', 'image', 'image+ohlcv']),
    action: z.enum(['buy', 'sell', 'hold']),
    exposure: z.number(),
    confidence: z.number(),
    verification: z.enum(['verified', 'partial', 'unverified']),
    analyzer: z.enum(ANALYZER_IDS).or(z.string()),
    degraded: z.boolean(),
  })
  .strict();

/** A page of the history, newest first; `nextCursor` is null on the last page. */
export const analysesPageSchema = z.object({ items: z.array(analysisSummarySchema), nextCursor: z.string().nullable() }).strict();

export type AnalysesQuery = z.output<typeof analysesQuerySchema>;
export type AnalysisSummary = z.infer<typeof analysisSummarySchema>;
export type AnalysesPage = z.infer<typeof analysesPageSchema>;

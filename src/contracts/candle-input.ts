import { z } from 'zod';
import { timeframeSchema } from './timeframe.ts';

/**
 * Fields every candle-taking request shares: the data (as rows or CSV text) and its labels.
 * `candles` stays `unknown` here on purpose: the core's candle parser checks the rows and reports
 * each problem with its row and field under `invalid_candles`, which a zod issue list cannot match.
 */
export const candleInputFields = {
  symbol: z.string().trim().min(1).max(32).optional(),
  timeframe: timeframeSchema.optional(),
  candles: z.unknown().optional(),
  csv: z.string().optional(),
};

/**
 * One JSON candle row as a client should send it, for clients and docs; the server does not parse
 * with it (see `candleInputFields`). `time` is ISO 8601 text or epoch seconds/milliseconds; extra
 * fields in a row are ignored, so the row is loose.
 */
export const candleRowSchema = z.looseObject({
  time: z.union([z.string().min(1), z.number()]),
  open: z.number().positive(),
  high: z.number().positive(),
  low: z.number().positive(),
  close: z.number().positive(),
  /** Give it on every row or on none. */
  volume: z.number().min(0).nullable().optional(),
});

export type CandleRow = z.input<typeof candleRowSchema>;

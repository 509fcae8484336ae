import { z } from 'zod';
import { timeframeSchema } from './timeframe.ts';

/** The query of GET /v1/market/{source}/{symbol}. */
export const marketQuerySchema = z
  .object({
    timeframe: timeframeSchema.default('1d'),
    bars: z.coerce.number().int().min(2).max(10_000).default(300),
  })
  .strict();

/** The bars a market-data source answered, oldest first. */
export const marketResponseSchema = z
  .object({
    source: z.string(),
    symbol: z.string(),
    timeframe: z.string(),
    candles: z.array(
      z.object({ time: z.string(), open: z.number(), high: z.number(), low: z.number(), close: z.number(), volume: z.number().optional() }).strict(),
    ),
  })
  .strict();

export type MarketQuery = z.output<typeof marketQuerySchema>;
export type MarketResponse = z.infer<typeof marketResponseSchema>;

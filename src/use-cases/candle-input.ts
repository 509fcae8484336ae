import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { type Candle, parseCandlesCsv, parseCandlesJson } from '../core/market/candles.ts';

/** Fields every candle-taking request shares: the data (as rows or CSV text) and its labels. */
export const candleInputFields = {
  symbol: z.string().trim().min(1).max(32).optional(),
  timeframe: z.string().trim().min(1).max(16).optional(),
  candles: z.unknown().optional(),
  csv: z.string().optional(),
};

/** Turn `{candles}` or `{csv}` (exactly one) into validated candles. */
export function readCandles(input: { candles?: unknown; csv?: string }): Candle[] {
  const hasRows = input.candles !== undefined;
  const hasCsv = input.csv !== undefined;
  if (hasRows === hasCsv) {
    throw new AppError('invalid_request', 'Send exactly one of "candles" (JSON rows) or "csv" (CSV text)', [
      { field: hasRows ? 'csv' : 'candles', message: hasRows ? 'both were given' : 'neither was given' },
    ]);
  }
  return hasRows ? parseCandlesJson(input.candles) : parseCandlesCsv(input.csv as string);
}

import { candleInputFields } from '../contracts/candle-input.ts';
import { AppError } from '../core/errors.ts';
import { type Candle, parseCandlesCsv, parseCandlesJson } from '../core/market/candles.ts';

/** The shared request fields live in the HTTP contract; re-exported for callers that import them from here. */
export { candleInputFields };

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

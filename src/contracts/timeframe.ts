import { z } from 'zod';
import { parseTimeframe, TIMEFRAME_HELP, TIMEFRAMES } from '../core/market/timeframe.ts';

/**
 * A timeframe as a client may spell it (`1d`, `daily`, `1mo`, `60m`...), answered as the canonical
 * one of `TIMEFRAMES`. Documented as the canonical list: the aliases are a courtesy, not the contract.
 */
export const timeframeSchema = z
  .string()
  .trim()
  .max(16)
  .transform((text, ctx) => {
    const tf = parseTimeframe(text);
    if (tf) return tf;
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a timeframe: ${TIMEFRAME_HELP}` });
    return z.NEVER;
  })
  .meta({ description: `The bar length: ${TIMEFRAME_HELP}.`, examples: ['1d', '1h'], enum: [...TIMEFRAMES] });

import { z } from 'zod';
import { type AppError, ERROR_CODES, type ErrorCode } from '../core/errors.ts';

/** Every stable error code; taken from the core's catalogue so a new code is in the contract at once. */
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** One problem inside the input; `row`/`line` point into candles or CSV, `field` names the part. */
export const errorDetailSchema = z
  .object({
    /** 0-based index into the candle array. */
    row: z.number().int().min(0).optional(),
    /** 1-based line in the CSV text (the header is line 1). */
    line: z.number().int().min(1).optional(),
    field: z.string().optional(),
    message: z.string(),
  })
  .strict();

/** The body of every 4xx/5xx answer: `{error: {code, message, details[]}}`. */
export const errorBodySchema = z
  .object({
    error: z.object({ code: errorCodeSchema, message: z.string().min(1), details: z.array(errorDetailSchema) }).strict(),
  })
  .strict();

export type ErrorDetailBody = z.infer<typeof errorDetailSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;

// What AppError serializes and what the contract describes must stay the same shape.
type AppErrorJson = ReturnType<AppError['toJSON']>;
const _errorToBody = (e: AppErrorJson): ErrorBody => e;
const _bodyToError = (b: ErrorBody): AppErrorJson => b;

import { z } from 'zod';
import type { Digitization } from '../core/digitize/recover.ts';

const rect = z.object({ left: z.number(), top: z.number(), right: z.number(), bottom: z.number() }).strict();
const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);
const unit = z.number().min(0).max(1);

/** One bar read back from the image: `time` only where the time axis was legible. */
export const recoveredCandleSchema = z
  .object({
    index: z.number().int().min(0),
    x: z.number(),
    time: z.string().nullable(),
    open: z.number(),
    high: z.number(),
    low: z.number(),
    close: z.number(),
    confidence: unit,
  })
  .strict();

/** The answer of POST /v1/digitize. */
export const digitizationSchema = z
  .object({
    candles: z.array(recoveredCandleSchema),
    confidence: unit,
    axis: z
      .object({
        price: z
          .object({
            scale: z.enum(['linear', 'log']),
            a: z.number(),
            b: z.number(),
            maxErrorOfRange: z.number().min(0),
            tickStep: z.number().nullable(),
            labels: z.array(z.object({ text: z.string(), value: z.number(), y: z.number(), fitted: z.number() }).strict()),
            rejected: z.array(z.object({ text: z.string(), y: z.number(), reason: z.string() }).strict()),
          })
          .strict()
          .nullable(),
        time: z
          .object({
            labels: z.array(z.object({ text: z.string(), x: z.number(), time: z.string() }).strict()),
            rejected: z.array(z.object({ text: z.string(), x: z.number(), reason: z.string() }).strict()),
            period: z.string().nullable(),
          })
          .strict()
          .nullable(),
      })
      .strict(),
    plotArea: rect,
    volumePane: rect.nullable(),
    style: z
      .object({ theme: z.enum(['light', 'dark']), background: rgb, up: rgb, down: rgb, hollow: z.boolean(), kind: z.enum(['candle', 'ohlc']) })
      .strict(),
    warnings: z.array(z.string()),
    priceError: z.number().min(0).nullable(),
  })
  .strict();

/** The digitisation as served, with the time it took. */
export const digitizeResponseSchema = digitizationSchema.extend({
  timing: z.object({ pixelsMs: z.number(), ocrMs: z.number(), totalMs: z.number() }).strict(),
});

export type DigitizationBody = z.infer<typeof digitizationSchema>;
export type DigitizeResponse = z.infer<typeof digitizeResponseSchema>;

// The core builds Digitization; the contract must describe exactly that, in both directions.
const _toBody = (d: Digitization): DigitizationBody => d;
const _fromBody = (b: DigitizationBody): Digitization => b;

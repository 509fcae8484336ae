import { z } from 'zod';

/** GET /healthz: the process is up, and which TA-Lib and Node it runs on. */
export const healthBodySchema = z
  .object({ status: z.literal('ok'), uptimeSeconds: z.number().int().min(0), talib: z.string(), node: z.string() })
  .strict();

/** The admission control's counters: requests worked on now, waiting now, and refused (503 overloaded) since start. */
export const admissionCountersSchema = z
  .object({ inFlight: z.number().int().min(0), queued: z.number().int().min(0), rejected: z.number().int().min(0) })
  .strict();

/**
 * GET /readyz when ready; `none` means the app was built without a store. A 503 is an error body.
 * `admission` (added later, optional) is there when the expensive routes are capped.
 */
export const readyBodySchema = z.object({ status: z.literal('ready'), store: z.enum(['ok', 'none']), admission: admissionCountersSchema.optional() }).strict();

export type HealthBody = z.infer<typeof healthBodySchema>;
export type ReadyBody = z.infer<typeof readyBodySchema>;

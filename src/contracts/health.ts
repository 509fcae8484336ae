import { z } from 'zod';

/** GET /healthz: the process is up, and which TA-Lib and Node it runs on. */
export const healthBodySchema = z
  .object({ status: z.literal('ok'), uptimeSeconds: z.number().int().min(0), talib: z.string(), node: z.string() })
  .strict();

/** GET /readyz when ready; `none` means the app was built without a store. A 503 is an error body. */
export const readyBodySchema = z.object({ status: z.literal('ready'), store: z.enum(['ok', 'none']) }).strict();

export type HealthBody = z.infer<typeof healthBodySchema>;
export type ReadyBody = z.infer<typeof readyBodySchema>;

import { z } from 'zod';
import { analysisSchema } from './analysis.ts';
import { analyzeRequestSchema } from './analyze-request.ts';
import { errorCodeSchema } from './error-body.ts';

/** A job id: the UUID POST /v1/jobs answered with (checked before it is looked up). */
export const jobIdSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'not a job id (a UUID)');

/** Where the result is POSTed when the job is done or has failed for good: an absolute http(s) URL. */
export const callbackUrlSchema = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an absolute http:// or https:// URL');

/** JSON body of POST /v1/jobs: a POST /v1/analyze body plus an optional callbackUrl. */
export const jobRequestSchema = analyzeRequestSchema.extend({ callbackUrl: callbackUrlSchema.optional() });

export const jobStatusSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);

/** Why a job failed (or why its last try did, while it waits for a retry). */
export const jobErrorSchema = z.object({ code: errorCodeSchema.or(z.string()), message: z.string() }).strict();

/** The 202 answer of POST /v1/jobs. */
export const jobAcceptedSchema = z.object({ id: z.string(), status: z.literal('queued') }).strict();

/** GET /v1/jobs/{id}: the job's state; `analysis` once it is done, `error` once a try failed. */
export const jobSchema = z
  .object({
    id: z.string(),
    status: jobStatusSchema,
    /** Tries started so far (0 while it waits for its first). */
    attempts: z.number().int().min(0),
    createdAt: z.string(),
    updatedAt: z.string(),
    error: jobErrorSchema.optional(),
    analysis: analysisSchema.optional(),
  })
  .strict();

/**
 * What a callbackUrl receives (POST, application/json), signed with CHARTLENS_CALLBACK_SECRET:
 * `X-Chartlens-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. `timestamp` (Unix seconds,
 * also in `X-Chartlens-Timestamp`) is inside the signed body, so a receiver can refuse old replays.
 */
export const jobCallbackSchema = z
  .object({
    id: z.string(),
    status: z.enum(['done', 'failed']),
    timestamp: z.number().int(),
    analysis: analysisSchema.optional(),
    error: jobErrorSchema.optional(),
  })
  .strict();

export type JobView = z.infer<typeof jobSchema>;
export type JobAccepted = z.infer<typeof jobAcceptedSchema>;
export type JobCallbackBody = z.infer<typeof jobCallbackSchema>;

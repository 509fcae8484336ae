import type { z } from 'zod';
import { AppError, type ErrorDetail } from '../core/errors.ts';

/**
 * Validate an untrusted request body against a strict schema. Unknown top-level fields get their
 * own code, because a typo ("candels") silently ignored is worse than a clear 400.
 */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_request', 'The request body must be a JSON object', []);
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const unknownKeys = result.error.issues.filter((i) => i.code === 'unrecognized_keys');
  if (unknownKeys.length > 0) {
    const details: ErrorDetail[] = unknownKeys.flatMap((i) =>
      (i as { keys: string[] }).keys.map((k) => ({ field: [...i.path, k].join('.'), message: 'unknown field' })),
    );
    throw new AppError('unknown_field', `Unknown field(s): ${details.map((d) => d.field).join(', ')}`, details);
  }
  const details = result.error.issues.map((i) => ({ field: i.path.join('.') || undefined, message: i.message }));
  const chartProblem = result.error.issues.every((i) => i.path[0] === 'chart');
  throw new AppError(chartProblem ? 'invalid_chart_options' : 'invalid_request', 'The request body is invalid', details);
}

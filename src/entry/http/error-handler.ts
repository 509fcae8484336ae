import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../../core/errors.ts';
import { httpStatus } from './http-status.ts';

/** Map body-parser failures (they carry `type`) to stable codes; anything else unknown is our bug. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  switch (e?.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', `The request body is larger than ${e.limit} bytes`);
    case 'entity.parse.failed':
      return new AppError('invalid_json', `The body is not valid JSON: ${e.message}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', e.message ?? 'Unsupported encoding');
    case 'request.aborted':
      return new AppError('invalid_request', 'The request was aborted by the client');
  }
  if (e?.status && e.status >= 400 && e.status < 500) {
    return new AppError('invalid_request', e.message ?? 'Bad request');
  }
  return new AppError('internal_error', 'Internal error', [], { cause: err });
}

/** One place that turns anything thrown into the JSON error shape. */
export function errorHandler(log: (msg: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = toAppError(err);
    const status = httpStatus(appError.code);
    if (status >= 500) log(`${req.method} ${req.path} failed: ${(err as Error)?.stack ?? String(err)}`);
    if (res.headersSent) return;
    if (appError.retryAfterSeconds !== null) res.set('Retry-After', String(Math.max(1, Math.ceil(appError.retryAfterSeconds))));
    res.status(status).json(appError.toJSON());
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `No route for ${req.method} ${req.path}`));
};

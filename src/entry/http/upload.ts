import type { RequestHandler } from 'express';
import multer from 'multer';
import { AppError } from '../../core/errors.ts';

/** The multipart fields /v1/analyze accepts besides the files. */
const TEXT_FIELDS = new Set(['symbol', 'timeframe', 'bars', 'source', 'news', 'analyzer', 'model', 'chart', 'ohlcv']);

/**
 * Multipart parsing for chart uploads, in memory with explicit limits: one image, one optional
 * OHLCV file, a handful of small text fields. Limit breaches become clear 4xx errors.
 */
export function chartUpload(limits: { maxImageBytes: number; maxFieldBytes: number }): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: limits.maxImageBytes, files: 2, fields: TEXT_FIELDS.size, fieldSize: limits.maxFieldBytes, parts: 10 },
  }).fields([
    { name: 'image', maxCount: 1 },
    { name: 'ohlcv', maxCount: 1 },
  ]);
  return (req, res, next) => {
    parse(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        switch (err.code) {
          case 'LIMIT_FILE_SIZE':
            return next(new AppError('image_too_large', `An uploaded file is larger than ${limits.maxImageBytes} bytes`, [{ field: err.field, message: 'file too large' }]));
          case 'LIMIT_FIELD_VALUE':
            return next(new AppError('payload_too_large', `Field "${err.field}" is larger than ${limits.maxFieldBytes} bytes`, [{ field: err.field, message: 'field too large' }]));
          case 'LIMIT_UNEXPECTED_FILE':
            return next(new AppError('unknown_field', `Unexpected file field "${err.field}"; send "image" and optionally "ohlcv"`, [{ field: err.field, message: 'unknown file field' }]));
          default:
            return next(new AppError('invalid_request', `Multipart upload rejected: ${err.message}`, [{ field: err.field, message: err.code }]));
        }
      }
      next(new AppError('invalid_request', `Malformed multipart body: ${err instanceof Error ? err.message : 'unreadable'}`));
    });
  };
}

/** Turn multipart text fields into the JSON request shape (news and chart are JSON text). */
export function multipartFields(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!TEXT_FIELDS.has(key)) {
      throw new AppError('unknown_field', `Unknown field(s): ${key}`, [{ field: key, message: 'unknown field' }]);
    }
    if (key === 'ohlcv') continue;
    if ((key === 'news' || key === 'chart') && typeof value === 'string') {
      try {
        out[key] = JSON.parse(value);
      } catch {
        throw new AppError(key === 'news' ? 'invalid_news' : 'invalid_chart_options', `Field "${key}" must be JSON`, [{ field: key, message: 'not valid JSON' }]);
      }
    } else if (key === 'bars' && typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
      out[key] = Number(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

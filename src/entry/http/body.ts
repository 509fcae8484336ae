import express, { type RequestHandler } from 'express';
import { AppError } from '../../core/errors.ts';

/**
 * Bodies chartlens accepts on its JSON endpoints: JSON, or raw CSV text (`text/csv`), which is
 * turned into `{csv, ...query}` so the two forms share one validation path.
 */
export function candleBody(maxBytes: number): RequestHandler[] {
  const json = express.json({ limit: maxBytes, strict: true });
  const csv = express.text({ limit: maxBytes, type: ['text/csv', 'text/plain'] });
  return [
    (req, _res, next) => {
      if (!req.is(['application/json', 'text/csv', 'text/plain'])) {
        next(new AppError('unsupported_media_type', 'Send application/json, or text/csv with options in the query string'));
        return;
      }
      next();
    },
    json,
    csv,
    (req, _res, next) => {
      if (typeof req.body === 'string') {
        const { symbol, timeframe } = req.query;
        req.body = {
          csv: req.body,
          ...(typeof symbol === 'string' ? { symbol } : {}),
          ...(typeof timeframe === 'string' ? { timeframe } : {}),
        };
      }
      next();
    },
  ];
}

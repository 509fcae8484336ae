import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../core/errors.ts';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Optional bearer-token check. With no keys configured every request passes; with keys, a request
 * needs `Authorization: Bearer <key>`. Keys are compared as hashes in constant time.
 */
export function requireApiKey(keys: readonly string[]): RequestHandler {
  const allowed = keys.map(digest);
  return (req, res, next) => {
    if (allowed.length === 0) return next();
    const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    const given = match ? digest(match[1].trim()) : null;
    if (given && allowed.some((k) => timingSafeEqual(k, given))) return next();
    res.set('WWW-Authenticate', 'Bearer');
    next(new AppError('unauthorized', match ? 'The API key is not valid' : 'Send an API key as "Authorization: Bearer <key>"'));
  };
}

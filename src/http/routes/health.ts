import { Router } from 'express';
import { TALIB_VERSION } from '../../market/talib.js';

const startedAt = Date.now();

export function healthRoutes(): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), talib: TALIB_VERSION });
  });
  return router;
}

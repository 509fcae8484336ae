import { Router } from 'express';
import { TALIB_VERSION } from '../../../core/market/talib.ts';
import type { AnalysisStore } from '../../../ports/analysis-store.ts';

const startedAt = Date.now();

/** /healthz: the process is up. /readyz: it can serve analyses (the store answers). */
export function healthRoutes(deps: { store?: AnalysisStore }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), talib: TALIB_VERSION });
  });
  router.get('/readyz', async (_req, res) => {
    if (!deps.store) {
      res.json({ status: 'ready', store: 'none' });
      return;
    }
    try {
      await deps.store.ping();
      res.json({ status: 'ready', store: 'ok' });
    } catch (err) {
      res.status(503).json({ error: { code: 'service_unavailable', message: `The store is not answering: ${(err as Error).message}`, details: [] } });
    }
  });
  return router;
}

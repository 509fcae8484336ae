import { Router } from 'express';
import { AppError } from '../../../core/errors.ts';
import { TALIB_VERSION } from '../../../core/market/talib.ts';
import type { AnalysisStore } from '../../../ports/analysis-store.ts';
import type { AdmissionCounters } from '../admission.ts';

const startedAt = Date.now();

/** /healthz: the process is up. /readyz: it can serve analyses (the store answers), with the admission counters. */
export function healthRoutes(deps: { store?: AnalysisStore; log?: (msg: string) => void; admission?: () => AdmissionCounters }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), talib: TALIB_VERSION, node: process.version });
  });
  router.get('/readyz', async (_req, res) => {
    const admission = deps.admission ? { admission: deps.admission() } : {};
    if (!deps.store) {
      res.json({ status: 'ready', store: 'none', ...admission });
      return;
    }
    try {
      await deps.store.ping();
      res.json({ status: 'ready', store: 'ok', ...admission });
    } catch (err) {
      // The store's own text (hosts, SQL) is for the operator's log, not for whoever asks.
      deps.log?.(`readyz: store ping failed: ${(err as Error)?.message ?? String(err)}`);
      res.status(503).json(new AppError('store_unavailable', 'The analysis store is not answering').toJSON());
    }
  });
  return router;
}

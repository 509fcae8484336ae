import express, { type Express } from 'express';
import type { Config } from '../../composition/config.ts';
import type { ChartRenderer } from '../../ports/chart-renderer.ts';
import type { AnalyzeDeps } from '../../use-cases/analyze-chart.ts';
import type { DigitizeDeps } from '../../use-cases/digitize-chart.ts';
import { AdmissionQueue, admissionControl } from './admission.ts';
import { requireApiKey } from './auth.ts';
import { candleBody } from './body.ts';
import { errorHandler, notFound } from './error-handler.ts';
import { analysisRoutes } from './routes/analyses.ts';
import { jobRoutes } from './routes/jobs.ts';
import type { JobsDeps } from '../../use-cases/jobs.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { digitizeRoutes } from './routes/digitize.ts';
import { marketDataRoutes } from './routes/market-data.ts';
import type { MarketSources } from '../../ports/market-data.ts';
import { marketRoutes } from './routes/market.ts';
import { webRoutes } from './routes/web.ts';

export interface AppDeps {
  /** `admission` caps the expensive routes (render, indicators, analyze, digitize); absent: no cap. */
  config: Pick<Config, 'maxBodyBytes'> & Partial<Pick<Config, 'apiKeys' | 'maxImageBytes' | 'admission'>>;
  renderer: ChartRenderer;
  /** Analysis needs a store and analyzers; without them only the market endpoints are served. */
  analyze?: AnalyzeDeps;
  /** Market-data sources (GET /v1/market/{source}/{symbol}, analysis by symbol); absent: neither is served. */
  market?: MarketSources;
  /** Reading charts back from pixels (POST /v1/digitize); absent: that route is not served. */
  digitize?: DigitizeDeps;
  /** The job queue (POST /v1/jobs, GET and DELETE /v1/jobs/:id); absent: those routes are not served. */
  jobs?: JobsDeps;
  log?: (msg: string) => void;
}

/** Build the Express app from its dependencies. It does not listen; callers (server, tests) do. */
export function createApp(deps: AppDeps): Express {
  const log = deps.log ?? ((msg: string) => console.error(msg));
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const admission = deps.config.admission ? new AdmissionQueue(deps.config.admission) : null;
  app.use(healthRoutes({ store: deps.analyze?.store, log, admission: admission ? () => admission.counters() : undefined }));
  // The API description and its interactive docs are public, like the health checks.
  app.use(docsRoutes());
  // The web page at / and its static assets, public like the docs (the API calls it makes are not).
  app.use(webRoutes());
  const body = candleBody(deps.config.maxBodyBytes);
  app.use('/v1', requireApiKey(deps.config.apiKeys ?? []));
  if (admission) {
    // After the key check, before any body is read; POST /v1/jobs only enqueues and is not capped.
    const admit = admissionControl(admission);
    for (const path of ['/v1/render', '/v1/indicators', ...(deps.analyze ? ['/v1/analyze'] : []), ...(deps.digitize ? ['/v1/digitize'] : [])]) app.post(path, admit);
  }
  app.use('/v1', marketRoutes({ renderer: deps.renderer, body }));
  if (deps.analyze) {
    app.use(
      '/v1',
      analysisRoutes({
        analyze: deps.analyze,
        store: deps.analyze.store,
        body,
        market: deps.market,
        maxImageBytes: deps.config.maxImageBytes ?? 10 * 1024 * 1024,
        maxFieldBytes: deps.config.maxBodyBytes,
      }),
    );
  }
  if (deps.jobs) {
    app.use('/v1', jobRoutes({ jobs: deps.jobs, body, maxImageBytes: deps.config.maxImageBytes ?? 10 * 1024 * 1024, maxFieldBytes: deps.config.maxBodyBytes }));
  }
  if (deps.market) app.use('/v1', marketDataRoutes({ market: deps.market }));
  if (deps.digitize) {
    app.use('/v1', digitizeRoutes({ digitize: deps.digitize, maxImageBytes: deps.config.maxImageBytes ?? 10 * 1024 * 1024, maxFieldBytes: deps.config.maxBodyBytes }));
  }
  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}

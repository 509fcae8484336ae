import express, { type Express } from 'express';
import type { Config } from '../config.js';
import type { ChartRenderer } from '../ports/chart-renderer.js';
import { candleBody } from './body.js';
import { errorHandler, notFound } from './error-handler.js';
import { healthRoutes } from './routes/health.js';
import { marketRoutes } from './routes/market.js';

export interface AppDeps {
  config: Pick<Config, 'maxBodyBytes'>;
  renderer: ChartRenderer;
  log?: (msg: string) => void;
}

/** Build the Express app from its dependencies. It does not listen; callers (server, tests) do. */
export function createApp(deps: AppDeps): Express {
  const log = deps.log ?? ((msg: string) => console.error(msg));
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(healthRoutes());
  app.use('/v1', marketRoutes({ renderer: deps.renderer, body: candleBody(deps.config.maxBodyBytes) }));
  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}

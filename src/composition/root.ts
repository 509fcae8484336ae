import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import { LocalRulesAnalyzer } from '../adapters/analyzers/local-rules-analyzer.ts';
import { OpenAIAnalyzer } from '../adapters/analyzers/openai-analyzer.ts';
import { openAnalysisStore } from '../adapters/store/pg-store.ts';
import { PreparePool } from '../adapters/workers/prepare-pool.ts';
import type { Config } from './config.ts';
import { createApp } from '../entry/http/create-app.ts';
import type { AnalysisStore } from '../ports/analysis-store.ts';
import type { ChartRenderer } from '../ports/chart-renderer.ts';
import type { AnalyzeDeps } from '../use-cases/analyze-chart.ts';

export interface Services {
  renderer: ChartRenderer;
  store: AnalysisStore;
  analyze: AnalyzeDeps;
  log: (msg: string) => void;
  close(): Promise<void>;
}

/** The one place that builds concrete adapters from Config. */
export async function buildServices(config: Config): Promise<Services> {
  mkdirSync(config.dataDir, { recursive: true });
  const log = config.log === 'silent' ? () => {} : (msg: string) => console.error(msg);
  const renderer = new ChartJsRenderer();
  const store = await openAnalysisStore({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir });
  const pool = config.workers > 0 ? new PreparePool(config.workers) : undefined;
  const analyze: AnalyzeDeps = {
    renderer,
    local: new LocalRulesAnalyzer(),
    openai: config.openai ? new OpenAIAnalyzer(config.openai) : null,
    store,
    defaultAnalyzer: config.defaultAnalyzer,
    deadlineMs: config.deadlineMs,
    imageLimits: { maxBytes: config.maxImageBytes, maxInputPixels: config.maxImagePixels },
    preparer: pool,
  };
  return {
    renderer,
    store,
    analyze,
    log,
    async close() {
      await pool?.close();
      await renderer.close();
      await store.close();
    },
  };
}

/** Start the HTTP server and stop it cleanly on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<Server> {
  const services = await buildServices(config);
  const app = createApp({ config, renderer: services.renderer, analyze: services.analyze, log: services.log });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const store = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`;
  const analyzer = config.defaultAnalyzer === 'openai' ? `openai (${config.openai?.model})` : 'local-rules';
  services.log(`chartlens listening on http://${config.host}:${port}; store: ${store}; default analyzer: ${analyzer}`);
  const stop = (): void => {
    server.close(() => void services.close().then(() => process.exit(0)));
    // Keep-alive sockets would hold close() open; give them a moment, then go.
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

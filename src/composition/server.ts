import type { Server } from 'node:http';
import { createApp } from '../entry/http/create-app.ts';
import type { Config } from './config.ts';
import { warmDigitizer } from './digitize.ts';
import { buildServices } from './root.ts';

/**
 * A process that keeps running after an unhandled rejection or exception is in an unknown state:
 * log it, then exit non-zero so the supervisor (systemd, Docker, Kubernetes) starts a clean one.
 */
export function exitOnFatalErrors(log: (msg: string) => void): void {
  const fatal = (what: string) => (err: unknown) => {
    log(`fatal: ${what}: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  };
  process.on('unhandledRejection', fatal('unhandled rejection'));
  process.on('uncaughtException', fatal('uncaught exception'));
}

/** The server profile: build the services, listen, and stop cleanly on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<Server> {
  const services = await buildServices(config);
  // Fatal errors are always written, even with CHARTLENS_LOG=silent: an exit needs its reason.
  exitOnFatalErrors((msg) => console.error(msg));
  const app = createApp({ config, renderer: services.renderer, analyze: services.analyze, market: services.market, digitize: services.digitize, jobs: services.jobs.deps, log: services.log });
  // Start the OCR engine now, off the request path: the first upload then finds it warm.
  void warmDigitizer(services.digitize).catch((err: unknown) => services.log(`ocr: the engine could not start: ${(err as Error)?.message ?? String(err)}`));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const store = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`;
  const analyzer = config.defaultAnalyzer === 'openai' ? `openai (${config.openai?.model})` : 'local (rules, not an LLM)';
  services.log(`chartlens listening on http://${config.host}:${port} (Node ${process.version}); store: ${store}; default analyzer: ${analyzer}`);
  // Jobs left queued by an earlier run start now; with no workers the queue starts on first use.
  if (services.jobs.workers > 0) {
    services.jobs.start().then(
      () => services.log(`jobs: ${services.jobs.workers} in-process worker(s), ${services.jobs.description}`),
      (err: unknown) => services.log(`jobs: the queue did not start (it is tried again on the next job request): ${(err as Error)?.message ?? String(err)}`),
    );
  }
  const stop = (): void => {
    server.close(() => void services.close().then(() => process.exit(0)));
    // Keep-alive sockets would hold close() open; give them a moment, then go.
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

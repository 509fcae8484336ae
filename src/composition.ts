import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { ChartJsRenderer } from '../renderers/chartjs.js';
import type { Config } from './config.js';
import { createApp } from './http/create-app.js';

/** The one place that builds concrete adapters from Config. */
export function buildServices(config: Config) {
  mkdirSync(config.dataDir, { recursive: true });
  const renderer = new ChartJsRenderer();
  const log = config.log === 'silent' ? () => {} : (msg: string) => console.error(msg);
  const app = createApp({ config, renderer, log });
  return { app, renderer, log };
}

/** Start the HTTP server and stop it cleanly on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<Server> {
  const { app, renderer, log } = buildServices(config);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log(`chartlens listening on http://${config.host}:${port} (data in ${config.dataDir})`);
  const stop = (): void => {
    server.close(() => void renderer.close().then(() => process.exit(0)));
    // Keep-alive sockets would hold close() open; give them a moment, then go.
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

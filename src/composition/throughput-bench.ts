import type { Express } from 'express';
import { createApp } from '../entry/http/create-app.ts';
import type { Config } from './config.ts';
import { buildServices, type Services } from './root.ts';

// The profile of bench/throughput.ts: the app exactly as startServer() wires it (buildServices,
// then createApp with the same dependencies), without listening, signal handlers or fatal-error
// exits, so the bench can listen on port 0, time it, and close it. Its own file, so it does not
// grow bench.ts (the render and batch profiles).

export interface AnalysisBench {
  /** The server's app: analysis, market data, health, docs. */
  app: Express;
  services: Services;
  close(): Promise<void>;
}

/** Build the services from `config` and the app over them, as the server does. */
export async function analysisBenchProfile(config: Config): Promise<AnalysisBench> {
  const services = await buildServices(config);
  const app = createApp({ config, renderer: services.renderer, analyze: services.analyze, market: services.market, digitize: services.digitize, log: services.log });
  return { app, services, close: () => services.close() };
}

/**
 * The real app with analysis wired in, for HTTP tests: the Chart.js renderer, an in-memory PGlite
 * store, the local rules and (optionally) the OpenAI analyzer pointed at a fake server on 127.0.0.1.
 * A PGlite instance takes ~2 s to create, so a test file opens one store and passes it to every
 * app it builds; an app closes only what it created itself.
 */
import type { Express } from 'express';
import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import type { OpenAIAnalyzerOptions } from '../../src/adapters/analyzers/openai-analyzer.ts';
import { openAnalysisStore } from '../../src/adapters/store/pg-store.ts';
import { IMAGE_DEFAULTS } from '../../src/adapters/images/sharp-images.ts';
import { loadConfig } from '../../src/composition/config.ts';
import { buildServices } from '../../src/composition/root.ts';
import { createApp } from '../../src/entry/http/create-app.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import type { AnalyzeDeps } from '../../src/use-cases/analyze-chart.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../testing/fake-openai.ts';

/** The key the fake expects and the analyzer sends. */
export const FAKE_API_KEY = 'test-key';
/** In the price table, so cost is a number. */
export const FAKE_MODEL = 'gpt-4o-mini';

export interface AnalysisAppOptions {
  /** Share one store per test file; without it the app opens (and closes) its own. */
  store?: AnalysisStore;
  apiKeys?: string[];
  maxBodyBytes?: number;
  maxImageBytes?: number;
  /** The per-request deadline of an analysis (CHARTLENS_DEADLINE_MS). */
  deadlineMs?: number;
  defaultAnalyzer?: 'local' | 'openai';
  /**
   * Configure the OpenAI analyzer: `true` starts a fake server, a FakeOpenAI reuses one (not closed
   * by this app), an object also tunes the analyzer. Absent or false: no OpenAI analyzer at all.
   */
  openai?: boolean | FakeOpenAI | { fake?: FakeOpenAI; analyzer?: Partial<OpenAIAnalyzerOptions> };
  log?: (msg: string) => void;
  /** More environment for the config (market-data URLs, CHARTLENS_MARKET_SOURCE...). */
  env?: Record<string, string>;
  /** Pins the market-data sources' clock (fakes that replay fixtures ending on a fixed day). */
  marketNow?: () => number;
  /**
   * Worker threads for facts and charts. Default 0 (the main thread), unlike the server's one per
   * core, so a test file starts no thread pool unless it asks for one.
   */
  workers?: number;
}

export interface AnalysisApp {
  app: Express;
  store: AnalysisStore;
  /** The fake OpenAI server the analyzer talks to, when one is configured. */
  fake: FakeOpenAI | null;
  deps: AnalyzeDeps;
  /** Closes the store and the fake if this app created them. */
  close(): Promise<void>;
}

let renderer: ChartJsRenderer | undefined;

/** One Chart.js renderer per test process: it caches a canvas per size. */
export function sharedRenderer(): ChartJsRenderer {
  renderer ??= new ChartJsRenderer();
  return renderer;
}

/** A fresh in-memory analysis store (about 2 s: open one per test file). */
export function openMemoryStore(): Promise<AnalysisStore> {
  return openAnalysisStore({ dataDir: ':memory:' });
}

function isFake(v: unknown): v is FakeOpenAI {
  return typeof v === 'object' && v !== null && 'enqueue' in v && 'url' in v;
}

/** Build the app; nothing listens (supertest does). */
export async function startAnalysisApp(opts: AnalysisAppOptions = {}): Promise<AnalysisApp> {
  const ownStore = !opts.store;
  const store = opts.store ?? (await openMemoryStore());
  let fake: FakeOpenAI | null = null;
  let ownFake = false;
  let analyzerOptions: Partial<OpenAIAnalyzerOptions> = {};
  if (opts.openai) {
    if (isFake(opts.openai)) {
      fake = opts.openai;
    } else if (opts.openai !== true) {
      fake = opts.openai.fake ?? null;
      analyzerOptions = opts.openai.analyzer ?? {};
    }
    if (!fake) {
      fake = await startFakeOpenAI({ apiKey: FAKE_API_KEY });
      ownFake = true;
    }
  }
  const maxImageBytes = opts.maxImageBytes ?? IMAGE_DEFAULTS.maxBytes;
  const config = loadConfig({
    CHARTLENS_LOG: 'silent',
    CHARTLENS_DATA_DIR: ':memory:',
    CHARTLENS_ANALYZER: opts.defaultAnalyzer ?? 'local',
    CHARTLENS_DEADLINE_MS: String(opts.deadlineMs ?? 10_000),
    CHARTLENS_MAX_IMAGE_BYTES: String(maxImageBytes),
    ...(fake
      ? { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: FAKE_API_KEY, CHARTLENS_MODEL: FAKE_MODEL, CHARTLENS_TIMEOUT_MS: '2000', CHARTLENS_MAX_RETRIES: '1', CHARTLENS_MAX_OUTPUT_TOKENS: '1500' }
      : {}),
    ...opts.env,
  });
  if (config.openai) config.openai = { ...config.openai, ...analyzerOptions };
  // The composition root wires the app exactly as the server does; only the store is shared.
  const services = await buildServices(config, { store, renderer: sharedRenderer(), workers: opts.workers ?? 0, ...(opts.marketNow ? { marketNow: opts.marketNow } : {}) });
  const deps = services.analyze;
  const app = createApp({
    // The admission limits as the server has them (CHARTLENS_MAX_INFLIGHT... in `env` change them).
    config: { maxBodyBytes: opts.maxBodyBytes ?? 4 * 1024 * 1024, apiKeys: opts.apiKeys ?? [], maxImageBytes, admission: config.admission },
    renderer: sharedRenderer(),
    analyze: deps,
    market: services.market,
    digitize: services.digitize,
    // The job routes; the queue (on this store's PGlite, or DATABASE_URL) starts on their first use.
    jobs: services.jobs.deps,
    log: opts.log ?? (() => {}),
  });
  return {
    app,
    store,
    fake,
    deps,
    async close() {
      await services.close();
      if (ownFake) await fake?.close();
      if (ownStore) await store.close();
    },
  };
}

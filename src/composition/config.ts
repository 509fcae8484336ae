import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { OpenAIAnalyzerOptions } from '../adapters/analyzers/openai-analyzer.ts';
import { ANALYZER_IDS, type AnalyzerId } from '../core/analysis/analyzer-id.ts';
import { DEFAULT_PRICES, type ModelPrice } from '../core/analysis/pricing.ts';
import type { AdmissionLimits } from '../entry/http/admission.ts';

const priceSchema = z.object({ input: z.number().min(0), cachedInput: z.number().min(0), output: z.number().min(0) }).strict();

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

/** Environment variables chartlens reads, with their defaults. The README's table mirrors this. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  CHARTLENS_DATA_DIR: z.string().min(1).default('./data'),
  /** Largest accepted JSON/CSV request body, in bytes. 10,000 candles of JSON is about 1 MB. */
  CHARTLENS_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  CHARTLENS_MAX_IMAGE_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  CHARTLENS_MAX_IMAGE_PIXELS: z.coerce.number().int().min(10_000).default(40_000_000),
  CHARTLENS_LOG: z.enum(['silent', 'info']).default('info'),
  CHARTLENS_ANALYZER: z.enum(ANALYZER_IDS).default('local'),
  OPENAI_BASE_URL: optionalText,
  OPENAI_API_KEY: optionalText,
  /**
   * gpt-4.1-mini: a 1024x512 chart is 512 patches x 1.62 = 830 image tokens, sent at 768x384 for
   * 467 (0.02 cents at $0.40/1M); gpt-4o-mini bills the same chart as 14,167 tokens (0.21 cents).
   * Not a reasoning model, so max_completion_tokens is all answer. The README has the table.
   */
  CHARTLENS_MODEL: z.string().min(1).default('gpt-4.1-mini'),
  /** `auto` plans the image per model (size and detail, src/core/analysis/image-tokens.ts); `low` / `high` force it. */
  CHARTLENS_IMAGE_DETAIL: z.enum(['low', 'high', 'auto']).default('auto'),
  CHARTLENS_DEADLINE_MS: z.coerce.number().int().min(100).default(60_000),
  CHARTLENS_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  CHARTLENS_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  CHARTLENS_MAX_OUTPUT_TOKENS: z.coerce.number().int().min(256).default(2000),
  CHARTLENS_BUDGET_USD: z.coerce.number().min(0).optional(),
  CHARTLENS_PRICES: optionalText,
  DATABASE_URL: optionalText,
  CHARTLENS_API_KEYS: optionalText,
  /** A folder of <symbol>.csv files: the `csv` market-data source. */
  CHARTLENS_MARKET_DIR: z.string().min(1).default('samples'),
  /** The source a request that names only a symbol fetches from: csv, yahoo or a ccxt exchange id. */
  CHARTLENS_MARKET_SOURCE: z.string().trim().toLowerCase().min(1).default('csv'),
  /** Replaces every Yahoo Finance host the client calls (a proxy, a test's fake server). */
  CHARTLENS_YAHOO_URL: optionalText,
  /** The ccxt exchanges served as sources; each one's base URL may be replaced by CHARTLENS_<ID>_URL. */
  CHARTLENS_CCXT_EXCHANGES: z.string().default('binance,kraken,coinbase'),
  /** Calls per minute to each market-data provider (Yahoo publishes none; about one a second is polite). */
  CHARTLENS_MARKET_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(60),
  CHARTLENS_MARKET_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Worker threads for facts and charts; unset: one per core (availableParallelism). 0: the main thread (for debugging). */
  CHARTLENS_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  /** Analyses (and renders, facts, digitizations) worked on at once; unset: 2 per worker thread. 0: no cap. */
  CHARTLENS_MAX_INFLIGHT: z.coerce.number().int().min(0).max(10_000).optional(),
  /** Requests that wait (FIFO) behind that cap; beyond them the answer is 503 overloaded. */
  CHARTLENS_MAX_QUEUED: z.coerce.number().int().min(0).max(100_000).default(64),
  /** The longest a request waits in that queue before it is answered 503 overloaded. */
  CHARTLENS_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(10_000),
  /** Analyses older than this many days are deleted (with the images and inputs only they used); unset: kept forever. */
  CHARTLENS_RETENTION_DAYS: z.coerce.number().positive().max(36_500).optional(),
  /** Analysis jobs the server runs at once on its own queue (0: it only enqueues; `chartlens worker` runs them). */
  CHARTLENS_JOB_WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  /** Tries a job gets in all (the first included) before it is dead-lettered as failed. */
  CHARTLENS_JOB_RETRIES: z.coerce.number().int().min(1).max(20).default(3),
  /** The wait before the first retry; it doubles (with jitter) for each later one. */
  CHARTLENS_JOB_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** How often idle workers look for jobs (pg-boss's default is 2 s; NOTIFY wakes them sooner). */
  CHARTLENS_JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(0.5),
  /** A running job whose worker stops beating for this long (crashed, killed) is retried. */
  CHARTLENS_JOB_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).max(3600).default(30),
  /** The schema pg-boss keeps the queues in, on PGlite and on PostgreSQL. */
  CHARTLENS_QUEUE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier')
    .default('chartlens_jobs'),
  /** Signs job callbacks (HMAC-SHA256); without it a job with callbackUrl is refused. */
  CHARTLENS_CALLBACK_SECRET: optionalText.refine((v) => v === undefined || v.length >= 16, 'at least 16 characters'),
});

/** The market-data sources and how they are reached. */
export interface MarketConfig {
  defaultSource: string;
  yahooUrl: string | null;
  /** ccxt exchange ids, each with its base URL override (null: the exchange's own hosts). */
  exchanges: { id: string; baseUrl: string | null }[];
  ratePerMinute: number;
  timeoutMs: number;
}

/** The job queue (pg-boss on the store's PGlite, or on PostgreSQL with DATABASE_URL) and its workers. */
export interface JobsConfig {
  /** In-process workers of the server (0: the server only enqueues). */
  workers: number;
  /** Tries in all before a job is dead-lettered. */
  tries: number;
  retryDelaySeconds: number;
  pollSeconds: number;
  heartbeatSeconds: number;
  schema: string;
  callbackSecret: string | null;
}

/** The openai analyzer's settings, exactly as the adapter takes them. */
export type OpenAIConfig = OpenAIAnalyzerOptions;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  maxBodyBytes: number;
  maxImageBytes: number;
  maxImagePixels: number;
  log: 'silent' | 'info';
  defaultAnalyzer: AnalyzerId;
  /** Null when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set: the openai analyzer is off. */
  openai: OpenAIConfig | null;
  deadlineMs: number;
  databaseUrl: string | null;
  apiKeys: string[];
  /** The folder of the `csv` market-data source. */
  marketDir: string;
  market: MarketConfig;
  /** Worker threads for facts and charts (0: on the main thread); default one per core. */
  workers: number;
  /** The cap on expensive requests in flight, the queue behind it and its wait limit. */
  admission: AdmissionLimits;
  jobs: JobsConfig;
  /** Days an analysis is kept (CHARTLENS_RETENTION_DAYS); null: forever. */
  retentionDays: number | null;
}

function parsePrices(text: string | undefined): Record<string, ModelPrice> {
  if (!text) return { ...DEFAULT_PRICES };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('CHARTLENS_PRICES: not valid JSON');
  }
  const parsed = z.record(z.string(), priceSchema).safeParse(json);
  if (!parsed.success) throw new Error(`CHARTLENS_PRICES: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...DEFAULT_PRICES, ...parsed.data };
}

function marketConfig(e: z.output<typeof envSchema>, env: NodeJS.ProcessEnv): MarketConfig {
  const ids = [...new Set(e.CHARTLENS_CCXT_EXCHANGES.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean))];
  const bad = ids.filter((id) => !/^[a-z0-9]+$/.test(id) || id === 'csv' || id === 'yahoo');
  if (bad.length) throw new Error(`Invalid configuration: CHARTLENS_CCXT_EXCHANGES: not an exchange id: ${bad.join(', ')}`);
  const known = ['csv', 'yahoo', ...ids];
  if (!known.includes(e.CHARTLENS_MARKET_SOURCE)) {
    throw new Error(`Invalid configuration: CHARTLENS_MARKET_SOURCE: "${e.CHARTLENS_MARKET_SOURCE}" is not one of ${known.join(', ')}`);
  }
  const urlOf = (name: string) => {
    const v = env[name]?.trim();
    if (!v) return null;
    if (!/^https?:\/\//.test(v)) throw new Error(`Invalid configuration: ${name}: "${v}" is not an http(s) URL`);
    return v.replace(/\/+$/, '');
  };
  return {
    defaultSource: e.CHARTLENS_MARKET_SOURCE,
    yahooUrl: urlOf('CHARTLENS_YAHOO_URL'),
    exchanges: ids.map((id) => ({ id, baseUrl: urlOf(`CHARTLENS_${id.toUpperCase()}_URL`) })),
    ratePerMinute: e.CHARTLENS_MARKET_RATE_LIMIT,
    timeoutMs: e.CHARTLENS_MARKET_TIMEOUT_MS,
  };
}

/** The server's default pool: one thread per core the process may use (at least 1, at most 64). */
export function defaultWorkers(): number {
  return Math.min(64, Math.max(1, availableParallelism()));
}

/** Parse the environment once at start-up; a bad value stops the process with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const openaiOn = e.OPENAI_API_KEY !== undefined || e.OPENAI_BASE_URL !== undefined;
  const workers = e.CHARTLENS_WORKERS ?? defaultWorkers();
  if (e.CHARTLENS_ANALYZER === 'openai' && !openaiOn) {
    throw new Error('Invalid configuration: CHARTLENS_ANALYZER=openai needs OPENAI_API_KEY or OPENAI_BASE_URL');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.CHARTLENS_DATA_DIR,
    maxBodyBytes: e.CHARTLENS_MAX_BODY_BYTES,
    maxImageBytes: e.CHARTLENS_MAX_IMAGE_BYTES,
    maxImagePixels: e.CHARTLENS_MAX_IMAGE_PIXELS,
    log: e.CHARTLENS_LOG,
    defaultAnalyzer: e.CHARTLENS_ANALYZER,
    openai: openaiOn
      ? {
          baseURL: e.OPENAI_BASE_URL,
          // Local servers (Ollama, vLLM, LM Studio) accept any key; the SDK insists on one.
          apiKey: e.OPENAI_API_KEY ?? 'not-needed',
          model: e.CHARTLENS_MODEL,
          imageDetail: e.CHARTLENS_IMAGE_DETAIL,
          timeoutMs: e.CHARTLENS_TIMEOUT_MS,
          maxRetries: e.CHARTLENS_MAX_RETRIES,
          maxOutputTokens: e.CHARTLENS_MAX_OUTPUT_TOKENS,
          budgetUsd: e.CHARTLENS_BUDGET_USD ?? null,
          prices: parsePrices(e.CHARTLENS_PRICES),
        }
      : null,
    deadlineMs: e.CHARTLENS_DEADLINE_MS,
    databaseUrl: e.DATABASE_URL ?? null,
    workers,
    admission: { maxInFlight: e.CHARTLENS_MAX_INFLIGHT ?? 2 * Math.max(1, workers), maxQueued: e.CHARTLENS_MAX_QUEUED, queueTimeoutMs: e.CHARTLENS_QUEUE_TIMEOUT_MS },
    retentionDays: e.CHARTLENS_RETENTION_DAYS ?? null,
    marketDir: e.CHARTLENS_MARKET_DIR,
    market: marketConfig(e, env),
    jobs: {
      workers: e.CHARTLENS_JOB_WORKERS,
      tries: e.CHARTLENS_JOB_RETRIES,
      retryDelaySeconds: e.CHARTLENS_JOB_RETRY_DELAY_SECONDS,
      pollSeconds: e.CHARTLENS_JOB_POLL_SECONDS,
      heartbeatSeconds: e.CHARTLENS_JOB_HEARTBEAT_SECONDS,
      schema: e.CHARTLENS_QUEUE_SCHEMA,
      callbackSecret: e.CHARTLENS_CALLBACK_SECRET ?? null,
    },
    apiKeys: (e.CHARTLENS_API_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  };
}

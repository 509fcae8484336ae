import { folderInputSource } from '../adapters/files/folder-inputs.ts';
import { ResultsFile } from '../adapters/files/results-file.ts';
import { fetchCallbackPoster } from '../adapters/queue/callback-poster.ts';
import { httpJobsTarget } from '../adapters/queue/jobs-over-http.ts';
import { PgBossJobQueue, type QueueDatabase } from '../adapters/queue/pg-boss-queue.ts';
import { embeddedPglite } from '../adapters/store/pg-store.ts';
import { createRateLimiter } from '../adapters/timing/rate-limiter.ts';
import { AppError } from '../core/errors.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { MarketSources } from '../ports/market-data.ts';
import type { AnalyzeDeps, AnalyzeLog } from '../use-cases/analyze-chart.ts';
import { jobHandlers } from '../use-cases/jobs-run.ts';
import type { JobsDeps } from '../use-cases/jobs.ts';
import type { Batch, BatchOptions } from './batch.ts';
import type { Config } from './config.ts';

/** How long one callback POST may take. */
const CALLBACK_TIMEOUT_MS = 10_000;

/** The job queue of one process: what the routes need, and this process's workers. */
export interface Jobs {
  /** For the HTTP routes and use cases; the queue (and the workers) start on first use. */
  deps: JobsDeps;
  /** Analyses this process runs at once (0: it only enqueues). */
  readonly workers: number;
  /** Where the queue lives, for the start-up log. */
  readonly description: string;
  /** Start the queue and this process's workers now. Idempotent; a failed start is tried again next time. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface JobsOptions {
  /** Analyses run at once in this process; default: CHARTLENS_JOB_WORKERS. */
  workers?: number;
  /** The name pg-boss registers this process under. */
  instanceName?: string;
}

/** A queue that refuses everything, for a store that is neither PGlite nor PostgreSQL from the config. */
function unavailableQueue(reason: string): JobQueue {
  const refuse = (): Promise<never> => Promise.reject(new AppError('service_unavailable', reason));
  return { description: `no job queue (${reason})`, start: refuse, submit: refuse, find: refuse, cancel: refuse, submitCallback: refuse, work: refuse, close: () => Promise.resolve() };
}

/**
 * The job queue: pg-boss on PostgreSQL when DATABASE_URL is set, otherwise on the store's own
 * embedded PGlite (one instance per data directory per process, so the two share it: a second
 * instance would cost about 260 MB). Nothing connects until the queue is first used or started.
 */
export function createJobs(config: Config, parts: { analyze: AnalyzeDeps; market: MarketSources; log: (msg: string) => void; analyzeLog: AnalyzeLog }, o: JobsOptions = {}): Jobs {
  const workers = o.workers ?? config.jobs.workers;
  const pglite = config.databaseUrl ? null : embeddedPglite(parts.analyze.store);
  const database: QueueDatabase | null = config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : pglite ? { kind: 'pglite', pglite } : null;
  const inner: JobQueue = database
    ? new PgBossJobQueue({
        database,
        schema: config.jobs.schema,
        tries: config.jobs.tries,
        retryDelaySeconds: config.jobs.retryDelaySeconds,
        pollSeconds: config.jobs.pollSeconds,
        heartbeatSeconds: config.jobs.heartbeatSeconds,
        // A try runs within the analysis deadline; the rest is fetching bars and storing.
        expireInSeconds: Math.ceil(config.deadlineMs / 1000) + 120,
        instanceName: o.instanceName ?? 'chartlens',
        log: parts.log,
      })
    : unavailableQueue('the store is not embedded PGlite and DATABASE_URL is not set');

  let started: Promise<void> | undefined;
  const start = (): Promise<void> => {
    started ??= (async () => {
      await inner.start();
      if (workers > 0) await inner.work(jobHandlers(deps), workers);
    })().catch((err: unknown) => {
      started = undefined;
      throw err instanceof AppError ? err : new AppError('service_unavailable', 'The job queue could not start', [], { cause: err });
    });
    return started;
  };
  const ready = async <T>(fn: () => Promise<T>): Promise<T> => {
    await start();
    return fn();
  };
  // The routes' view: every call starts the queue (and this process's workers) on first use.
  const queue: JobQueue = {
    description: inner.description,
    start,
    submit: (id, data) => ready(() => inner.submit(id, data)),
    find: (id) => ready(() => inner.find(id)),
    cancel: (id) => ready(() => inner.cancel(id)),
    submitCallback: (data) => ready(() => inner.submitCallback(data)),
    work: (handlers, concurrency) => inner.work(handlers, concurrency),
    close: () => inner.close(),
  };
  const deps: JobsDeps = {
    queue,
    analyze: parts.analyze,
    market: parts.market,
    callbackSecret: config.jobs.callbackSecret,
    callbacks: fetchCallbackPoster({ timeoutMs: CALLBACK_TIMEOUT_MS }),
    log: parts.analyzeLog,
  };
  return {
    deps,
    workers,
    description: inner.description,
    start,
    async close() {
      // Let a start in flight finish, so what it opened is closed too.
      await started?.catch(() => {});
      await inner.close();
    },
  };
}

/**
 * `chartlens score DIR --queue --endpoint URL`: the same folder source and results file as every
 * score run, with each input sent to the server's queue and waited for.
 */
export function openQueueBatch(o: BatchOptions & { endpoint: string }): Batch {
  const source = folderInputSource(o.dir, { recursive: o.recursive, exclude: [o.out] });
  const results = ResultsFile.open(o.out, o.format, o.mode);
  const target = httpJobsTarget({
    endpoint: o.endpoint,
    apiKey: o.apiKey,
    analyzer: o.analyzer,
    model: o.model,
    limiter: createRateLimiter(o.ratePerMinute),
    requestTimeoutMs: 60_000,
    jobTimeoutMs: 6 * 60 * 60_000,
    pollMs: 500,
  });
  return { source, results, target, close: () => Promise.resolve(results.close()) };
}

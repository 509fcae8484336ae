import { createHash } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { type ConstructorOptions, fromPglite, type JobResult, type JobWithMetadata, PgBoss, type PGliteLike, type QueueOptions, type WorkOptions } from 'pg-boss';
import { AppError } from '../../core/errors.ts';
import type { AnalysisJobData, CallbackJobData, JobError, JobHandlers, JobOutcome, JobQueue, JobState, QueuedJob } from '../../ports/job-queue.ts';

/** The queues: analyses, the analyses that failed for good (pg-boss's dead letter), callbacks. */
export const QUEUES = { analyze: 'chartlens-analyze', dead: 'chartlens-analyze-dead', callback: 'chartlens-callback' } as const;

/** Tries of one callback delivery in all (the backoff doubles from the retry delay). */
const CALLBACK_TRIES = 5;
/** How long stop() lets running handlers finish before pg-boss fails them (they are retried). */
const STOP_TIMEOUT_MS = 10_000;

/** Where pg-boss keeps its tables: the store's embedded PGlite (shared, never closed here), or PostgreSQL. */
export type QueueDatabase = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; url: string };

export interface PgBossQueueOptions {
  database: QueueDatabase;
  /** The schema pg-boss installs itself in (created on start). */
  schema: string;
  /** Tries of an analysis in all, the first included. */
  tries: number;
  retryDelaySeconds: number;
  /** Idle polling; NOTIFY wakes a worker at once on both backends, the poll is the backstop. */
  pollSeconds: number;
  /** A running job whose worker stops beating this long is failed over (and retried). */
  heartbeatSeconds: number;
  /** The longest one try may run. */
  expireInSeconds: number;
  /** For pg-boss's instance registry: `chartlens-server`, `chartlens-worker`. */
  instanceName: string;
  log: (msg: string) => void;
}

/**
 * pg-boss's fromPglite adapter rolls back a failed BEGIN..COMMIT script only after the statement
 * has returned, so on a PGlite shared with the store another caller's statement can land in the
 * aborted transaction in between. Run those scripts inside PGlite's own transaction, which holds its
 * lock until the rollback is done.
 */
function sharedPglite(db: PGlite): PGliteLike {
  return {
    query: (text, params) => db.query(text, params),
    exec: (text) => (/^\s*BEGIN\b/i.test(text) ? db.transaction((tx) => tx.exec(text)) : db.exec(text)),
    listen: (channel, callback) => db.listen(channel, callback),
  };
}

/** A stable UUID from a text, so a second enqueue of the same callback is a no-op (pg-boss ignores a taken id). */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  // Version 5 style (name-based) with the RFC 4122 variant bits.
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const STATES: Record<JobWithMetadata['state'], JobState> = {
  created: 'queued',
  retry: 'queued',
  active: 'running',
  completed: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Our handlers fail with {code, message}; pg-boss's own failures (heartbeat lost, expired, shutdown) carry neither. */
function jobError(output: unknown): JobError {
  const o = (output ?? {}) as { code?: unknown; message?: unknown };
  if (typeof o.code === 'string' && typeof o.message === 'string') return { code: o.code, message: o.message };
  const why = typeof o.message === 'string' ? ` (${o.message.slice(0, 200)})` : '';
  return { code: 'job_interrupted', message: `The worker running this job stopped before it finished: it crashed, was stopped or ran out of time${why}` };
}

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

function toQueuedJob(j: JobWithMetadata<unknown>): QueuedJob {
  const state = STATES[j.state];
  // retryCount goes up when a retry is claimed, so a job that started counts it plus the first try.
  const attempts = j.startedOn ? j.retryCount + 1 : 0;
  const failedTry = state === 'failed' || (j.state === 'retry' && Boolean(j.output));
  const createdAt = iso(j.createdOn) ?? new Date(0).toISOString();
  return {
    id: j.id,
    state,
    attempts,
    createdAt,
    updatedAt: iso(j.completedOn) ?? iso(j.heartbeatOn) ?? iso(j.startedOn) ?? createdAt,
    result: state === 'done' && j.output && typeof j.output === 'object' ? (j.output as Record<string, unknown>) : null,
    error: failedTry ? jobError(j.output) : null,
  };
}

/** The perJobResults answer pg-boss wants for one job. */
function settle(id: string, outcome: JobOutcome): JobResult[] {
  switch (outcome.status) {
    case 'done':
      return [{ id, status: 'completed', output: outcome.result }];
    case 'retry':
      // pg-boss retries while retryLimit allows, then moves the job to the dead letter queue.
      return [{ id, status: 'failed', output: outcome.error }];
    case 'failed':
      return [{ id, status: 'deadletter', output: outcome.error }];
  }
}

/** A handler that throws is a bug of ours: the try fails and is retried like an upstream failure. */
async function safely(run: () => Promise<JobOutcome>, log: (msg: string) => void): Promise<JobOutcome> {
  try {
    return await run();
  } catch (err) {
    log(`jobs: a handler threw: ${(err as Error)?.stack ?? String(err)}`);
    return { status: 'retry', error: { code: 'internal_error', message: 'Internal error' } };
  }
}

/**
 * The job queue on pg-boss 12. It starts on first use (or `work`): pg-boss installs or migrates its
 * schema, and the three queues are created and brought to the configured retry policy. Workers are
 * woken by LISTEN/NOTIFY and also poll every `pollSeconds` (pg-boss's default is 2 s).
 */
export class PgBossJobQueue implements JobQueue {
  readonly description: string;
  #boss: Promise<PgBoss> | undefined;
  #closed = false;
  readonly #o: PgBossQueueOptions;

  constructor(o: PgBossQueueOptions) {
    this.#o = o;
    this.description = o.database.kind === 'pglite' ? `pg-boss on the store's PGlite (schema ${o.schema})` : `pg-boss on PostgreSQL (schema ${o.schema})`;
  }

  /** The started pg-boss; a failed start is forgotten, so the next call tries again. */
  #ready(): Promise<PgBoss> {
    if (this.#closed) return Promise.reject(new AppError('service_unavailable', 'The job queue is closed'));
    this.#boss ??= this.#start().catch((err: unknown) => {
      this.#boss = undefined;
      this.#o.log(`jobs: the queue could not start: ${(err as Error)?.stack ?? String(err)}`);
      throw new AppError('service_unavailable', 'The job queue is not available', [], { cause: err });
    });
    return this.#boss;
  }

  async #start(): Promise<PgBoss> {
    const o = this.#o;
    // Maintenance (expiry, lost heartbeats) runs on this cadence; a dead worker's job is retried
    // within about heartbeatSeconds + half of it.
    const supervise = Math.max(1, Math.floor(o.heartbeatSeconds / 2));
    const common: ConstructorOptions = {
      schema: o.schema,
      schedule: false,
      useListenNotify: true,
      superviseIntervalSeconds: supervise,
      monitorIntervalSeconds: supervise,
      instanceName: o.instanceName,
    };
    const boss =
      o.database.kind === 'pglite'
        ? // PGlite runs no autovacuum, so pg-boss's vacuum monitor could only warn about that.
          new PgBoss({ ...common, db: fromPglite(sharedPglite(o.database.pglite)), backend: 'pglite', monitorVacuum: false })
        : new PgBoss({ ...common, connectionString: o.database.url, max: 8, application_name: o.instanceName });
    // Without a listener an 'error' event would throw; pg-boss keeps running after one.
    boss.on('error', (err) => o.log(`jobs: pg-boss: ${err?.message ?? String(err)}`));
    boss.on('warning', (w) => o.log(`jobs: pg-boss warning: ${w.message}`));
    await boss.start();
    const analyze: QueueOptions & { deadLetter: string; notify: boolean } = {
      retryLimit: o.tries - 1,
      retryDelay: o.retryDelaySeconds,
      retryBackoff: true,
      retryDelayMax: 10 * 60,
      heartbeatSeconds: o.heartbeatSeconds,
      expireInSeconds: o.expireInSeconds,
      deadLetter: QUEUES.dead,
      notify: true,
    };
    const others: QueueOptions & { notify: boolean } = { retryLimit: CALLBACK_TRIES - 1, retryDelay: o.retryDelaySeconds, retryBackoff: true, retryDelayMax: 10 * 60, expireInSeconds: 120, notify: true };
    // createQueue leaves an existing queue as it was; updateQueue brings it to this configuration.
    for (const [name, options] of [[QUEUES.dead, others], [QUEUES.analyze, analyze], [QUEUES.callback, others]] as const) {
      await boss.createQueue(name, options);
      await boss.updateQueue(name, options);
    }
    return boss;
  }

  async #call<T>(what: string, fn: (boss: PgBoss) => Promise<T>): Promise<T> {
    const boss = await this.#ready();
    try {
      return await fn(boss);
    } catch (err) {
      this.#o.log(`jobs: ${what} failed: ${(err as Error)?.stack ?? String(err)}`);
      throw new AppError('service_unavailable', 'The job queue did not answer', [], { cause: err });
    }
  }

  async start(): Promise<void> {
    await this.#ready();
  }

  async submit(id: string, data: AnalysisJobData): Promise<void> {
    const sent = await this.#call('send', (boss) => boss.send(QUEUES.analyze, data, { id }));
    if (sent === null) throw new AppError('internal_error', `A job with id ${id} already exists`);
  }

  async find(id: string): Promise<QueuedJob | null> {
    const [job] = await this.#call('findJobs', (boss) => boss.findJobs<unknown>(QUEUES.analyze, { id }));
    return job ? toQueuedJob(job) : null;
  }

  async cancel(id: string): Promise<QueuedJob | null> {
    const job = await this.find(id);
    if (!job || job.state !== 'queued') return job;
    // pg-boss cancels any job not yet settled; it can only have started in the moment since find().
    await this.#call('cancel', (boss) => boss.cancel(QUEUES.analyze, id));
    return this.find(id);
  }

  async submitCallback(data: CallbackJobData): Promise<void> {
    // A done job's callback is queued by its own handler, just before the job is marked done: the
    // second's wait lets a receiver that asks GET /v1/jobs/{id} find it done.
    const options = { id: uuidFrom(`${data.jobId}:${data.outcome.status}`), startAfter: 1 };
    await this.#call('send', (boss) => boss.send(QUEUES.callback, data, options));
  }

  async work(handlers: JobHandlers, concurrency: number): Promise<void> {
    if (concurrency < 1) return;
    const boss = await this.#ready();
    const o = this.#o;
    const polling: WorkOptions = { pollingIntervalSeconds: o.pollSeconds, notifyPollingIntervalSeconds: o.pollSeconds, batchSize: 1 };
    await boss.work(QUEUES.analyze, { ...polling, localConcurrency: concurrency, includeMetadata: true, perJobResults: true }, async ([job]: JobWithMetadata<AnalysisJobData>[]) => {
      const run = { id: job.id, data: job.data, attempt: job.retryCount + 1, lastAttempt: job.retryCount >= job.retryLimit };
      return settle(job.id, await safely(() => handlers.analysis(run), o.log));
    });
    // A dead-letter copy keeps the failed job's id and last output; a throw here retries the copy.
    await boss.work(QUEUES.dead, { ...polling, includeMetadata: true }, async ([job]: JobWithMetadata<AnalysisJobData>[]) => {
      await handlers.deadLetter({ id: job.sourceId ?? job.id, data: job.data, error: jobError(job.sourceOutput) });
    });
    await boss.work(QUEUES.callback, { ...polling, localConcurrency: Math.min(concurrency, 4), includeMetadata: true, perJobResults: true }, async ([job]: JobWithMetadata<CallbackJobData>[]) => {
      const run = { id: job.id, data: job.data, attempt: job.retryCount + 1, lastAttempt: job.retryCount >= job.retryLimit };
      return settle(job.id, await safely(() => handlers.callback(run), o.log));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const boss = await this.#boss?.catch(() => undefined);
    // `close` ends pg-boss's own pool on PostgreSQL; a shared PGlite stays open for the store.
    await boss?.stop({ graceful: true, timeout: STOP_TIMEOUT_MS, close: true });
  }
}

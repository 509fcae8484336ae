/**
 * The job queue: analysis requests run later, by a worker in this process or another one, with
 * retries, a dead letter for the jobs that fail for good, and callbacks. pg-boss implements it (on
 * the store's PGlite by default, on PostgreSQL with DATABASE_URL); nothing here names pg-boss.
 */

/** What an analysis job carries: the request as POST /v1/analyze takes it, and where to report. */
export interface AnalysisJobData {
  /** The request body in its JSON shape (multipart text fields already decoded), without callbackUrl. */
  request: Record<string, unknown>;
  /** OHLCV sent as a multipart file or text field. */
  ohlcv?: string;
  /** The uploaded chart image, base64. */
  imageBase64?: string;
  /** Receives the result as a signed POST when the job is done or has failed for good. */
  callbackUrl?: string;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Why a try failed: a code of the error catalogue and its message. */
export interface JobError {
  code: string;
  message: string;
}

/** One job as the queue holds it (its payload left out: a caller asking about a job needs none of it). */
export interface QueuedJob {
  id: string;
  state: JobState;
  /** Tries started so far (0 while it waits for its first). */
  attempts: number;
  createdAt: string;
  updatedAt: string;
  /** What the last try returned, once the job is done. */
  result: Record<string, unknown> | null;
  /** Why the last try failed: set once failed, and while a failed try waits for its retry. */
  error: JobError | null;
}

/** What a handler says about one try. */
export type JobOutcome =
  | { status: 'done'; result: Record<string, unknown> }
  /** Try again after the backoff, while tries are left; then the job is dead-lettered as failed. */
  | { status: 'retry'; error: JobError }
  /** Failed for good (bad input): no retry, dead-lettered now. */
  | { status: 'failed'; error: JobError };

/** One try of a job, as a handler gets it. */
export interface JobRun<D> {
  id: string;
  data: D;
  /** 1 for the first try. */
  attempt: number;
  /** No retry follows this try if it fails. */
  lastAttempt: boolean;
}

/** A job that failed for good, as the dead-letter handler gets it. */
export interface DeadJob<D> {
  /** The id of the job that failed (not of its dead-letter copy). */
  id: string;
  data: D;
  error: JobError;
}

/** A callback to deliver: who to tell, about which job, and what happened to it. */
export interface CallbackJobData {
  jobId: string;
  url: string;
  outcome: { status: 'done'; result: Record<string, unknown> } | { status: 'failed'; error: JobError };
}

/** The handlers a worker runs. They should not throw; a throw counts as a retryable failure. */
export interface JobHandlers {
  analysis(run: JobRun<AnalysisJobData>): Promise<JobOutcome>;
  deadLetter(job: DeadJob<AnalysisJobData>): Promise<void>;
  callback(run: JobRun<CallbackJobData>): Promise<JobOutcome>;
}

export interface JobQueue {
  /** Where the queue lives, for the start-up log. */
  readonly description: string;
  /** Connect and prepare the queues now (otherwise the first call does). */
  start(): Promise<void>;
  /** Enqueue an analysis under the given id (a UUID), so its analysis can be stored under it too. */
  submit(id: string, data: AnalysisJobData): Promise<void>;
  /** The job with that id, or null when there is none (never was, or deleted after its retention). */
  find(id: string): Promise<QueuedJob | null>;
  /** Cancel the job if it is still queued; returns the job as it is afterwards, or null when unknown. */
  cancel(id: string): Promise<QueuedJob | null>;
  /** Enqueue a callback; a second one for the same job and outcome is dropped. */
  submitCallback(data: CallbackJobData): Promise<void>;
  /** Run the handlers in this process, `concurrency` analyses at once, until close. */
  work(handlers: JobHandlers, concurrency: number): Promise<void>;
  /** Stop the workers (letting running tries finish for a while) and disconnect. */
  close(): Promise<void>;
}

/** What a callback receiver answered. */
export interface CallbackResponse {
  status: number;
}

/** Delivers one callback POST; throws when the receiver cannot be reached. */
export interface CallbackPoster {
  post(url: string, body: string, headers: Record<string, string>): Promise<CallbackResponse>;
}

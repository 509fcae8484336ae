import { randomUUID } from 'node:crypto';
import { callbackUrlSchema, jobIdSchema } from '../contracts/jobs.ts';
import type { Analysis, ProviderInfo } from '../core/analysis/analysis.ts';
import { AppError } from '../core/errors.ts';
import { TIMEFRAME_HELP } from '../core/market/timeframe.ts';
import type { AnalysisJobData, CallbackPoster, JobError, JobQueue, JobState, QueuedJob } from '../ports/job-queue.ts';
import type { MarketSources } from '../ports/market-data.ts';
import type { AnalyzeDeps, AnalyzeLog } from './analyze-chart.ts';
import { parseAnalyzeRequest } from './analyze-request.ts';
import type { BarsQuery } from './fetch-market-bars.ts';
import { pickSource } from './fetch-market-bars.ts';

/** What the job stories need: the queue, the analysis as /v1/analyze runs it, and the callback settings. */
export interface JobsDeps {
  queue: JobQueue;
  analyze: AnalyzeDeps;
  /** Where a request that names only a symbol gets its bars; absent: such requests are refused. */
  market?: MarketSources;
  /** Signs callbacks (CHARTLENS_CALLBACK_SECRET); null: a job with a callbackUrl is refused. */
  callbackSecret: string | null;
  callbacks: CallbackPoster;
  log?: AnalyzeLog;
  now?: () => number;
  newId?: () => string;
}

/** A POST /v1/jobs request: the body (JSON shape) and, for multipart, the uploaded files. */
export interface JobSubmission {
  body: unknown;
  image?: Buffer;
  ohlcv?: string;
}

/** A job as GET /v1/jobs/{id} answers it. */
export interface JobView {
  id: string;
  status: JobState;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  error?: JobError;
  analysis?: Analysis;
}

/** What a finished try records: the stored analysis it answered with, and that answer's provider block. */
export interface JobResult {
  analysisId: string;
  /** As the try answered (a cache hit says cached, at no cost), which the stored analysis may not. */
  provider: ProviderInfo;
}

/** The result a done try records for its analysis. */
export function jobResultOf(analysis: Analysis): JobResult {
  return { analysisId: analysis.id, provider: analysis.provider };
}

/** The analysis a done job answered with, read back from the store; null once it is gone (retention). */
export async function analysisOfResult(deps: Pick<JobsDeps, 'analyze'>, result: Record<string, unknown> | null): Promise<Analysis | null> {
  const r = (result ?? {}) as Partial<JobResult>;
  const record = typeof r.analysisId === 'string' ? await deps.analyze.store.get(r.analysisId) : null;
  if (!record) return null;
  return r.provider ? { ...record.analysis, provider: r.provider } : record.analysis;
}

/** A job id from a URL, checked before it reaches the database. */
function readJobId(id: string): string {
  const parsed = jobIdSchema.safeParse(id);
  if (!parsed.success) throw new AppError('invalid_request', `"${id.slice(0, 80)}" is not a job id (a UUID)`, [{ field: 'id', message: 'not a UUID' }]);
  return parsed.data.toLowerCase();
}

function readCallbackUrl(deps: JobsDeps, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const parsed = callbackUrlSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('invalid_request', 'callbackUrl must be an absolute http:// or https:// URL (at most 2048 characters)', [{ field: 'callbackUrl', message: parsed.error.issues[0]?.message ?? 'invalid' }]);
  }
  if (!deps.callbackSecret) {
    throw new AppError('callback_not_configured', 'This server has no CHARTLENS_CALLBACK_SECRET to sign callbacks with: send the job without callbackUrl and poll GET /v1/jobs/{id}', [
      { field: 'callbackUrl', message: 'not accepted by this server' },
    ]);
  }
  return parsed.data;
}

/** What fetching the bars would refuse at once (no such source, a timeframe it lacks), refused now. */
function checkMarketQuery(market: MarketSources | undefined, q: BarsQuery): void {
  if (!market) throw new AppError('invalid_request', 'This server fetches no market data: send candles, csv or an image', [{ field: 'candles', message: 'missing' }]);
  const source = pickSource(market, q.source);
  if (!source.timeframes.includes(q.timeframe)) {
    throw new AppError('unsupported_timeframe', `The ${source.name} source serves ${source.timeframes.join(', ')} bars, not ${q.timeframe} (${TIMEFRAME_HELP})`, [
      { field: 'timeframe', message: `one of ${source.timeframes.join(', ')}` },
    ]);
  }
}

/**
 * Validate a request exactly as POST /v1/analyze does (bad input is a 4xx now, never a failed job),
 * then enqueue it. The worker parses the same request again with the same parser.
 */
export async function submitJob(deps: JobsDeps, sub: JobSubmission): Promise<{ id: string; status: 'queued' }> {
  if (typeof sub.body !== 'object' || sub.body === null || Array.isArray(sub.body)) {
    throw new AppError('invalid_request', 'The request body must be a JSON object', []);
  }
  const { callbackUrl, ...request } = sub.body as Record<string, unknown>;
  const pending = parseAnalyzeRequest(request, { image: sub.image, ohlcv: sub.ohlcv });
  if (pending.market) checkMarketQuery(deps.market, pending.market);
  const callback = readCallbackUrl(deps, callbackUrl);
  // The same checks the analysis makes first (type, size, pixels), so a bad upload is refused here.
  if (sub.image) await deps.analyze.images.normalize(sub.image);
  const id = (deps.newId ?? randomUUID)();
  const data: AnalysisJobData = {
    request,
    ...(sub.ohlcv !== undefined ? { ohlcv: sub.ohlcv } : {}),
    ...(sub.image ? { imageBase64: sub.image.toString('base64') } : {}),
    ...(callback ? { callbackUrl: callback } : {}),
  };
  await deps.queue.submit(id, data);
  deps.log?.('job_submitted', { job: id, callback: callback !== null });
  return { id, status: 'queued' };
}

async function viewOf(deps: JobsDeps, job: QueuedJob): Promise<JobView> {
  const analysis = job.state === 'done' ? await analysisOfResult(deps, job.result) : null;
  // A done job outlives its analysis when the store's retention deleted it.
  const gone = job.state === 'done' && !analysis ? { code: 'not_found', message: 'The analysis of this job is no longer in the store' } : null;
  const error = job.error ?? gone;
  return {
    id: job.id,
    status: job.state,
    attempts: job.attempts,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(error ? { error } : {}),
    ...(analysis ? { analysis } : {}),
  };
}

/** GET /v1/jobs/{id}: the job's state, with its analysis once done. */
export async function getJob(deps: JobsDeps, id: string): Promise<JobView> {
  const jobId = readJobId(id);
  const job = await deps.queue.find(jobId);
  if (!job) throw new AppError('not_found', `No job with id ${jobId}`);
  return viewOf(deps, job);
}

/** DELETE /v1/jobs/{id}: cancel a queued job; one that has started (or ended) cannot be. */
export async function cancelJob(deps: JobsDeps, id: string): Promise<JobView> {
  const jobId = readJobId(id);
  const job = await deps.queue.cancel(jobId);
  if (!job) throw new AppError('not_found', `No job with id ${jobId}`);
  if (job.state !== 'cancelled') {
    throw new AppError('job_not_cancellable', `Job ${jobId} is ${job.state}: only a queued job can be cancelled`, [{ field: 'status', message: job.state }]);
  }
  deps.log?.('job_cancelled', { job: jobId });
  return viewOf(deps, job);
}

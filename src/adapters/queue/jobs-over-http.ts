import { setTimeout as sleep } from 'node:timers/promises';
import type { Analysis } from '../../core/analysis/analysis.ts';
import type { AnalyzerId } from '../../core/analysis/analyzer-id.ts';
import { AppError, isErrorCode } from '../../core/errors.ts';
import type { JobError, JobState } from '../../ports/job-queue.ts';
import type { RateLimiter } from '../../ports/rate-limiter.ts';
import type { LoadedInput, ScoreTarget } from '../../ports/score-target.ts';
import { analyzeRequestInit, fetchJson } from '../http-client/score-over-http.ts';

interface RemoteJob {
  id: string;
  status: JobState;
  error?: JobError;
  analysis?: Analysis;
}

export interface JobsTargetOptions {
  endpoint: string;
  apiKey: string | null;
  analyzer: AnalyzerId | null;
  model: string | null;
  limiter: RateLimiter;
  /** One HTTP call. */
  requestTimeoutMs: number;
  /** How long a job may take, queueing included, before its input gets an error line. */
  jobTimeoutMs: number;
  pollMs: number;
}

/**
 * Send each input to a chartlens server's queue (POST /v1/jobs) and wait for its job by polling
 * GET /v1/jobs/{id}. A job that fails for good answers with its own error code, so the input's
 * error line reads as it would have from POST /v1/analyze.
 */
export function httpJobsTarget(o: JobsTargetOptions): ScoreTarget {
  const base = o.endpoint.replace(/\/+$/, '');
  const auth: Record<string, string> = o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {};
  return {
    async analyze(input: LoadedInput): Promise<Analysis> {
      const init = analyzeRequestInit(input, o);
      await o.limiter.take();
      const accepted = (await fetchJson(`${base}/v1/jobs`, { method: 'POST', headers: { ...auth, ...init.headers }, body: init.body }, o.requestTimeoutMs)) as { id?: unknown };
      if (typeof accepted.id !== 'string') throw new AppError('endpoint_error', 'POST /v1/jobs answered without a job id');
      const url = `${base}/v1/jobs/${encodeURIComponent(accepted.id)}`;
      const deadline = Date.now() + o.jobTimeoutMs;
      for (;;) {
        const job = (await fetchJson(url, { headers: auth }, o.requestTimeoutMs)) as RemoteJob;
        if (job.status === 'done' && job.analysis) return job.analysis;
        if (job.status === 'failed') throw new AppError(isErrorCode(job.error?.code) ? job.error.code : 'endpoint_error', job.error?.message ?? `Job ${accepted.id} failed`);
        if (job.status === 'cancelled') throw new AppError('endpoint_error', `Job ${accepted.id} was cancelled on the server`);
        if (Date.now() > deadline) throw new AppError('endpoint_error', `Job ${accepted.id} did not finish within ${Math.round(o.jobTimeoutMs / 1000)} s (still ${job.status})`);
        await sleep(o.pollMs);
      }
    },
  };
}

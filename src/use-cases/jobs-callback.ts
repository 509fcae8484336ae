import { createHmac, timingSafeEqual } from 'node:crypto';
import type { JobCallbackBody } from '../contracts/jobs.ts';
import type { CallbackJobData, JobOutcome, JobRun } from '../ports/job-queue.ts';
import { analysisOfResult, type JobsDeps } from './jobs.ts';

/** The header carrying `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'X-Chartlens-Signature';
/** The header carrying the Unix time of the delivery (also `timestamp` in the signed body). */
export const TIMESTAMP_HEADER = 'X-Chartlens-Timestamp';

/** `sha256=` and the hex HMAC-SHA256 of the body with the secret. */
export function signCallback(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** True when the header is the body's signature with this secret (compared in constant time). */
export function verifyCallback(secret: string, rawBody: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(signCallback(secret, rawBody));
  const got = Buffer.from(header);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The body a callback sends: the job's id and outcome, with the analysis read back from the store. */
async function callbackBody(deps: JobsDeps, data: CallbackJobData, timestamp: number): Promise<JobCallbackBody> {
  if (data.outcome.status === 'failed') return { id: data.jobId, status: 'failed', timestamp, error: data.outcome.error };
  const analysis = await analysisOfResult(deps, data.outcome.result);
  if (!analysis) throw new Error(`The analysis of job ${data.jobId} is not in the store`);
  return { id: data.jobId, status: 'done', timestamp, analysis };
}

/**
 * One try at delivering a callback: a signed POST; any 2xx is delivered. A receiver that is down or
 * answers otherwise is tried again with backoff; the job it reports on is not touched either way.
 */
export async function deliverCallback(deps: JobsDeps, run: JobRun<CallbackJobData>): Promise<JobOutcome> {
  const { jobId, url } = run.data;
  if (!deps.callbackSecret) {
    deps.log?.('callback_dropped', { job: jobId, reason: 'no CHARTLENS_CALLBACK_SECRET' });
    return { status: 'failed', error: { code: 'callback_not_configured', message: 'There is no CHARTLENS_CALLBACK_SECRET to sign the callback with' } };
  }
  const timestamp = Math.floor((deps.now ?? Date.now)() / 1000);
  const body = JSON.stringify(await callbackBody(deps, run.data, timestamp));
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'chartlens-callback',
    [SIGNATURE_HEADER]: signCallback(deps.callbackSecret, body),
    [TIMESTAMP_HEADER]: String(timestamp),
  };
  let status: number;
  try {
    ({ status } = await deps.callbacks.post(url, body, headers));
  } catch (err) {
    deps.log?.('callback_failed', { job: jobId, attempt: run.attempt, last: run.lastAttempt, error: (err as Error)?.message ?? String(err) });
    return { status: 'retry', error: { code: 'endpoint_unreachable', message: `The callback URL could not be reached: ${(err as Error)?.message ?? 'unknown error'}` } };
  }
  if (status >= 200 && status < 300) {
    deps.log?.('callback_delivered', { job: jobId, attempt: run.attempt, status });
    return { status: 'done', result: { status } };
  }
  deps.log?.('callback_failed', { job: jobId, attempt: run.attempt, last: run.lastAttempt, status });
  return { status: 'retry', error: { code: 'endpoint_error', message: `The callback URL answered HTTP ${status}` } };
}

import type { Analysis } from '../core/analysis/analysis.ts';
import { AppError } from '../core/errors.ts';
import type { AnalysisJobData, CallbackJobData, DeadJob, JobHandlers, JobOutcome, JobRun } from '../ports/job-queue.ts';
import { analyzeChart } from './analyze-chart.ts';
import { parseAnalyzeRequest, withMarketBars } from './analyze-request.ts';
import { deliverCallback } from './jobs-callback.ts';
import { jobResultOf, type JobsDeps } from './jobs.ts';

const done = (analysis: Analysis): JobOutcome => ({ status: 'done', result: { ...jobResultOf(analysis) } });

/**
 * Bad input fails for good at once (retrying cannot fix it); anything else (the store, a
 * market-data provider, our own bug) is tried again. An LLM failure never gets here: the analysis
 * answers degraded instead.
 */
function failure(deps: JobsDeps, run: JobRun<AnalysisJobData>, err: unknown): JobOutcome {
  if (err instanceof AppError) {
    const error = { code: err.code, message: err.message };
    return err.kind === 'input' ? { status: 'failed', error } : { status: 'retry', error };
  }
  deps.log?.('job_error', { job: run.id, attempt: run.attempt, error: (err as Error)?.stack ?? String(err) });
  return { status: 'retry', error: { code: 'internal_error', message: 'Internal error' } };
}

async function tryAnalysis(deps: JobsDeps, run: JobRun<AnalysisJobData>): Promise<JobOutcome> {
  const store = deps.analyze.store;
  try {
    // The analysis is stored under the job's id. A try that saved it and lost its worker before the
    // job was marked done left it there: this try answers with it instead of making a second one.
    const saved = await store.get(run.id);
    if (saved) return done(saved.analysis);
    const { data } = run;
    const files = { image: data.imageBase64 !== undefined ? Buffer.from(data.imageBase64, 'base64') : undefined, ohlcv: data.ohlcv };
    const command = await withMarketBars(parseAnalyzeRequest(data.request, files), deps.market);
    return done(await analyzeChart({ ...deps.analyze, newId: () => run.id }, command));
  } catch (err) {
    // Two tries at once (one whose claim lapsed while it still ran): the second save of the id fails,
    // and the first one's analysis is the answer.
    const saved = await store.get(run.id).catch(() => null);
    if (saved) return done(saved.analysis);
    return failure(deps, run, err);
  }
}

/** One try of an analysis job; a done job with a callbackUrl gets its callback queued. */
export async function runAnalysisJob(deps: JobsDeps, run: JobRun<AnalysisJobData>): Promise<JobOutcome> {
  deps.log?.('job_started', { job: run.id, attempt: run.attempt });
  const outcome = await tryAnalysis(deps, run);
  deps.log?.('job_finished', { job: run.id, attempt: run.attempt, status: outcome.status, ...(outcome.status === 'done' ? {} : { code: outcome.error.code }) });
  if (outcome.status === 'done' && run.data.callbackUrl) await queueCallback(deps, { jobId: run.id, url: run.data.callbackUrl, outcome });
  return outcome;
}

/**
 * A job that failed for good (bad input, or out of tries): its callback, if it asked for one. A
 * queue that cannot take the callback fails this dead-letter copy, which is tried again.
 */
export async function onDeadJob(deps: JobsDeps, job: DeadJob<AnalysisJobData>): Promise<void> {
  deps.log?.('job_failed', { job: job.id, code: job.error.code });
  if (job.data.callbackUrl) await deps.queue.submitCallback({ jobId: job.id, url: job.data.callbackUrl, outcome: { status: 'failed', error: job.error } });
}

/** A callback that cannot even be queued is logged: it never fails the job it reports on. */
async function queueCallback(deps: JobsDeps, data: CallbackJobData): Promise<void> {
  try {
    await deps.queue.submitCallback(data);
  } catch (err) {
    deps.log?.('callback_not_queued', { job: data.jobId, error: (err as Error)?.message ?? String(err) });
  }
}

/** The handlers a worker runs: analyses, the dead letters, callbacks. */
export function jobHandlers(deps: JobsDeps): JobHandlers {
  return {
    analysis: (run) => runAnalysisJob(deps, run),
    deadLetter: (job) => onDeadJob(deps, job),
    callback: (run) => deliverCallback(deps, run),
  };
}

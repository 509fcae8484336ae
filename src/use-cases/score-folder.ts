import { createHash } from 'node:crypto';
import type { ResultLine } from '../core/evaluation/score-result.ts';
import { AppError } from '../core/errors.ts';
import type { InputSource, SourceInput } from '../ports/input-source.ts';
import type { ResultsSink } from '../ports/results-sink.ts';
import type { LoadedInput, ScoreTarget } from '../ports/score-target.ts';


export interface ScoreProgress {
  done: number;
  total: number;
  failed: number;
  costUsd: number;
  elapsedMs: number;
}

export interface ScoreOptions {
  source: InputSource;
  concurrency: number;
  /** Stop starting inputs once the spend of finished ones reaches this. */
  budgetUsd: number | null;
  results: ResultsSink;
  onProgress?: (p: ScoreProgress) => void;
  now?: () => number;
}

export interface ScoreRun {
  lines: ResultLine[];
  /** Inputs skipped because the results file already had them (resume). */
  resumed: number;
  /** Of those, how many have an error line from the earlier run. */
  resumedFailed: number;
  /** Inputs left unscored because the budget was reached. */
  notStarted: number;
  budgetReached: boolean;
  skippedLinks: string[];
  /** Documentation files beside the inputs, not scored. */
  skippedFiles: string[];
}

/** The sha256 recorded for an input whose files could not be read (the hash of no bytes). */
const UNREAD_SHA256 = createHash('sha256').digest('hex');

function parseJsonFile(bytes: Buffer, what: 'news' | 'candles'): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new AppError(what === 'news' ? 'invalid_news' : 'invalid_candles', `The ${what} file is not valid JSON: ${(err as Error).message}`);
  }
}

function load(input: SourceInput, bytes: { image?: Buffer; data?: Buffer; news?: Buffer }): LoadedInput {
  if (input.problem) throw new AppError('invalid_request', input.problem.message, [{ field: input.problem.code, message: input.file }]);
  const data = bytes.data
    ? input.data?.toLowerCase().endsWith('.json')
      ? { kind: 'json' as const, value: parseJsonFile(bytes.data, 'candles') }
      : { kind: 'csv' as const, text: bytes.data.toString('utf8') }
    : undefined;
  return { file: input.file, image: bytes.image, data, news: bytes.news ? parseJsonFile(bytes.news, 'news') : undefined };
}

function errorOf(err: unknown, problem?: SourceInput['problem']): { code: string; message: string } {
  if (problem) return problem;
  if (err instanceof AppError) return { code: err.code, message: err.message };
  // Anything else is a bug of ours: the line says so, and the run goes on with the other inputs.
  return { code: 'internal_error', message: err instanceof Error ? err.message : 'unknown error' };
}

/**
 * Score every input of a folder with bounded concurrency. Each result is appended to the results
 * file as soon as it is known; inputs already in the file (same path and sha256) are skipped, so
 * a rerun after a crash finishes the job with exactly one line per input.
 */
export async function scoreFolder(target: ScoreTarget, o: ScoreOptions): Promise<ScoreRun> {
  const now = o.now ?? Date.now;
  const started = now();
  const { inputs, skippedLinks, skippedFiles } = await o.source.discover();
  const lines: ResultLine[] = [];
  let resumed = 0;
  let resumedFailed = 0;
  let cost = 0;
  let failed = 0;
  let budgetReached = false;
  let next = 0;
  let notStarted = 0;
  const report = (): void =>
    o.onProgress?.({ done: lines.length + resumed, total: inputs.length, failed, costUsd: cost, elapsedMs: now() - started });

  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const input = inputs[next++];
      // An unreadable input (gone, no permission...) gets an error line like any bad input.
      const bytes = await o.source.read(input).catch((err: unknown) => ({ sha256: UNREAD_SHA256, unreadable: err as Error }));
      const earlier = o.results.previous(input.file, bytes.sha256);
      if (earlier !== null) {
        resumed++;
        if (earlier === 'failed') resumedFailed++;
        report();
        continue;
      }
      // Past the budget, inputs that still need a line are counted, not started.
      if (budgetReached) {
        notStarted++;
        continue;
      }
      let line: ResultLine;
      try {
        if ('unreadable' in bytes) throw new AppError('unreadable_file', bytes.unreadable.message, [], { cause: bytes.unreadable });
        const analysis = await target.analyze(load(input, bytes));
        line = { file: input.file, sha256: bytes.sha256, ok: true, analysis };
        cost += analysis.provider.costUsd ?? 0;
      } catch (err) {
        line = { file: input.file, sha256: bytes.sha256, ok: false, error: errorOf(err, input.problem) };
        failed++;
      }
      o.results.append(line);
      lines.push(line);
      if (o.budgetUsd !== null && cost >= o.budgetUsd) budgetReached = true;
      report();
    }
  };
  report();
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return { lines, resumed, resumedFailed, notStarted, budgetReached, skippedLinks, skippedFiles };
}

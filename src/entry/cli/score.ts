import { join, resolve } from 'node:path';
import { openBatch, type ResultsFormat } from '../../composition/batch.ts';
import { formatSummary, summarizeResults } from '../../core/evaluation/score-summary.ts';
import type { AnalyzerId } from '../../core/analysis/analyzer-id.ts';
import { scoreFolder } from '../../use-cases/score-folder.ts';
import { progressReporter } from './progress.ts';
import { UsageError } from './usage-error.ts';

type Values = Record<string, string | boolean | undefined>;

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

function positive(v: string | undefined, name: string, integer: boolean): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

/**
 * `chartlens score DIR`: score a folder in this process (or through --endpoint), append one line
 * per input, print a summary. Exit 0 when every input succeeded, 2 when some failed.
 */
export async function runScore(positionals: string[], values: Values): Promise<number> {
  const dir = positionals[0];
  if (!dir || positionals.length > 1) throw new UsageError('score takes exactly one folder: chartlens score DIR');
  const format = (str(values.format) ?? 'jsonl') as ResultsFormat;
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv');
  const analyzer = str(values.analyzer) as AnalyzerId | undefined;
  if (analyzer && analyzer !== 'local' && analyzer !== 'openai') throw new UsageError('--analyzer must be local or openai');
  if (values.resume && values.overwrite) throw new UsageError('--resume and --overwrite exclude each other');
  if (values['api-key'] && !values.endpoint) throw new UsageError('--api-key goes with --endpoint');
  const concurrency = positive(str(values.concurrency), 'concurrency', true) ?? 4;
  const rpm = positive(str(values.rate), 'rate', false);
  const budgetUsd = positive(str(values['budget-usd']), 'budget-usd', false);
  const out = resolve(str(values.out) ?? join(dir, `chartlens-results.${format}`));
  const batch = await openBatch({
    dir,
    recursive: values.recursive === true,
    out,
    format,
    mode: values.resume ? 'resume' : values.overwrite ? 'overwrite' : 'new',
    endpoint: str(values.endpoint) ?? null,
    apiKey: str(values['api-key']) ?? null,
    analyzer: analyzer ?? null,
    model: str(values.model) ?? null,
    ratePerMinute: rpm,
    workers: positive(str(values.workers), 'workers', true),
  });
  const progress = progressReporter(process.stderr);
  try {
    const run = await scoreFolder(batch.target, { source: batch.source, results: batch.results, concurrency, budgetUsd, onProgress: progress.update });
    progress.finish();
    const summary = summarizeResults(run.lines);
    const notes: string[] = [`results: ${out}`];
    if (run.resumed) {
      notes.push(`resumed: ${run.resumed} input(s) already had a line and were skipped${run.resumedFailed ? ` (${run.resumedFailed} of them failed earlier)` : ''}`);
    }
    if (run.skippedLinks.length) notes.push(`not followed (symlinks leaving the folder): ${run.skippedLinks.join(', ')}`);
    if (run.budgetReached) notes.push(`budget of $${budgetUsd} reached: stopped cleanly with ${run.notStarted} input(s) not started; rerun with --resume and a larger budget to finish`);
    process.stdout.write(`${formatSummary(summary)}\n${notes.join('\n')}\n`);
    // The exit code speaks for the whole results file: failures kept from an earlier run count too.
    return summary.failed > 0 || run.resumedFailed > 0 ? 2 : 0;
  } finally {
    await batch.close();
  }
}

import { join, resolve } from 'node:path';
import { ANALYZER_IDS } from '../../../core/analysis/analyzer-id.ts';
import type { ResultLine } from '../../../core/evaluation/score-result.ts';
import { Flags } from '../args.ts';
import type { Command } from '../command.ts';
import { usageError } from '../failure.ts';
import { requireFolder, requireOutputFolder } from '../files.ts';
import { progressReporter } from '../progress.ts';

const FORMATS = ['jsonl', 'csv'] as const;

/** The degraded lines of a run grouped by code, e.g. `llm_not_configured 3 (a.csv, b.csv, c.csv)`. */
export function degradedByCode(lines: readonly ResultLine[]): string[] {
  const byCode = new Map<string, string[]>();
  for (const line of lines) {
    const degraded: unknown = line.ok ? line.analysis?.provider.degraded : false;
    if (!degraded) continue;
    // A line from a remote endpoint is only as typed as that server's version made it.
    const code = typeof degraded === 'object' && typeof (degraded as { code?: unknown }).code === 'string' ? (degraded as { code: string }).code : 'unknown';
    byCode.set(code, [...(byCode.get(code) ?? []), line.file]);
  }
  return [...byCode.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([code, files]) => `${code} ${files.length} (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''})`);
}

/**
 * `chartlens score DIR`: score a folder in this process (or through --endpoint), append one line
 * per input, print a summary. Exit 0 when every input got a real answer; 2 when some failed, or
 * were answered by the rules standing in for a missing or failing model (unless --allow-degraded).
 */
export const command: Command = {
  name: 'score',
  usage: 'chartlens score DIR [options]',
  description: [
    'Scores every chart image (.png .jpg .jpeg .webp) and OHLCV file (.csv, .json) of a folder: an image',
    'and a data file with the same base name are one input, <base>.news.json is its news. Each result is',
    'appended to the results file the moment it is known, so an interrupted run loses nothing finished',
    '(rerun with --resume). At the end, a summary: actions, verification, cost, latency, degraded, failures.',
  ].join('\n'),
  positionals: { name: 'DIR', help: 'the folder to score' },
  options: {
    out: { type: 'string', value: 'FILE', shows: 'DIR/chartlens-results.jsonl (.csv with --format csv)', help: 'the results file' },
    format: { type: 'string', value: FORMATS.join('|'), default: 'jsonl', help: 'one JSON line, or one CSV row, per input' },
    recursive: { type: 'boolean', help: 'descend into subfolders' },
    concurrency: { type: 'string', value: 'N', default: '4', help: 'inputs analysed at once' },
    rate: { type: 'string', value: 'RPM', shows: 'no limit', help: 'at most this many model analyses (or endpoint requests) start per minute' },
    'budget-usd': { type: 'string', value: 'X', shows: 'no limit', help: 'stop starting inputs once the spend of finished ones reaches X; rerun with --resume to go on' },
    analyzer: { type: 'string', value: ANALYZER_IDS.join('|'), shows: 'CHARTLENS_ANALYZER, else local', help: 'the analyzer' },
    model: { type: 'string', value: 'M', shows: 'CHARTLENS_MODEL', help: 'the model, for --analyzer openai' },
    endpoint: { type: 'string', value: 'URL', shows: 'in this process', help: 'send each input to a running chartlens server (POST URL/v1/analyze) instead' },
    'api-key': { type: 'string', value: 'K', help: 'the API key of that server, with --endpoint' },
    queue: { type: 'boolean', help: 'with --endpoint: submit each input as a job (POST URL/v1/jobs) and collect it by polling, so the server\'s workers share the load' },
    resume: { type: 'boolean', help: 'keep the lines of an existing results file and score only the inputs it lacks' },
    overwrite: { type: 'boolean', help: 'start an existing results file again' },
    workers: { type: 'string', value: 'N', shows: 'one per CPU core', help: 'worker threads that compute the facts and draw the charts (in this process)' },
    'allow-degraded': {
      type: 'boolean',
      help: 'exit 0 even when some answers are degraded (the rules answered because the model is not configured or failed)',
    },
  },
  notes: [
    'exit codes: 0 every input has a real answer; 2 some inputs failed (on --resume, error lines kept',
    'from the earlier run count too) or some answers are degraded and --allow-degraded is not given;',
    '1 the run itself failed (e.g. the results file exists); 64 usage error.',
  ].join('\n'),
  async run(args, io) {
    const f = new Flags(command, args);
    if (args.positionals.length !== 1) throw usageError('score takes exactly one folder: chartlens score DIR');
    const dir = args.positionals[0];
    const format = f.choice('format', FORMATS) ?? 'jsonl';
    const analyzer = f.choice('analyzer', ANALYZER_IDS) ?? null;
    if (f.flag('resume') && f.flag('overwrite')) throw usageError('--resume and --overwrite exclude each other');
    const endpoint = f.string('endpoint') ?? null;
    if (f.string('api-key') !== undefined && !endpoint) throw usageError('--api-key goes with --endpoint');
    if (endpoint !== null && !/^https?:\/\/\S+$/i.test(endpoint)) throw usageError(`--endpoint must be an http:// or https:// URL (got "${endpoint}")`);
    const queue = f.flag('queue');
    if (queue && !endpoint) throw usageError('--queue needs --endpoint URL: the jobs go to that server\'s queue (POST URL/v1/jobs), whichever database it keeps them in');
    const concurrency = f.int('concurrency', { min: 1 }) ?? 4;
    const rpm = f.number('rate', { positive: true }) ?? null;
    const budgetUsd = f.number('budget-usd', { positive: true }) ?? null;
    const workers = f.int('workers', { min: 1, max: 64 }) ?? null;
    const allowDegraded = f.flag('allow-degraded');
    const out = resolve(f.string('out') ?? join(dir, `chartlens-results.${format}`));
    // Checked here so a missing folder reads "cannot read DIR: no such folder", not a raw ENOENT.
    requireFolder(dir);
    requireOutputFolder(out);

    const [{ openBatch }, { openQueueBatch }, { loadConfig }, { scoreFolder }, { formatSummary, summarizeResults }] = await Promise.all([
      import('../../../composition/batch.ts'),
      import('../../../composition/jobs.ts'),
      import('../../../composition/config.ts'),
      import('../../../use-cases/score-folder.ts'),
      import('../../../core/evaluation/score-summary.ts'),
    ]);
    const batchOptions: Parameters<typeof openBatch>[0] = {
      dir,
      recursive: f.flag('recursive'),
      out,
      format,
      mode: f.flag('resume') ? 'resume' : f.flag('overwrite') ? 'overwrite' : 'new',
      endpoint,
      apiKey: f.string('api-key') ?? null,
      analyzer,
      model: f.string('model') ?? null,
      ratePerMinute: rpm,
      workers,
      // A remote endpoint needs no local configuration (nor its store).
      config: endpoint ? undefined : loadConfig(io.env),
    };
    // The same folder source, results file and scoring either way; only where an input goes differs.
    const batch = queue && endpoint ? openQueueBatch({ ...batchOptions, endpoint }) : await openBatch(batchOptions);
    const progress = progressReporter(io.stderr);
    try {
      const run = await scoreFolder(batch.target, { source: batch.source, results: batch.results, concurrency, budgetUsd, onProgress: (p) => progress.update(p) });
      progress.finish();
      const summary = summarizeResults(run.lines);
      const notes: string[] = [`results: ${out}`];
      if (run.resumed) {
        notes.push(`resumed: ${run.resumed} input(s) already had a line and were skipped${run.resumedFailed ? ` (${run.resumedFailed} of them failed earlier)` : ''}`);
      }
      if (run.skippedLinks.length) notes.push(`not followed (symlinks leaving the folder): ${run.skippedLinks.join(', ')}`);
      if (run.skippedFiles.length) notes.push(`skipped (not inputs): ${run.skippedFiles.join(', ')}`);
      if (run.budgetReached) notes.push(`budget of $${budgetUsd} reached: stopped cleanly with ${run.notStarted} input(s) not started; rerun with --resume and a larger budget to finish`);
      if (summary.degraded > 0) {
        notes.push(`degraded: ${summary.degraded} answer(s) came from the rules standing in for the model: ${degradedByCode(run.lines).join('; ')}`);
        if (!allowDegraded) notes.push('exit 2 because of the degraded answers; pass --allow-degraded to accept them');
      }
      io.stdout.write(`${formatSummary(summary)}\n${notes.join('\n')}\n`);
      // The exit code speaks for the whole results file: failures kept from an earlier run count too.
      const failed = summary.failed > 0 || run.resumedFailed > 0;
      return failed || (summary.degraded > 0 && !allowDegraded) ? 2 : 0;
    } finally {
      await batch.close();
    }
  },
};

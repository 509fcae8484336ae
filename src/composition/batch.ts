import { availableParallelism } from 'node:os';
import { folderInputSource } from '../adapters/files/folder-inputs.ts';
import { type ResultsFormat, ResultsFile } from '../adapters/files/results-file.ts';
import { httpTarget } from '../adapters/http-client/score-over-http.ts';
import { createRateLimiter } from '../adapters/timing/rate-limiter.ts';
import type { AnalyzerId } from '../core/analysis/analyzer-id.ts';
import type { Analyzer } from '../ports/analyzer.ts';
import type { InputSource } from '../ports/input-source.ts';
import type { RateLimiter } from '../ports/rate-limiter.ts';
import type { ResultsSink } from '../ports/results-sink.ts';
import type { ScoreTarget } from '../ports/score-target.ts';
import { inProcessTarget } from '../use-cases/score-targets.ts';
import { type Config, loadConfig } from './config.ts';
import { buildServices, type Services } from './root.ts';

export type { ResultsFormat };

export interface BatchOptions {
  dir: string;
  recursive: boolean;
  /** The results file (absolute); it is never scored as an input. */
  out: string;
  format: ResultsFormat;
  mode: 'new' | 'resume' | 'overwrite';
  /** Score through a running chartlens server instead of in this process. */
  endpoint: string | null;
  apiKey: string | null;
  analyzer: AnalyzerId | null;
  model: string | null;
  /** Model calls (or endpoint requests) per minute; null: no limit. */
  ratePerMinute: number | null;
  /** Worker threads for facts and charts in this process; default: one per core. */
  workers: number | null;
  config?: Config;
}

export interface Batch {
  source: InputSource;
  results: ResultsSink;
  target: ScoreTarget;
  close(): Promise<void>;
}

/** Rate-limit the model calls of an analyzer (cached answers never reach it, so they are free). */
function limited(analyzer: Analyzer, limiter: RateLimiter): Analyzer {
  return {
    id: analyzer.id,
    kind: analyzer.kind,
    modelFor: (input) => analyzer.modelFor(input),
    analyze: async (input) => {
      await limiter.take();
      return analyzer.analyze(input);
    },
  };
}

/** The batch profile: a folder in, a results file out, and the analysis in-process or over HTTP. */
export async function openBatch(o: BatchOptions): Promise<Batch> {
  const source = folderInputSource(o.dir, { recursive: o.recursive, exclude: [o.out] });
  const results = ResultsFile.open(o.out, o.format, o.mode);
  const limiter = createRateLimiter(o.ratePerMinute);
  if (o.endpoint) {
    const target = httpTarget({ endpoint: o.endpoint, apiKey: o.apiKey, analyzer: o.analyzer, model: o.model, limiter, timeoutMs: 5 * 60_000 });
    return { source, results, target, close: () => Promise.resolve(results.close()) };
  }
  // Facts and charts run on worker threads, so concurrent inputs are not queued behind one thread.
  return inProcessBatch(source, results, async () =>
    buildServices(o.config ?? loadConfig(), { workers: o.workers ?? availableParallelism(), wrapAnalyzer: (a) => limited(a, limiter) }),
  (services) => inProcessTarget(services.analyze, { analyzer: o.analyzer, model: o.model }));
}

/**
 * A batch that analyses in this process: the services are built (the results file is closed again
 * if that fails), and closing the batch closes the results file and the services.
 */
export async function inProcessBatch(
  source: InputSource,
  results: ResultsSink,
  build: () => Promise<Services>,
  targetFor: (services: Services) => ScoreTarget,
): Promise<Batch & { services: Services }> {
  let services: Services;
  try {
    services = await build();
  } catch (err) {
    results.close();
    throw err;
  }
  return {
    source,
    results,
    target: targetFor(services),
    services,
    async close() {
      results.close();
      await services.close();
    },
  };
}

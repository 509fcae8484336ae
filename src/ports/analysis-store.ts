import type { AnalysesPage } from '../contracts/analyses-list.ts';
import type { Analysis } from '../core/analysis/analysis.ts';
import type { BuiltPrompt } from './analyzer.ts';

/** One stored analysis: the answer and everything needed to audit it. */
export interface AnalysisRecord {
  id: string;
  createdAt: string;
  /** sha256 over image bytes, facts, news, prompt version, analyzer and model. */
  cacheKey: string;
  analysis: Analysis;
  /** The request as received, minus the image bytes (those are in `image`). */
  request: unknown;
  prompt: BuiltPrompt;
  /** The model's raw output text, or null for the rules analyzer. */
  rawOutput: string | null;
  /** The exact PNG the model saw. */
  image: Buffer;
}

/** Persistence for analyses (PGlite embedded by default, PostgreSQL when configured). */
export interface AnalysisStore {
  save(record: AnalysisRecord): Promise<void>;
  get(id: string): Promise<AnalysisRecord | null>;
  /** The most recent non-degraded analysis with this cache key, if any. */
  findByCacheKey(cacheKey: string): Promise<AnalysisRecord | null>;
  getImage(id: string): Promise<Buffer | null>;
  /** A page of the history, newest first: at most `limit` after the cursor a previous page gave. */
  list(page: { limit: number; cursor?: string }): Promise<AnalysesPage>;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

import type { AnalysesPage } from '../contracts/analyses-list.ts';
import type { Analysis } from '../core/analysis/analysis.ts';
import type { BuiltPrompt } from './analyzer.ts';

/** One stored analysis: the answer and everything needed to audit it. */
export interface AnalysisRecord {
  id: string;
  createdAt: string;
  /** sha256 over the request's inputs (candles, image bytes, chart options, news...), renderer and prompt versions, analyzer and model. */
  cacheKey: string;
  analysis: Analysis;
  /** The request as received, minus the image bytes (those are in `image`). */
  request: unknown;
  prompt: BuiltPrompt;
  /** The model's raw output text, or null for the rules analyzer. */
  rawOutput: string | null;
  /** The exact PNG the model saw (stored once per distinct image, however many analyses share it). */
  image: Buffer;
}

/** What a purge deleted. */
export interface PurgeResult {
  analyses: number;
  /** Stored images and inputs no analysis used any more. */
  blobs: number;
}

/** How much a store holds: rows, and bytes on disk (tables, their TOAST and indexes). */
export interface StoreUsage {
  analyses: number;
  blobs: number;
  bytes: number;
}

/** Persistence for analyses (PGlite embedded by default, PostgreSQL when configured). */
export interface AnalysisStore {
  save(record: AnalysisRecord): Promise<void>;
  get(id: string): Promise<AnalysisRecord | null>;
  /** The most recent non-degraded analysis with this cache key, if any. */
  findByCacheKey(cacheKey: string): Promise<AnalysisRecord | null>;
  /**
   * The analysis alone of what findByCacheKey finds (no image, request or prompt): what a cache
   * hit answers with. Optional; without it a hit reads the whole record.
   */
  findCachedAnalysis?(cacheKey: string): Promise<Analysis | null>;
  getImage(id: string): Promise<Buffer | null>;
  /** Delete the analyses created before `before` and what only they used (retention). Optional. */
  purge?(before: Date): Promise<PurgeResult>;
  /** Rows and bytes held (benches, operators). Optional. */
  usage?(): Promise<StoreUsage>;
  /** A page of the history, newest first: at most `limit` after the cursor a previous page gave. */
  list(page: { limit: number; cursor?: string }): Promise<AnalysesPage>;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

import type { CallEstimate, StructuredOutputMode, Usage } from '../core/analysis/analysis.ts';
import type { AnalyzerId, AnalyzerKind } from '../core/analysis/analyzer-id.ts';
import type { ImageDetail } from '../core/analysis/image-tokens.ts';
import type { ModelOutput } from '../core/analysis/model-output.ts';
import type { NewsItem } from '../core/analysis/news.ts';
import type { BuiltPrompt } from '../core/analysis/prompt-text.ts';
import { AppError, DEGRADED_MESSAGES, type UpstreamCode } from '../core/errors.ts';
import type { MarketFacts } from '../core/market/facts.ts';

export type { BuiltPrompt } from '../core/analysis/prompt-text.ts';

/** Everything an analyzer may look at for one request. */
export interface AnalyzerInput {
  /**
   * The PNG prepared for the model. An analyzer may send it re-sized (for the model's image
   * accounting); then `AnalyzerResult.image` is what it sent.
   */
  image: { png: Buffer; width: number; height: number; sha256: string };
  /** Facts computed from OHLCV; absent when only an image was sent. */
  facts: MarketFacts | null;
  symbol: string | null;
  timeframe: string | null;
  news: NewsItem[];
  prompt: BuiltPrompt;
  /** Model name override for this request. */
  model?: string;
  /** Epoch ms by which the analyzer must have answered or given up. */
  deadline: number;
}

/** What one analysis cost, also when it failed. */
export interface Spend {
  usage: Usage | null;
  costUsd: number | null;
  attempts: number;
}

export interface AnalyzerResult extends Spend {
  output: ModelOutput;
  /** The model's raw text, kept for the audit trail (null for the rules). */
  raw: string | null;
  model: string | null;
  structuredOutput: StructuredOutputMode | null;
  /**
   * The image exactly as the model was sent it, when the analyzer sends one: it may have re-sized
   * `input.image` for the model's image accounting, and then the stored chart must be these bytes.
   */
  image?: SentImage;
  /** What the analyzer expected the first call to cost, before making it. */
  estimate?: CallEstimate;
}

/** The image of a call as sent: its bytes, size, `detail`, and its estimated input tokens. */
export interface SentImage {
  png: Buffer;
  width: number;
  height: number;
  sha256: string;
  detail: ImageDetail;
  /** Null for a model whose image accounting is not known. */
  tokens: number | null;
}

/** Reads a chart and answers with the model output contract. */
export interface Analyzer {
  readonly id: AnalyzerId;
  readonly kind: AnalyzerKind;
  /** The model this analyzer would use for `input` (part of the cache key). */
  modelFor(input: { model?: string }): string | null;
  analyze(input: AnalyzerInput): Promise<AnalyzerResult>;
}

/**
 * An upstream failure, classified once at the adapter boundary: the analyzer could not produce a
 * valid analysis and the caller cannot fix that. The message is the code's fixed sentence; the
 * upstream's own text stays in `upstreamDetail`, for the log only.
 */
export class AnalyzerFailure extends AppError {
  override readonly code: UpstreamCode;
  readonly upstreamDetail: string;
  readonly spent: Spend;

  constructor(code: UpstreamCode, upstreamDetail: string, spent: Spend, options?: { cause?: unknown }) {
    super(code, DEGRADED_MESSAGES[code], [], options);
    this.name = 'AnalyzerFailure';
    this.code = code;
    this.upstreamDetail = upstreamDetail;
    this.spent = spent;
  }
}

/** The analyzers by id, the one every request may fall back to, and the default. */
export interface AnalyzerRegistry {
  /** Null when that analyzer is not configured here (no endpoint for `openai`). */
  get(id: AnalyzerId): Analyzer | null;
  /** Answers when the requested analyzer is missing or fails for good: the local rules. */
  readonly fallback: Analyzer;
  readonly defaultId: AnalyzerId;
}

/** A registry over a list of analyzers. */
export function analyzerRegistry(analyzers: readonly Analyzer[], fallback: Analyzer, defaultId: AnalyzerId): AnalyzerRegistry {
  const byId = new Map(analyzers.map((a) => [a.id, a] as const));
  byId.set(fallback.id, fallback);
  return { get: (id) => byId.get(id) ?? null, fallback, defaultId };
}

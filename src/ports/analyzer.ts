import type { StructuredOutputMode, Usage } from '../core/analysis/analysis.ts';
import type { ModelOutput } from '../core/analysis/model-output.ts';
import type { NewsItem } from '../core/analysis/news.ts';
import type { MarketFacts } from '../core/market/facts.ts';

/** The prompt as sent: versioned system text and the user text that goes beside the image. */
export interface BuiltPrompt {
  version: string;
  system: string;
  user: string;
}

/** Everything an analyzer may look at for one request. */
export interface AnalyzerInput {
  /** The exact PNG the model sees. */
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

export interface AnalyzerResult {
  output: ModelOutput;
  /** The model's raw text, kept for the audit trail (null for the rules). */
  raw: string | null;
  model: string | null;
  usage: Usage | null;
  costUsd: number | null;
  attempts: number;
  structuredOutput: StructuredOutputMode | null;
}

/** Reads a chart and answers with the model output contract. */
export interface Analyzer {
  readonly name: 'local-rules' | 'openai';
  /** The model this analyzer would use for `input` (part of the cache key). */
  modelFor(input: { model?: string }): string | null;
  analyze(input: AnalyzerInput): Promise<AnalyzerResult>;
}

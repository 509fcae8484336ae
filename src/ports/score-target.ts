import type { Analysis } from '../core/analysis/analysis.ts';

/** The bytes of one input, as read from its source. */
export interface LoadedInput {
  file: string;
  image?: Buffer;
  /** CSV text, or parsed JSON (an array of candles or `{candles}`). */
  data?: { kind: 'csv'; text: string } | { kind: 'json'; value: unknown };
  news?: unknown;
}

/** Where inputs are analysed: in this process, or by a chartlens server over HTTP. */
export interface ScoreTarget {
  analyze(input: LoadedInput): Promise<Analysis>;
}

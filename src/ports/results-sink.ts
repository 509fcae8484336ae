import type { ResultLine } from '../core/evaluation/score-result.ts';

/** Where batch results go, one line per input, written the moment each input is done. */
export interface ResultsSink {
  /** What an earlier run recorded for this input: 'ok', 'failed', or null when it has no line. */
  previous(file: string, sha256: string): 'ok' | 'failed' | null;
  append(line: ResultLine): void;
  close(): void;
}

import type { Analysis } from '../analysis/analysis.ts';

/** One scored input: its analysis, or the error that stopped it. */
export interface ResultLine {
  file: string;
  sha256: string;
  ok: boolean;
  analysis?: Analysis;
  error?: { code: string; message: string };
}

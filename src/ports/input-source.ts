/** One thing to score: an image, an OHLCV file, or both (same base name), plus optional news. */
export interface SourceInput {
  /** Path of the input relative to the scored folder (the image's when there is one). */
  file: string;
  image?: string;
  data?: string;
  news?: string;
  /** Set when the files cannot form an input (an unsupported file, two data files...). */
  problem?: { code: 'unsupported_file' | 'ambiguous_input' | 'orphan_news'; message: string };
}

/** The raw bytes of one input and the hash that identifies it in the results. */
export interface InputBytes {
  sha256: string;
  image?: Buffer;
  data?: Buffer;
  news?: Buffer;
}

/** Where batch inputs come from (a folder today). */
export interface InputSource {
  /** The inputs, the symlinks not followed, and the files that are plainly not inputs (README, NOTICE...). */
  discover(): Promise<{ inputs: SourceInput[]; skippedLinks: string[]; skippedFiles: string[] }>;
  read(input: SourceInput): Promise<InputBytes>;
}

import type { OcrText } from '../core/digitize/axis-labels.ts';
import type { Rect, RgbaImage } from '../core/digitize/types.ts';
import { AppError } from '../core/errors.ts';

export type { OcrText, TextBox } from '../core/digitize/axis-labels.ts';

/** How the engine should segment the image. */
export type OcrLayout =
  /** Scattered short texts anywhere in the image (axis label strips): the default. */
  | 'sparse'
  /** One uniform block of text lines. */
  | 'block'
  /** Exactly one line of text. */
  | 'line';

export interface OcrOptions {
  /** The only characters the engine may output (e.g. `0123456789.,-`); default: any. */
  whitelist?: string;
  /** Integer upscaling before recognition (small chart fonts read far better at 3-4x); default 4. */
  upscale?: number;
  /** Read only this part of the image; boxes are then relative to its top-left corner. */
  region?: Rect;
  layout?: OcrLayout;
}

/**
 * Reads text out of chart images (axis labels). Boxes are in the pixel coordinates of the image
 * (or of `region`) as passed in, before any upscaling the engine does internally: continuous
 * coordinates, `x1`/`y1` exclusive, so the box of a glyph filling rows 10..19 is y0 10, y1 20.
 * A box spans the whole word across, and its letters and digits down (punctuation that reaches
 * below or above them, the comma of "1,500" or the "$" of "$2,200", does not move its centre).
 */
export interface Ocr {
  /**
   * One entry per word found, in reading order. `image` is an encoded image (PNG, JPEG, WebP) or
   * decoded RGBA pixels. Throws OcrFailure, never anything else.
   */
  readText(image: Buffer | RgbaImage, options?: OcrOptions): Promise<OcrText[]>;
  /** Start the engine now (it otherwise starts on the first read); throws OcrFailure. */
  warm(): Promise<void>;
  /** Stop the engine; reads after this fail with reason `closed`. Idempotent. */
  close(): Promise<void>;
}

export type OcrFailureReason =
  /** The engine could not start (its language data is missing, the worker died while loading). */
  | 'unavailable'
  /** The image could not be decoded or the region lies outside it. */
  | 'invalid_image'
  /** The engine failed on this image. */
  | 'failed'
  /** The engine did not answer in time; it is restarted for the next read. */
  | 'timeout'
  /** `close()` was called. */
  | 'closed';

const WARNINGS: Record<OcrFailureReason, string> = {
  unavailable: 'The text recogniser could not start, so the axis labels were not read.',
  invalid_image: 'The axis label strip could not be decoded, so its labels were not read.',
  failed: 'The text recogniser failed on the axis labels.',
  timeout: 'The text recogniser took too long on the axis labels.',
  closed: 'The text recogniser was shut down before the axis labels were read.',
};

/**
 * Why a read failed. The message is a fixed sentence a digitisation can show as a warning; the
 * engine's own text is in `engineDetail`, for the log only.
 */
export class OcrFailure extends AppError {
  readonly reason: OcrFailureReason;
  readonly engineDetail: string;

  constructor(reason: OcrFailureReason, engineDetail: string, options?: { cause?: unknown }) {
    super(reason === 'invalid_image' ? 'invalid_image' : 'service_unavailable', WARNINGS[reason], [], options);
    this.name = 'OcrFailure';
    this.reason = reason;
    this.engineDetail = engineDetail;
  }

  /** The sentence to put in a digitisation's warnings. */
  get warning(): string {
    return WARNINGS[this.reason];
  }
}

import type { RgbaImage } from '../core/digitize/types.ts';
import type { NormalizedImage } from './image-normalizer.ts';

/** An upload checked and normalised (as for analysis), and its pixels decoded for reading back. */
export interface DecodedImage {
  normalized: NormalizedImage;
  pixels: RgbaImage;
}

/** Checks untrusted image bytes like the normaliser (throws AppError) and decodes the result to RGBA. */
export interface ImageDecoder {
  decode(bytes: Buffer): Promise<DecodedImage>;
}

export type AcceptedImageFormat = 'png' | 'jpeg' | 'webp';

/** An upload after checking and re-encoding: the exact image the model will see. */
export interface NormalizedImage {
  /** The re-encoded image: PNG, 8-bit sRGB, opaque, no metadata. */
  png: Buffer;
  width: number;
  height: number;
  /** Hex SHA-256 of `png`. */
  sha256: string;
  originalFormat: AcceptedImageFormat;
  /** Size of the upload as displayed, i.e. after its EXIF orientation is applied. */
  originalWidth: number;
  originalHeight: number;
}

/** Checks untrusted image bytes (type, size, pixel count) and normalises them; throws AppError. */
export interface ImageNormalizer {
  normalize(bytes: Buffer): Promise<NormalizedImage>;
}

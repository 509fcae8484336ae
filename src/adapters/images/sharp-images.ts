/**
 * Ingestion of uploaded chart images: refuse anything that is not a real PNG, JPEG or WebP,
 * refuse decompression bombs from the header alone, then auto-orient, strip metadata, flatten
 * alpha onto white, shrink to the vision model's sweet spot (1024 px wide: 2 tiles on gpt-4o)
 * and re-encode as PNG. The same input always yields the same bytes.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import { AppError } from '../../core/errors.ts';
import type { ImageDecoder } from '../../ports/image-decoder.ts';
import type { AcceptedImageFormat, ImageNormalizer, NormalizedImage } from '../../ports/image-normalizer.ts';

export type { AcceptedImageFormat, NormalizedImage } from '../../ports/image-normalizer.ts';

export interface NormalizeImageOptions {
  /** Largest accepted upload in bytes (default 10 MiB). */
  maxBytes?: number;
  /** Largest accepted width x height of the upload, read from its header (default 40 megapixels). */
  maxInputPixels?: number;
  /** Output is at most this wide (default 1024); smaller images are never enlarged. */
  targetWidth?: number;
  /** Output is at most this tall (default 1024). */
  maxHeight?: number;
}

export const IMAGE_DEFAULTS = {
  maxBytes: 10 * 1024 * 1024,
  maxInputPixels: 40_000_000,
  targetWidth: 1024,
  maxHeight: 1024,
} as const satisfies Required<NormalizeImageOptions>;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(buf: Buffer, bytes: readonly number[], at = 0): boolean {
  if (buf.length < at + bytes.length) return false;
  return bytes.every((b, i) => buf[at + i] === b);
}

function ascii(buf: Buffer, at: number, text: string): boolean {
  return startsWith(
    buf,
    [...text].map((c) => c.charCodeAt(0)),
    at,
  );
}

/** The accepted format the magic bytes announce, or undefined. */
export function sniffImageFormat(buf: Buffer): AcceptedImageFormat | undefined {
  if (startsWith(buf, PNG_SIGNATURE)) return 'png';
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(buf, 0, 'RIFF') && ascii(buf, 8, 'WEBP')) return 'webp';
  return undefined;
}

/** A best-effort name for bytes we refuse, only used to make the error message useful. */
export function describeUnsupported(buf: Buffer): string {
  if (ascii(buf, 0, 'GIF87a') || ascii(buf, 0, 'GIF89a')) return 'gif';
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (ascii(buf, 0, 'BM')) return 'bmp';
  if (ascii(buf, 0, '%PDF')) return 'pdf';
  if (ascii(buf, 4, 'ftyp')) {
    const brand = buf.subarray(8, 12).toString('latin1');
    if (brand.startsWith('avi')) return 'avif';
    if (brand.startsWith('hei') || brand.startsWith('hev') || brand.startsWith('mif')) return 'heif';
    return 'iso-bmff';
  }
  if (startsWith(buf, [0x00, 0x00, 0x01, 0x00])) return 'ico';
  if (startsWith(buf, [0x1f, 0x8b])) return 'gzip (possibly svgz)';
  if (ascii(buf, 0, 'RIFF')) return 'riff (not webp)';
  const head = buf.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<') && head.includes('<svg'))) return 'svg';
  if (head.startsWith('<')) return 'xml/html';
  if (/^[\t\n\r\x20-\x7e]*$/.test(buf.subarray(0, 512).toString('latin1'))) return 'text';
  return 'unknown';
}

function invalid(message: string, detail?: string): AppError {
  return new AppError('invalid_image', message, detail ? [{ message: detail }] : []);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

function isPixelLimitError(err: unknown): boolean {
  return /pixel limit/i.test(firstLine(err));
}

function tooManyPixels(width: number, height: number, max: number): AppError {
  return new AppError(
    'image_too_large',
    `image is ${width}x${height} pixels; at most ${max.toLocaleString('en-US')} pixels are accepted`,
    [{ field: 'image', message: `${width * height} pixels > ${max}` }],
  );
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Validate and normalise one uploaded chart image.
 *
 * Errors (all `AppError`): `invalid_image` (400) for empty, corrupt or truncated data;
 * `unsupported_image` (415) for anything that is not PNG/JPEG/WebP by its magic bytes
 * (SVG, GIF, TIFF, AVIF, text, ...); `image_too_large` (413) for more than `maxBytes`
 * bytes or more than `maxInputPixels` pixels (checked from the header, before decoding).
 */
export async function normalizeChartImage(
  input: Buffer,
  options: NormalizeImageOptions = {},
): Promise<NormalizedImage> {
  const maxBytes = positiveInt('maxBytes', options.maxBytes ?? IMAGE_DEFAULTS.maxBytes);
  const maxInputPixels = positiveInt('maxInputPixels', options.maxInputPixels ?? IMAGE_DEFAULTS.maxInputPixels);
  const targetWidth = positiveInt('targetWidth', options.targetWidth ?? IMAGE_DEFAULTS.targetWidth);
  const maxHeight = positiveInt('maxHeight', options.maxHeight ?? IMAGE_DEFAULTS.maxHeight);

  if (!Buffer.isBuffer(input)) throw invalid('image must be raw bytes');
  if (input.length === 0) throw invalid('image is empty');
  if (input.length > maxBytes) {
    throw new AppError('image_too_large', `image is ${input.length} bytes; at most ${maxBytes} bytes are accepted`, [
      { field: 'image', message: `${input.length} bytes > ${maxBytes}` },
    ]);
  }

  const format = sniffImageFormat(input);
  if (!format) {
    const detected = describeUnsupported(input);
    throw new AppError('unsupported_image', `unsupported image type (${detected}); upload a PNG, JPEG or WebP`, [
      { field: 'image', message: `detected type: ${detected}` },
    ]);
  }

  // Header only: no pixels are decoded here, so a bomb is refused in milliseconds. The pixel
  // limit is checked by hand below (to report the size); the decode keeps sharp's own limit.
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (err) {
    throw invalid(`image could not be read as ${format}`, firstLine(err));
  }
  if (meta.format !== format) {
    throw invalid(`image looks like ${format} but decodes as ${meta.format ?? 'nothing'}`, `detected type: ${format}`);
  }
  const { width, height } = meta;
  if (!width || !height) throw invalid(`${format} image has no dimensions`);
  if (width * height > maxInputPixels) throw tooManyPixels(width, height, maxInputPixels);
  const swapped = (meta.orientation ?? 1) >= 5;
  const originalWidth = swapped ? height : width;
  const originalHeight = swapped ? width : height;

  let png: Buffer;
  let info: OutputInfo;
  try {
    ({ data: png, info } = await sharp(input, { limitInputPixels: maxInputPixels, failOn: 'error' })
      .rotate() // apply the EXIF orientation, then forget it
      .resize({ width: targetWidth, height: maxHeight, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb') // 8-bit sRGB whatever came in (16-bit PNG, greyscale, CMYK JPEG)
      .png({ compressionLevel: 6 }) // metadata is not kept: sharp strips it unless asked
      .toBuffer({ resolveWithObject: true }));
  } catch (err) {
    if (isPixelLimitError(err)) throw tooManyPixels(width, height, maxInputPixels);
    throw invalid(`${format} image is corrupt or truncated`, firstLine(err));
  }

  return {
    png,
    width: info.width,
    height: info.height,
    sha256: createHash('sha256').update(png).digest('hex'),
    originalFormat: format,
    originalWidth,
    originalHeight,
  };
}

/** The sharp normaliser behind the port, with the configured limits. */
export function sharpImageNormalizer(options: NormalizeImageOptions = {}): ImageNormalizer {
  return { normalize: (bytes) => normalizeChartImage(bytes, options) };
}

/**
 * The sharp decoder behind the port: the upload is checked and normalised exactly as for an
 * analysis (same limits), then its PNG is decoded to RGBA for the digitiser.
 */
export function sharpImageDecoder(options: NormalizeImageOptions = {}): ImageDecoder {
  return {
    async decode(bytes) {
      const normalized = await normalizeChartImage(bytes, options);
      const { data, info } = await sharp(normalized.png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const pixels = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      return { normalized, pixels };
    },
  };
}

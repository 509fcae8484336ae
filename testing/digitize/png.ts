/** Decode chart images (PNG, JPEG, WebP) into the digitiser's RgbaImage, through sharp. */
import sharp from 'sharp';
import type { RgbaImage } from '../../src/core/digitize/types.ts';

/** Decode an image file or buffer to 8-bit RGBA. */
export async function decodeImage(input: string | Buffer): Promise<RgbaImage> {
  const { data, info } = await sharp(input).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Encode RGBA pixels as PNG (for looking at fixtures and re-rendered bars). */
export function encodePng(img: RgbaImage): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 4 },
  })
    .png()
    .toBuffer();
}

/** Re-encode as JPEG at the given quality and decode again: the lossy round trip of an upload. */
export async function jpegRoundTrip(img: RgbaImage, quality = 85): Promise<RgbaImage> {
  const jpeg = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 4 },
  })
    .jpeg({ quality })
    .toBuffer();
  return decodeImage(jpeg);
}

import sharp from 'sharp';

/**
 * Convert Cairo's premultiplied BGRA (little-endian ARGB32) into straight RGBA, in place.
 * The chart paints an opaque background first, so alpha is 255 everywhere in practice and the
 * fast path is a byte swap on 32-bit words; a translucent pixel is un-premultiplied.
 */
export function bgraToRgbaInPlace(raw: Buffer): Buffer {
  const words = new Uint32Array(raw.buffer, raw.byteOffset, raw.length >>> 2);
  for (let i = 0; i < words.length; i++) {
    const v = words[i];
    if (v >>> 24 === 255) {
      words[i] = (v & 0xff00ff00) | ((v & 0xff) << 16) | ((v >>> 16) & 0xff);
    } else {
      const o = i * 4;
      const a = raw[o + 3];
      const b = raw[o];
      const g = raw[o + 1];
      const r = raw[o + 2];
      raw[o] = a === 0 ? 0 : Math.min(255, Math.round((r * 255) / a));
      raw[o + 1] = a === 0 ? 0 : Math.min(255, Math.round((g * 255) / a));
      raw[o + 2] = a === 0 ? 0 : Math.min(255, Math.round((b * 255) / a));
    }
  }
  return raw;
}

/**
 * PNG from opaque RGBA: the alpha channel carries nothing, and dropping it shrinks the file.
 * sharp is about twice as fast as Cairo's own PNG encoder; the output is byte-identical for
 * identical input.
 */
export function encodeOpaquePng(rgba: Buffer, width: number, height: number, compressionLevel: number): Promise<Buffer> {
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .png({ compressionLevel, adaptiveFiltering: false })
    .toBuffer();
}

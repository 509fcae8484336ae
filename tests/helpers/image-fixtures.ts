/**
 * Image fixtures for the upload path: the real chart samples plus hostile inputs built in code
 * (text, SVG, GIF, truncated PNG, EXIF-rotated JPEG, a large PNG and a 30000x30000 PNG bomb).
 * Everything is built lazily and cached once per test process.
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const CHARTS = new URL('../../samples/charts/', import.meta.url);

export const SAMPLE_CHARTS = {
  lightPng: 'sp500-2020-light.png',
  darkMarksPng: 'sp500-2020-dark-marks.png',
  ohlcJpeg: 'sp500-2020-ohlc.jpg',
  lightWebp: 'sp500-2020-webp.webp',
} as const;

const fileCache = new Map<string, Buffer>();

/** The bytes of one file in samples/charts/ (all are 1024x512). */
export function sampleChart(name: string): Buffer {
  let buf = fileCache.get(name);
  if (!buf) {
    buf = readFileSync(new URL(name, CHARTS));
    fileCache.set(name, buf);
  }
  return buf;
}

export const pngChart = (): Buffer => sampleChart(SAMPLE_CHARTS.lightPng);
export const jpegChart = (): Buffer => sampleChart(SAMPLE_CHARTS.ohlcJpeg);
export const webpChart = (): Buffer => sampleChart(SAMPLE_CHARTS.lightWebp);

/** Plain text, as if someone renamed notes.txt to chart.png. */
export function textBytes(): Buffer {
  return Buffer.from('hello');
}

/** A small, valid SVG document (sharp would happily rasterise it; we must not). */
export function svgBytes(): Buffer {
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">' +
      '<rect width="200" height="100" fill="#fff"/><path d="M0 80 L50 40 L100 60 L200 10" stroke="#000" fill="none"/>' +
      '</svg>\n',
  );
}

/** The first half of a real PNG: valid signature and header, missing pixel data. */
export function truncatedPng(): Buffer {
  const png = pngChart();
  return png.subarray(0, Math.floor(png.length / 2));
}

/** The first half of a real JPEG. */
export function truncatedJpeg(): Buffer {
  const jpg = jpegChart();
  return jpg.subarray(0, Math.floor(jpg.length / 2));
}

const built = new Map<string, Promise<Buffer>>();

function once(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  let p = built.get(key);
  if (!p) {
    p = make();
    built.set(key, p);
  }
  return p;
}

/** A real 64x32 GIF written by sharp. */
export function gifBytes(): Promise<Buffer> {
  return once('gif', () =>
    sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .gif()
      .toBuffer(),
  );
}

/**
 * A 400x200 JPEG whose pixels are stored sideways with EXIF orientation 6 ("rotate 90° clockwise
 * to display"), so it displays as 200x400. The left half of the stored image is black, the right
 * half white; displayed, the top half is black.
 */
export function exifRotatedJpeg(): Promise<Buffer> {
  return once('exif-jpeg', async () => {
    const half = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    return sharp({ create: { width: 400, height: 200, channels: 3, background: '#fff' } })
      .composite([{ input: half, left: 0, top: 0 }])
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
  });
}

/** A 3000x1500 RGBA PNG: left half opaque rgb(20,120,220), right half fully transparent. */
export function largePng(): Promise<Buffer> {
  return once('large-png', () => {
    const width = 3000;
    const height = 1500;
    const rgba = Buffer.alloc(width * height * 4); // all zeros: transparent
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width / 2; x++) rgba.set([20, 120, 220, 255], (y * width + x) * 4);
    }
    return sharp(rgba, { raw: { width, height, channels: 4 } }).png().toBuffer();
  });
}

// ---- the PNG bomb, built by hand -------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, as PNG uses); Node 20 has no zlib.crc32. */
export function crc32(...parts: Buffer[]): number {
  let c = 0xffffffff;
  for (const part of parts) for (const byte of part) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeBytes = Buffer.from(type, 'latin1');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(typeBytes, data));
  return Buffer.concat([head, typeBytes, data, tail]);
}

/**
 * A valid greyscale PNG of `width`x`height` pixels, every pixel black, at `bitDepth` 1 or 8.
 * All filter bytes and samples are zero, so the deflated pixel data is tiny.
 */
export function blackPng(width: number, height: number, bitDepth: 1 | 8 = 1): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = 0; // greyscale
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const rowBytes = 1 + Math.ceil((width * bitDepth) / 8); // filter byte (0 = None) + samples
  const idat = deflateSync(Buffer.alloc(rowBytes * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const BOMB_SIDE = 30_000;
let bomb: Buffer | undefined;

/**
 * A decompression bomb: a valid 1-bit 30000x30000 PNG (900 megapixels, ~3.4 GB once decoded to
 * RGBA) that is ~110 KB on disk. Building it deflates 112 MB of zeros once (~0.5 s).
 */
export function bombPng(): Buffer {
  bomb ??= blackPng(BOMB_SIDE, BOMB_SIDE, 1);
  return bomb;
}

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { normalizeChartImage, type NormalizeImageOptions } from '../../src/adapters/images/sharp-images.ts';
import { AppError, type ErrorCode } from '../../src/core/errors.ts';
import { httpStatus } from '../../src/entry/http/http-status.ts';
import {
  BOMB_SIDE,
  SAMPLE_CHARTS,
  blackPng,
  bombPng,
  exifRotatedJpeg,
  gifBytes,
  jpegChart,
  largePng,
  pngChart,
  sampleChart,
  svgBytes,
  textBytes,
  truncatedJpeg,
  truncatedPng,
  webpChart,
} from '../helpers/image-fixtures.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Await `normalizeChartImage`, assert it rejects with an AppError of `code`, return the error. */
async function rejectsWith(input: Buffer, code: ErrorCode, options?: NormalizeImageOptions): Promise<AppError> {
  let caught: unknown;
  try {
    await normalizeChartImage(input, options);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AppError, `expected an AppError, got ${String(caught)}`);
  assert.equal(caught.code, code, `code (message: ${caught.message})`);
  assert.ok(caught.message.length > 0);
  return caught;
}

function detailText(err: AppError): string {
  return err.details.map((d) => d.message).join(' | ');
}

/** Assert the output is a metadata-free, opaque PNG of the stated size. */
async function assertCleanPng(png: Buffer, width: number, height: number): Promise<void> {
  assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), 'output starts with the PNG signature');
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, width);
  assert.equal(meta.height, height);
  assert.equal(meta.exif, undefined, 'no EXIF');
  assert.equal(meta.orientation, undefined, 'no orientation tag');
  assert.equal(meta.icc, undefined, 'no ICC profile');
  assert.equal(meta.xmp, undefined, 'no XMP');
  assert.equal(meta.hasAlpha, false, 'opaque');
  assert.equal(meta.depth, 'uchar', '8 bits per sample');
}

describe('normalizeChartImage: accepted formats', () => {
  const cases = [
    { name: SAMPLE_CHARTS.lightPng, format: 'png' },
    { name: SAMPLE_CHARTS.darkMarksPng, format: 'png' },
    { name: SAMPLE_CHARTS.ohlcJpeg, format: 'jpeg' },
    { name: SAMPLE_CHARTS.lightWebp, format: 'webp' },
  ] as const;

  for (const { name, format } of cases) {
    test(`when the upload is the real chart ${name}, then it comes back as a clean 1024x512 PNG`, async () => {
      const out = await normalizeChartImage(sampleChart(name));
      assert.equal(out.originalFormat, format);
      assert.equal(out.originalWidth, 1024);
      assert.equal(out.originalHeight, 512);
      assert.equal(out.width, 1024);
      assert.equal(out.height, 512);
      assert.equal(out.sha256, createHash('sha256').update(out.png).digest('hex'));
      assert.match(out.sha256, /^[0-9a-f]{64}$/);
      await assertCleanPng(out.png, 1024, 512);
    });
  }

  test('when the same image is normalised twice, then the bytes and hash are identical', async () => {
    for (const input of [pngChart(), jpegChart(), webpChart(), await largePng()]) {
      const a = await normalizeChartImage(input);
      const b = await normalizeChartImage(Buffer.from(input));
      assert.ok(a.png.equals(b.png));
      assert.equal(a.sha256, b.sha256);
    }
  });

  test('when the PNG is 3000x1500 with a transparent half, then it is resized to 1024x512 on white', async () => {
    const out = await normalizeChartImage(await largePng());
    assert.equal(out.originalWidth, 3000);
    assert.equal(out.originalHeight, 1500);
    assert.equal(out.width, 1024);
    assert.equal(out.height, 512);
    await assertCleanPng(out.png, 1024, 512);
    const { data, info } = await sharp(out.png).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels)];
    assert.deepEqual(px(100, 256), [20, 120, 220], 'opaque half keeps its colour');
    assert.deepEqual(px(900, 256), [255, 255, 255], 'transparent half becomes white');
  });

  test('when the image is smaller than the target, then it is not enlarged', async () => {
    const out = await normalizeChartImage(blackPng(300, 200, 8));
    assert.equal(out.width, 300);
    assert.equal(out.height, 200);
    await assertCleanPng(out.png, 300, 200);
  });

  test('when the image is tall, then maxHeight bounds it and the aspect ratio is kept', async () => {
    const out = await normalizeChartImage(blackPng(500, 4000, 1));
    assert.equal(out.height, 1024);
    assert.equal(out.width, 128);
  });

  test('when targetWidth and maxHeight are given, then the output fits inside them', async () => {
    const out = await normalizeChartImage(pngChart(), { targetWidth: 512, maxHeight: 512 });
    assert.equal(out.width, 512);
    assert.equal(out.height, 256);
  });

  test('when a JPEG carries EXIF orientation 6, then the output is upright and has no EXIF', async () => {
    const input = await exifRotatedJpeg();
    const inMeta = await sharp(input).metadata();
    assert.equal(inMeta.orientation, 6, 'fixture really carries orientation 6');
    assert.ok(inMeta.exif, 'fixture really carries EXIF');
    assert.equal(inMeta.width, 400);
    assert.equal(inMeta.height, 200);

    const out = await normalizeChartImage(input);
    assert.equal(out.originalFormat, 'jpeg');
    assert.equal(out.originalWidth, 200, 'original size is reported as displayed');
    assert.equal(out.originalHeight, 400);
    assert.equal(out.width, 200, 'width and height are swapped');
    assert.equal(out.height, 400);
    await assertCleanPng(out.png, 200, 400);

    const { data, info } = await sharp(out.png).raw().toBuffer({ resolveWithObject: true });
    const lum = (x: number, y: number) => data[(y * info.width + x) * info.channels];
    assert.ok(lum(100, 50) < 40, 'top (stored left) is black');
    assert.ok(lum(100, 350) > 215, 'bottom (stored right) is white');
  });
});

describe('normalizeChartImage: refused inputs', () => {
  test('when the buffer is empty, then invalid_image', async () => {
    const err = await rejectsWith(Buffer.alloc(0), 'invalid_image');
    assert.equal(httpStatus(err.code), 400);
    assert.match(err.message, /empty/);
  });

  test('when a text file is named .png, then unsupported_image (415) and the details say text', async () => {
    const err = await rejectsWith(textBytes(), 'unsupported_image');
    assert.equal(httpStatus(err.code), 415);
    assert.match(err.message, /PNG, JPEG or WebP/);
    assert.match(detailText(err), /detected type: text/);
  });

  test('when the upload is an SVG (sharp could rasterise it), then unsupported_image naming svg', async () => {
    // Prove sharp would have accepted it: our own sniffing is what refuses it.
    assert.equal((await sharp(svgBytes()).metadata()).format, 'svg');
    const err = await rejectsWith(svgBytes(), 'unsupported_image');
    assert.match(err.message, /svg/);
    const bare = await rejectsWith(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'unsupported_image');
    assert.match(detailText(bare), /svg/);
  });

  test('when the upload is a real GIF, then unsupported_image naming gif', async () => {
    const gif = await gifBytes();
    assert.equal((await sharp(gif).metadata()).format, 'gif');
    const err = await rejectsWith(gif, 'unsupported_image');
    assert.match(detailText(err), /gif/);
  });

  test('when the PNG is truncated to half, then invalid_image (not a crash)', async () => {
    const err = await rejectsWith(truncatedPng(), 'invalid_image');
    assert.match(err.message, /png/);
  });

  test('when the JPEG is truncated to half, then invalid_image', async () => {
    await rejectsWith(truncatedJpeg(), 'invalid_image');
  });

  test('when the WebP is truncated to half, then invalid_image', async () => {
    const webp = webpChart();
    await rejectsWith(webp.subarray(0, webp.length >> 1), 'invalid_image');
  });

  test('when valid magic bytes are followed by garbage, then invalid_image', async () => {
    const garbage = Buffer.alloc(2048, 0x5a);
    await rejectsWith(Buffer.concat([PNG_SIGNATURE, garbage]), 'invalid_image');
    await rejectsWith(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), garbage]), 'invalid_image');
    await rejectsWith(Buffer.concat([Buffer.from('RIFF\x00\x08\x00\x00WEBP', 'latin1'), garbage]), 'invalid_image');
  });

  test('when a real PNG is cut at any length, then it is an AppError or a valid image, never a crash', async () => {
    const png = pngChart();
    const lengths = [1, 4, 8, 9, 16, 24, 33, 34, 40, 60, 100, 500, 5000, png.length >> 1, png.length - 30];
    for (const n of lengths) {
      let caught: unknown;
      try {
        await normalizeChartImage(png.subarray(0, n));
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof AppError, `length ${n}: expected an AppError, got ${String(caught)}`);
      assert.ok(['invalid_image', 'unsupported_image'].includes(caught.code), `length ${n}: ${caught.code}`);
    }
    // Only the trailing IEND chunk missing: every pixel is there, so the image is usable.
    const out = await normalizeChartImage(png.subarray(0, png.length - 12));
    assert.equal(out.width, 1024);
  });

  test('when the file is larger than maxBytes, then image_too_large (413) before anything is parsed', async () => {
    const png = pngChart();
    const err = await rejectsWith(png, 'image_too_large', { maxBytes: png.length - 1 });
    assert.equal(httpStatus(err.code), 413);
    assert.match(err.message, /bytes/);
    // At the default limit (10 MiB), size is checked before the type: even junk gets 413.
    await rejectsWith(Buffer.alloc(10 * 1024 * 1024 + 1), 'image_too_large');
    // Exactly at the limit is fine.
    await normalizeChartImage(png, { maxBytes: png.length });
  });

  test('when the image has more pixels than maxInputPixels, then image_too_large', async () => {
    const err = await rejectsWith(pngChart(), 'image_too_large', { maxInputPixels: 1024 * 512 - 1 });
    assert.match(err.message, /1024x512/);
  });

  test('when the upload is a 30000x30000 PNG bomb, then image_too_large from the header, without decoding', async (t) => {
    const bomb = bombPng(); // built (and cached) outside the timed section
    assert.ok(bomb.length < 512 * 1024, `bomb is small on disk (${bomb.length} bytes)`);
    const meta = await sharp(bomb, { limitInputPixels: false }).metadata();
    assert.equal(meta.format, 'png', 'the bomb is a well-formed PNG');
    assert.equal(meta.width, BOMB_SIDE);
    assert.equal(meta.height, BOMB_SIDE);

    const started = performance.now();
    const err = await rejectsWith(bomb, 'image_too_large');
    const elapsed = performance.now() - started;
    assert.equal(httpStatus(err.code), 413);
    assert.match(err.message, /30000x30000/);
    // Not a benchmark: decoding 900 megapixels would take many seconds, a header read takes ms.
    assert.ok(elapsed < 2000, `refused in ${elapsed.toFixed(1)} ms`);
    t.diagnostic(`bomb refused in ${elapsed.toFixed(1)} ms`);
  });

  test('when the bomb builder makes a small image, then it decodes (the builder writes valid PNGs)', async () => {
    const out = await normalizeChartImage(blackPng(64, 48, 1));
    assert.equal(out.width, 64);
    assert.equal(out.height, 48);
    const { data } = await sharp(out.png).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data.every((v) => v === 0), 'all black');
  });
});

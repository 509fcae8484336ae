import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { defaultLangPath, prepareForOcr, TesseractOcr } from '../../src/adapters/ocr/tesseract-ocr.ts';
import { createOcr } from '../../src/composition/ocr.ts';
import { PRICE_LABEL_WHITELIST } from '../../src/core/digitize/axis-labels.ts';
import { OcrFailure, type OcrFailureReason } from '../../src/ports/ocr.ts';

/** A label strip like a chart's: dark 10 px digits on white, one label every 40 px. */
async function strip(labels: string[], dark = false): Promise<Buffer> {
  const fg = dark ? '#d1d4dc' : '#333333';
  const bg = dark ? '#131722' : '#ffffff';
  const h = 40 * labels.length + 10;
  const texts = labels.map((t, k) => `<text x="4" y="${25 + 40 * k}" font-family="DejaVu Sans" font-size="10" fill="${fg}">${t}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="${h}"><rect width="48" height="${h}" fill="${bg}"/>${texts}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function rejectsWith(p: Promise<unknown>, reason: OcrFailureReason): Promise<OcrFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof OcrFailure, `expected an OcrFailure, got ${String(err)}`);
    assert.equal(err.reason, reason, err.engineDetail);
    assert.ok(err.warning.length > 0);
    return err;
  }
  assert.fail(`expected a failure (${reason})`);
}

const LABELS = ['3,400', '3,200', '3,000', '2,800', '2,600'];

describe('TesseractOcr (tesseract.js 7, offline)', () => {
  const ocr = new TesseractOcr();
  let png: Buffer;
  before(async () => {
    png = await strip(LABELS);
  });
  after(() => ocr.close());

  test('when the engine is warmed, then it starts from the packaged model and reads a strip in word boxes', async (t) => {
    const t0 = performance.now();
    await ocr.warm();
    const cold = performance.now() - t0;
    const t1 = performance.now();
    const words = await ocr.readText(png, { whitelist: PRICE_LABEL_WHITELIST });
    const warm = performance.now() - t1;
    t.diagnostic(`cold start ${cold.toFixed(0)} ms (engine ${ocr.lastStartMs?.toFixed(0)} ms), one strip ${warm.toFixed(0)} ms`);
    assert.deepEqual(
      words.map((w) => w.text),
      LABELS,
    );
    for (const [k, w] of words.entries()) {
      assert.ok(w.confidence > 80, `${w.text}: ${w.confidence}`);
      // Boxes are in the strip's own pixels: label k's digits span rows ~ 17+40k .. 25+40k.
      const mid = (w.box.y0 + w.box.y1) / 2;
      assert.ok(Math.abs(mid - (21 + 40 * k)) < 2, `${w.text} centre ${mid}`);
      assert.ok(w.box.x0 >= 2 && w.box.x1 <= 48);
    }
    assert.equal(existsSync('eng.traineddata'), false, 'the engine must not cache its model in the working directory');
  });

  test('when reads are issued concurrently, then they queue on the one engine and each gets its own answer', async () => {
    const other = await strip(['12.5', '10.0', '7.5']);
    const results = await Promise.all([png, other, png, other].map((img) => ocr.readText(img, { whitelist: PRICE_LABEL_WHITELIST })));
    assert.deepEqual(
      results.map((ws) => ws.map((w) => w.text).join(' ')),
      ['3,400 3,200 3,000 2,800 2,600', '12.5 10.0 7.5', '3,400 3,200 3,000 2,800 2,600', '12.5 10.0 7.5'],
    );
  });

  test('when a region of a larger image is read, then its boxes are relative to the region', async () => {
    const big = await sharp({ create: { width: 200, height: 300, channels: 3, background: '#ffffff' } })
      .composite([{ input: png, left: 120, top: 40 }])
      .png()
      .toBuffer();
    const whole = await ocr.readText(png, { whitelist: PRICE_LABEL_WHITELIST });
    const part = await ocr.readText(big, { whitelist: PRICE_LABEL_WHITELIST, region: { left: 120, top: 40, right: 168, bottom: 40 + 210 } });
    assert.deepEqual(
      part.map((w) => w.text),
      LABELS,
    );
    for (const [k, w] of part.entries()) assert.ok(Math.abs(w.box.y0 - whole[k].box.y0) < 0.5);
  });

  test('when decoded RGBA pixels of a dark theme are read, then light-on-dark text reads too', async () => {
    const darkPng = await strip(LABELS, true);
    const { data, info } = await sharp(darkPng).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const words = await ocr.readText({ width: info.width, height: info.height, data: new Uint8Array(data) }, { whitelist: PRICE_LABEL_WHITELIST, upscale: 3 });
    assert.deepEqual(
      words.map((w) => w.text),
      LABELS,
    );
  });

  test('when a line or block layout is asked for, then the engine segments accordingly', async () => {
    const line = await sharp({ create: { width: 120, height: 16, channels: 3, background: '#ffffff' } })
      .composite([{ input: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="16"><text x="2" y="12" font-family="DejaVu Sans" font-size="10">2019-09-13</text></svg>') }])
      .png()
      .toBuffer();
    const words = await ocr.readText(line, { whitelist: '0123456789-', layout: 'line' });
    assert.deepEqual(
      words.map((w) => w.text),
      ['2019-09-13'],
    );
    const block = await ocr.readText(png, { whitelist: PRICE_LABEL_WHITELIST, layout: 'block' });
    assert.equal(block.length, LABELS.length);
  });

  test('when the image is not an image, the region is outside it, or the upscale is odd, then the read fails as invalid_image', async () => {
    await rejectsWith(ocr.readText(Buffer.from('not a png')), 'invalid_image');
    await rejectsWith(ocr.readText(png, { region: { left: 10, top: 0, right: 100, bottom: 20 } }), 'invalid_image');
    await rejectsWith(ocr.readText(png, { upscale: 0 }), 'invalid_image');
    await rejectsWith(ocr.readText(png, { upscale: 2.5 }), 'invalid_image');
    await rejectsWith(ocr.readText({ width: 10, height: 10, data: new Uint8Array(7) }), 'invalid_image');
    // ... and the engine still works afterwards.
    assert.equal((await ocr.readText(png, { whitelist: PRICE_LABEL_WHITELIST })).length, LABELS.length);
  });

  test('when a blank image is read, then there are no words', async () => {
    const blank = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#ffffff' } }).png().toBuffer();
    assert.deepEqual(await ocr.readText(blank), []);
  });
});

describe('TesseractOcr failures are typed and never download', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'chartlens-ocr-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('the default model is the LSTM best_int English data shipped in node_modules', () => {
    assert.match(defaultLangPath(), /node_modules[/\\]@tesseract\.js-data[/\\]eng[/\\]4\.0\.0_best_int$/);
    assert.ok(existsSync(join(defaultLangPath(), 'eng.traineddata.gz')));
  });

  test('when the language data is missing, then the read fails as unavailable instead of fetching it', async () => {
    const ocr = createOcr({ langPath: join(tmp, 'nowhere') });
    const err = await rejectsWith(ocr.readText(await strip(['1'])), 'unavailable');
    assert.match(err.engineDetail, /no language data/);
    await ocr.close();
  });

  test('when the language data is corrupt, then the start fails as unavailable and the engine thread ends itself', async () => {
    writeFileSync(join(tmp, 'eng.traineddata.gz'), gzipSync(Buffer.from('this is not a traineddata file')));
    const ocr = new TesseractOcr({ langPath: tmp, startTimeoutMs: 20_000 });
    const t0 = performance.now();
    await rejectsWith(ocr.warm(), 'unavailable');
    assert.ok(performance.now() - t0 < 15_000);
    await ocr.close();
    // If the thread lived on, this test file's process would never exit and the run would time out.
  });

  test('when a read takes longer than the limit, then it fails as timeout and the next read restarts the engine', async () => {
    const png = await strip(LABELS);
    const slow = new TesseractOcr({ readTimeoutMs: 1 });
    try {
      await slow.warm();
      assert.equal(slow.startCount, 1);
      await rejectsWith(slow.readText(png), 'timeout');
      await slow.warm();
      assert.equal(slow.startCount, 2);
    } finally {
      await slow.close();
    }
  });

  test('when the recogniser is closed, then reads fail as closed, and closing again is harmless', async () => {
    const ocr = createOcr();
    await ocr.warm();
    await ocr.close();
    await rejectsWith(ocr.readText(await strip(['1'])), 'closed');
    await ocr.close();
  });

  test('prepareForOcr upscales by a whole factor and pads, dark themes inverted to dark on light', async () => {
    const p = await prepareForOcr(await strip(['100'], true), undefined, 3);
    const meta = await sharp(p.png).metadata();
    assert.equal(meta.width, 48 * 3 + 2 * p.pad);
    const { data } = await sharp(p.png).raw().toBuffer({ resolveWithObject: true });
    const light = data.filter((v) => v > 200).length;
    assert.ok(light > data.length * 0.8, 'the background became light');
  });
});

import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import sharp from 'sharp';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { lastSampleCsv } from '../helpers/candle-rows.ts';
import { bombPng, jpegChart, largePng, pngChart, svgBytes, textBytes, truncatedPng, webpChart } from '../helpers/image-fixtures.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Collects any response body as raw bytes. */
function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

function assertError(res: request.Response, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(res.body.error?.code, code, JSON.stringify(res.body));
}

/** A unique news item as a JSON text field: keeps uploads of the same image out of each other's cache. */
const uniqueNews = (): string => JSON.stringify([{ headline: `Upload ${randomUUID()}` }]);

const CSV150 = lastSampleCsv(150);

let store: AnalysisStore;
let app: AnalysisApp;
let small: AnalysisApp;

before(async () => {
  store = await openMemoryStore();
  app = await startAnalysisApp({ store });
  small = await startAnalysisApp({ store, maxImageBytes: 100 * 1024 });
});
after(async () => {
  await small?.close();
  await app?.close();
  await store?.close();
});

/** The stored chart.png of an analysis: a PNG whose hash is input.imageSha256. */
async function storedChart(a: Analysis): Promise<{ png: Buffer; width: number; height: number }> {
  const res = await request(app.app).get(`/v1/analyses/${a.id}/chart.png`).buffer(true).parse(binary);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'image/png');
  const png = res.body as Buffer;
  assert.equal(sha256(png), a.input.imageSha256);
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  return { png, width: meta.width ?? 0, height: meta.height ?? 0 };
}

describe('POST /v1/analyze with an uploaded chart image', () => {
  for (const [label, file, bytes] of [
    ['PNG', 'chart.png', pngChart],
    ['JPEG', 'chart.jpg', jpegChart],
    ['WebP', 'chart.webp', webpChart],
  ] as const) {
    test(`when a real ${label} chart is uploaded alone, then 200 with the candles read back from it, facts marked as from the image, and the normalised PNG stored`, async () => {
      const res = await request(app.app).post('/v1/analyze').attach('image', bytes(), file).field('symbol', 'SPX').field('news', uniqueNews());
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const a: Analysis = res.body;
      assert.equal(a.input.source, 'image');
      assert.equal(a.input.chart.renderer, 'upload');
      assert.deepEqual([a.input.chart.width, a.input.chart.height], [1024, 512]);
      assert.equal(a.symbol, 'SPX');
      // The sample charts show the last 150 S&P bars (the OHLC JPEG 120): the digitiser reads them
      // back, JPEG noise included.
      const drawn = file.endsWith('.jpg') ? 120 : 150;
      assert.ok(a.input.bars !== null && a.input.bars >= 0.98 * drawn, `${a.input.bars} of ${drawn} bars read back`);
      assert.equal(a.market?.fromImage, true);
      assert.ok(a.market?.digitization && a.market.digitization.confidence > 0);
      assert.ok(a.verification.claims.some((c) => c.status !== 'unverifiable'), 'claims are checked against the recovered bars');
      assert.equal(a.provider.analyzer, 'local');
      assert.equal(a.provider.kind, 'rules');
      const stored = await storedChart(a);
      assert.ok(stored.width <= 1024);
      assert.deepEqual([stored.width, stored.height], [a.input.chart.width, a.input.chart.height]);
    });
  }

  test('when a 3000 px wide image is uploaded, then the stored chart is shrunk to 1024 wide', async () => {
    const res = await request(app.app).post('/v1/analyze').attach('image', await largePng(), 'big.png').field('news', uniqueNews());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual([res.body.input.chart.width, res.body.input.chart.height], [1024, 512]);
    const stored = await storedChart(res.body);
    assert.deepEqual([stored.width, stored.height], [1024, 512]);
  });

  test('when the image comes with an ohlcv CSV file, then the facts are computed and claims are checked', async () => {
    const res = await request(app.app)
      .post('/v1/analyze')
      .attach('image', pngChart(), 'chart.png')
      .attach('ohlcv', Buffer.from(CSV150), { filename: 'sp500.csv', contentType: 'text/csv' })
      .field('news', uniqueNews());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a: Analysis = res.body;
    assert.equal(a.input.source, 'image+ohlcv');
    assert.equal(a.input.bars, 150);
    assert.ok(a.market, 'market facts are present');
    assert.equal(a.market.lastBar.time, '2020-04-17');
    assert.notEqual(a.verification.status, 'unverified');
    assert.ok(a.verification.claims.some((c) => c.status !== 'unverifiable'));
  });

  test('when the OHLCV comes as a text field instead of a file, then it is the same as the file', async () => {
    const res = await request(app.app).post('/v1/analyze').attach('image', pngChart(), 'chart.png').field('ohlcv', CSV150).field('news', uniqueNews());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.input.source, 'image+ohlcv');
    assert.equal(res.body.input.bars, 150);
    assert.notEqual(res.body.market, null);
    assert.notEqual(res.body.verification.status, 'unverified');
  });

  test('when the OHLCV comes both as a file and as a text field, then 400 instead of silently picking one', async () => {
    const res = await request(app.app)
      .post('/v1/analyze')
      .attach('image', pngChart(), 'chart.png')
      .attach('ohlcv', Buffer.from(CSV150), 'bars.csv')
      .field('ohlcv', CSV150);
    assertError(res, 400, 'invalid_request');
  });

  test('when the ohlcv file is not OHLCV CSV, then a 4xx naming the CSV problem', async () => {
    const res = await request(app.app)
      .post('/v1/analyze')
      .attach('image', pngChart(), 'chart.png')
      .attach('ohlcv', Buffer.from('name,age\nann,3\n'), 'people.csv');
    assertError(res, 400, 'invalid_csv');
  });

  test('when news comes as a JSON text field, then it is read (newsCount, one rating per item)', async () => {
    const news = [{ headline: `Stocks rally ${randomUUID()}` }, { headline: 'Oil slumps', summary: 'Energy lagged.' }];
    const res = await request(app.app).post('/v1/analyze').attach('image', pngChart(), 'chart.png').field('news', JSON.stringify(news));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.input.newsCount, 2);
    assert.deepEqual(
      res.body.news.map((n: { index: number }) => n.index),
      [0, 1],
    );
  });

  test('when the news field is not JSON, then 400 invalid_news', async () => {
    const res = await request(app.app).post('/v1/analyze').attach('image', pngChart(), 'chart.png').field('news', 'Stocks rally');
    assertError(res, 400, 'invalid_news');
  });

  test('when the news field is JSON but breaks the news rules, then 400 invalid_news', async () => {
    const res = await request(app.app)
      .post('/v1/analyze')
      .attach('image', pngChart(), 'chart.png')
      .field('news', JSON.stringify([{ headline: 'h'.repeat(301) }]));
    assertError(res, 400, 'invalid_news');
  });

  test('when the same image is sent for another symbol, then the answer is about that symbol, not a cached one', async () => {
    const news = uniqueNews();
    const first = await request(app.app).post('/v1/analyze').attach('image', pngChart(), 'chart.png').field('symbol', 'AAA').field('news', news);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.symbol, 'AAA');
    const again = await request(app.app).post('/v1/analyze').attach('image', pngChart(), 'chart.png').field('symbol', 'AAA').field('news', news);
    assert.equal(again.body.provider.cached, true, 'the identical upload is cached');
    const other = await request(app.app).post('/v1/analyze').attach('image', pngChart(), 'chart.png').field('symbol', 'BBB').field('news', news);
    assert.equal(other.status, 200);
    assert.equal(other.body.symbol, 'BBB');
    assert.equal(other.body.provider.cached, false);
    const daily = await request(app.app)
      .post('/v1/analyze')
      .attach('image', pngChart(), 'chart.png')
      .field('symbol', 'AAA')
      .field('timeframe', '1w')
      .field('news', news);
    assert.equal(daily.body.timeframe, '1w');
    assert.equal(daily.body.provider.cached, false);
  });
});

describe('uploads that must be refused', () => {
  test('when a text file is named chart.png, then 415 unsupported_image', async () => {
    const res = await request(app.app).post('/v1/analyze').attach('image', textBytes(), { filename: 'chart.png', contentType: 'image/png' });
    assertError(res, 415, 'unsupported_image');
  });

  test('when an SVG is uploaded, then 415 unsupported_image', async () => {
    const res = await request(app.app).post('/v1/analyze').attach('image', svgBytes(), { filename: 'chart.svg', contentType: 'image/svg+xml' });
    assertError(res, 415, 'unsupported_image');
    assert.match(res.body.error.message, /svg/);
  });

  test('when a 30000x30000 PNG bomb is uploaded, then 413 image_too_large, answered quickly', async () => {
    const bomb = bombPng();
    const started = Date.now();
    const res = await request(app.app).post('/v1/analyze').attach('image', bomb, 'bomb.png');
    const took = Date.now() - started;
    assertError(res, 413, 'image_too_large');
    assert.match(res.body.error.message, /30000x30000/);
    assert.ok(took < 1500, `answered in ${took} ms`);
  });

  test('when a file is over the size limit, then 413 image_too_large', async () => {
    const big = Buffer.concat([pngChart(), Buffer.alloc(200 * 1024 - pngChart().length, 0)]);
    assert.equal(big.length, 200 * 1024);
    const res = await request(small.app).post('/v1/analyze').attach('image', big, 'chart.png');
    assertError(res, 413, 'image_too_large');
    const ok = await request(small.app).post('/v1/analyze').attach('image', pngChart(), 'chart.png').field('news', uniqueNews());
    assert.equal(ok.status, 200, 'a 60 KB chart is under the 100 KB limit');
  });

  test('when neither an image, data nor a symbol is sent, then 400 invalid_request; a symbol alone is fetched (404 when unknown)', async () => {
    const res = await request(app.app).post('/v1/analyze').field('timeframe', '1d').field('news', '[]');
    assertError(res, 400, 'invalid_request');
    const fetched = await request(app.app).post('/v1/analyze').field('symbol', 'SPX').field('news', '[]');
    assertError(fetched, 404, 'unknown_symbol');
  });

  test('when a file comes in an unexpected field, then 400 unknown_field naming it', async () => {
    const res = await request(app.app).post('/v1/analyze').attach('photo', pngChart(), 'chart.png');
    assertError(res, 400, 'unknown_field');
    assert.match(res.body.error.message, /photo/);
  });

  test('when an unknown text field is sent, then 400 unknown_field naming it', async () => {
    const res = await request(app.app).post('/v1/analyze').attach('image', pngChart(), 'chart.png').field('sybmol', 'SPX');
    assertError(res, 400, 'unknown_field');
    assert.equal(res.body.error.details[0].field, 'sybmol');
  });

  test('when a truncated PNG is uploaded, then 400 invalid_image', async () => {
    const res = await request(app.app).post('/v1/analyze').attach('image', truncatedPng(), 'chart.png');
    assertError(res, 400, 'invalid_image');
  });

  test('when two images are sent, then 400, not 5xx', async () => {
    const res = await request(app.app).post('/v1/analyze').attach('image', pngChart(), 'a.png').attach('image', pngChart(), 'b.png');
    assert.equal(res.status, 400, JSON.stringify(res.body));
  });

  test('after all of that, then the server still answers /healthz and analyses', async () => {
    const health = await request(app.app).get('/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    const res = await request(app.app).post('/v1/analyze').attach('image', jpegChart(), 'chart.jpg').field('news', uniqueNews());
    assert.equal(res.status, 200);
  });
});

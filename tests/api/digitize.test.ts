/**
 * POST /v1/digitize and image-only analysis through real HTTP: charts drawn by chartlens from real
 * S&P 500 bars (so the truth is known) are read back from their pixels, OCR included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { digitizeResponseSchema } from '../../src/contracts/digitize.ts';
import { analysisSchema } from '../../src/contracts/analysis.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { computeIndicatorSeries } from '../../src/core/market/indicators.ts';
import { chartOptionsSchema } from '../../src/core/scene/chart-options.ts';
import type { ModelOutput } from '../../src/core/analysis/model-output.ts';
import { plainHold } from '../../testing/model-replies.ts';
import { type AnalysisApp, openMemoryStore, sharedRenderer, startAnalysisApp } from '../helpers/analysis-app.ts';
import { bombPng, textBytes } from '../helpers/image-fixtures.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

const all = sp500();
let app: AnalysisApp;
let chart: { png: Buffer; candles: Candle[] };

async function draw(candles: Candle[], options: Record<string, unknown> = {}): Promise<Buffer> {
  const rendered = await sharedRenderer().render({ candles, indicators: computeIndicatorSeries(candles), options: chartOptionsSchema.parse(options) });
  return rendered.png;
}

before(async () => {
  app = await startAnalysisApp({ store: await openMemoryStore(), openai: true });
  const t = indexOfDate(all, '2020-04-17');
  const candles = all.slice(t - 119, t + 1);
  chart = { png: await draw(candles), candles };
});
after(async () => {
  await app.close();
  await app.store.close();
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('POST /v1/digitize', () => {
  test('when a chart drawn from 120 real bars is uploaded, then the candles, dates and scale come back within the stated error', async () => {
    const res = await request(app.app).post('/v1/digitize').attach('image', chart.png, 'chart.png');
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    const body = digitizeResponseSchema.parse(res.body);
    assert.ok(body.candles.length >= 0.98 * chart.candles.length, `${body.candles.length} of ${chart.candles.length} bars found`);
    const low = Math.min(...chart.candles.map((c) => c.low));
    const high = Math.max(...chart.candles.map((c) => c.high));
    const byDay = new Map(chart.candles.map((c) => [new Date(c.time).toISOString().slice(0, 10), c]));
    const errors: number[] = [];
    let dated = 0;
    for (const c of body.candles) {
      const truth = c.time ? byDay.get(c.time.slice(0, 10)) : undefined;
      if (!truth) continue;
      dated++;
      for (const k of ['open', 'high', 'low', 'close'] as const) errors.push(Math.abs(c[k] - truth[k]) / (high - low));
    }
    assert.ok(dated >= 0.9 * chart.candles.length, `${dated} bars dated correctly`);
    assert.ok(median(errors) <= 0.003, `median OHLC error ${(median(errors) * 100).toFixed(3)}% of the range`);
    assert.ok(body.axis.price && body.axis.price.maxErrorOfRange <= 0.002, 'the price axis fits its labels within 0.2%');
    assert.equal(body.style.theme, 'light');
    assert.ok(body.confidence > 0.5);
    assert.ok(body.priceError !== null && body.priceError > 0);
  });

  test('when the upload is not an image, is a bomb, is missing, or comes with other fields, then a clear 4xx', async () => {
    const text = await request(app.app).post('/v1/digitize').attach('image', textBytes(), 'chart.png');
    assert.equal(text.status, 415);
    assert.equal(text.body.error.code, 'unsupported_image');
    const bomb = await request(app.app).post('/v1/digitize').attach('image', bombPng(), 'bomb.png');
    assert.equal(bomb.status, 413);
    const none = await request(app.app).post('/v1/digitize').field('symbol', 'X');
    assert.equal(none.status, 400);
    const extra = await request(app.app).post('/v1/digitize').attach('image', chart.png, 'c.png').field('symbol', 'SPX');
    assert.equal(extra.status, 400);
    assert.equal(extra.body.error.code, 'unknown_field');
    const json = await request(app.app).post('/v1/digitize').send({ image: 'x' });
    assert.equal(json.status, 415);
    assert.equal(json.body.error.code, 'unsupported_media_type');
  });
});

describe('POST /v1/analyze with an image and no OHLCV', () => {
  test('when the local rules analyse an upload, then the facts come from the image and claims are checked on them', async () => {
    const res = await request(app.app).post('/v1/analyze').field('symbol', 'IMG1').attach('image', chart.png, 'chart.png');
    assert.equal(res.status, 200);
    const a = analysisSchema.parse(res.body);
    assert.equal(a.input.source, 'image');
    assert.equal(a.market?.fromImage, true);
    assert.ok(a.market?.digitization && a.market.digitization.bars >= 118);
    assert.ok(a.verification.claims.some((c) => c.kind !== 'regime' && c.status === 'confirmed'), 'something substantive was checked');
  });

  test('when a model answers about an upload, then its claims are verified on the recovered bars: true ones confirmed, false flagged, volume unverifiable', async () => {
    const t = chart.candles.length - 1;
    const last = chart.candles[t];
    const output: ModelOutput = {
      ...plainHold(),
      levels: { support: [Number((Math.max(...chart.candles.map((c) => c.high)) * 0.995).toFixed(2))], resistance: [] },
      indicators: [
        { name: 'RSI(14)', value: 5, reading: 'wildly wrong' },
        { name: 'OBV', value: 1e9, reading: 'needs volume' },
      ],
      decision: { action: 'buy', exposure: 1, confidence: 0.9, horizonBars: 5, entry: last.close, invalidation: null, target: null, rationale: 'Support holds.' },
    };
    app.fake?.enqueue({ kind: 'json', body: output });
    const res = await request(app.app).post('/v1/analyze').field('analyzer', 'openai').field('symbol', 'IMG2').attach('image', chart.png, 'chart.png');
    assert.equal(res.status, 200);
    const claims = res.body.verification.claims as { claim: string; status: string; detail: string }[];
    const status = (start: string) => claims.find((c) => c.claim.startsWith(start))?.status;
    assert.equal(status('support at'), 'contradicted', 'a "support" near the top of the chart is above the last close');
    assert.equal(status('RSI(14)'), 'contradicted');
    assert.equal(status('OBV'), 'unverifiable');
    assert.equal(res.body.decision.exposure, 0, 'a buy resting on false claims does not stand');
  });
});

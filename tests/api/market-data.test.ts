/** GET /v1/market/{source}/{symbol}: OHLCV from the CSV-folder source, through real HTTP. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { marketResponseSchema } from '../../src/contracts/market.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';

let app: AnalysisApp;
before(async () => {
  app = await startAnalysisApp({ store: await openMemoryStore() });
});
after(async () => {
  await app.close();
  await app.store.close();
});

describe('GET /v1/market/{source}/{symbol}', () => {
  test('when the csv source is asked for sp500, then the last bars come back oldest first, ending on the sample last day', async () => {
    const res = await request(app.app).get('/v1/market/csv/sp500?bars=120');
    assert.equal(res.status, 200);
    const body = marketResponseSchema.parse(res.body);
    assert.equal(body.candles.length, 120);
    assert.equal(body.candles.at(-1)?.time, '2020-04-17');
    assert.equal(body.candles.at(-1)?.close, 2874.560059);
    assert.ok(body.candles.every((c, i) => i === 0 || c.time > body.candles[i - 1].time));
    assert.equal((await request(app.app).get('/v1/market/csv/SP500')).body.candles.length, 300, 'symbols ignore case; 300 bars by default');
  });

  test('when the symbol or the source is unknown, then 404 with its code; a bad query is 400', async () => {
    const symbol = await request(app.app).get('/v1/market/csv/nope');
    assert.equal(symbol.status, 404);
    assert.equal(symbol.body.error.code, 'unknown_symbol');
    assert.match(symbol.body.error.message, /sp500/, 'it names the symbols it has');
    const source = await request(app.app).get('/v1/market/bloomberg/sp500');
    assert.equal(source.status, 404);
    assert.equal(source.body.error.code, 'unknown_market_source');
    for (const q of ['bars=1', 'bars=x', 'timeframe=1h', 'foo=1']) {
      const bad = await request(app.app).get(`/v1/market/csv/sp500?${q}`);
      assert.equal(bad.status, 400, q);
    }
  });
});

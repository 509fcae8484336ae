/**
 * The yahoo source through the whole app: CHARTLENS_YAHOO_URL points the real yahoo-finance2 client
 * at a fake Yahoo on 127.0.0.1, and GET /v1/market and POST /v1/analyze fetch through it.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import request from 'supertest';
import { marketResponseSchema } from '../../src/contracts/market.ts';
import { type FakeYahoo, startFakeYahoo } from '../../testing/fake-yahoo.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';

let fake: FakeYahoo;
let app: AnalysisApp;
before(async () => {
  fake = await startFakeYahoo({ endAt: Date.now() });
  app = await startAnalysisApp({ store: await openMemoryStore(), env: { CHARTLENS_YAHOO_URL: fake.url, CHARTLENS_MARKET_SOURCE: 'yahoo', CHARTLENS_MARKET_RATE_LIMIT: '6000' } });
});
after(async () => {
  await app.close();
  await app.store.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const chartCalls = () => fake.requests.filter((r) => r.path.startsWith('/v8/finance/chart/'));

describe('the yahoo source over HTTP', () => {
  test('when GET /v1/market/yahoo/AAPL is asked, then the bars come from the fake, oldest first, and a repeat is served from the cache', async () => {
    const res = await request(app.app).get('/v1/market/yahoo/AAPL?timeframe=1d&bars=120');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = marketResponseSchema.parse(res.body);
    assert.equal(body.source, 'yahoo');
    assert.equal(body.candles.length, 120);
    assert.ok(body.candles.every((c, i) => i === 0 || c.time > body.candles[i - 1].time));
    assert.ok(Date.now() - Date.parse(body.candles.at(-1)?.time ?? '') < 10 * 86_400_000, 'the last bar is recent');
    assert.equal(chartCalls().length, 1);
    assert.equal(chartCalls()[0].query.interval, '1d');
    await request(app.app).get('/v1/market/yahoo/aapl?bars=60').expect(200);
    assert.equal(chartCalls().length, 1, 'the second, shorter request was a cache hit');
    assert.ok(fake.requests.every((r) => r.host?.startsWith('127.0.0.1')), 'nothing but the fake was called');
  });

  test('when 1w and 1M are asked, then Yahoo is asked for 1wk and 1mo', async () => {
    await request(app.app).get('/v1/market/yahoo/AAPL?timeframe=1w&bars=50').expect(200);
    await request(app.app).get('/v1/market/yahoo/AAPL?timeframe=1mo&bars=24').expect(200);
    assert.deepEqual(chartCalls().map((r) => r.query.interval), ['1wk', '1mo']);
  });

  test('when POST /v1/analyze names only a symbol, then the configured default source (yahoo) supplies the bars', async () => {
    const res = await request(app.app).post('/v1/analyze').send({ symbol: 'EURUSD=X', timeframe: '1d' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.symbol, 'EURUSD=X');
    assert.equal(res.body.market.bars, 300);
    assert.equal(chartCalls().length, 1);
    assert.equal(chartCalls()[0].path, '/v8/finance/chart/EURUSD=X');
    const stored = await app.store.get(res.body.id);
    assert.equal((stored?.request as { source: string }).source, 'yahoo');
  });

  test('when the symbol is unknown to Yahoo, then 404 unknown_symbol', async () => {
    const res = await request(app.app).post('/v1/analyze').send({ symbol: 'NOSUCH', source: 'yahoo' });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'unknown_symbol');
    const market = await request(app.app).get('/v1/market/yahoo/NOSUCH');
    assert.equal(market.status, 404);
    assert.equal(market.body.error.code, 'unknown_symbol');
  });

  test('when Yahoo rate-limits with Retry-After, then 502 market_data_unavailable carries Retry-After; a 503 is 502 too, never a 500', async () => {
    fake.fail(429, { retryAfter: 17 });
    const limited = await request(app.app).post('/v1/analyze').send({ symbol: 'BTC-USD', source: 'yahoo' });
    assert.equal(limited.status, 502);
    assert.equal(limited.body.error.code, 'market_data_unavailable');
    assert.equal(limited.headers['retry-after'], '17');
    fake.fail(503);
    const down = await request(app.app).get('/v1/market/yahoo/MSFT');
    assert.equal(down.status, 502);
    assert.equal(down.body.error.code, 'market_data_unavailable');
    assert.equal(down.headers['retry-after'], undefined, 'no Retry-After when the provider named none');
    fake.garbage();
    const garbage = await request(app.app).get('/v1/market/yahoo/IBM');
    assert.equal(garbage.status, 502);
    assert.doesNotMatch(JSON.stringify(garbage.body), /<html|doctype/i, 'the provider page is not echoed');
  });

  test('when the timeframe is 4h, then Yahoo is asked for 60m bars and the answer has 4-hour bars', async () => {
    const res = await request(app.app).get('/v1/market/yahoo/AAPL?timeframe=4h&bars=40');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(chartCalls()[0].query.interval, '60m');
    assert.ok(res.body.candles.length > 10);
    assert.equal(res.body.timeframe, '4h');
  });
});

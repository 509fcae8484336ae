/**
 * ccxt exchanges through the whole app: CHARTLENS_BINANCE_URL / CHARTLENS_KRAKEN_URL send the real
 * ccxt client to a fake exchange on 127.0.0.1 (fixtures ending on a fixed day, so the clock is pinned).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import request from 'supertest';
import { marketResponseSchema } from '../../src/contracts/market.ts';
import { type FakeExchange, startFakeExchange } from '../../testing/fake-exchange.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';

let fake: FakeExchange;
let app: AnalysisApp;
before(async () => {
  fake = await startFakeExchange();
  app = await startAnalysisApp({
    store: await openMemoryStore(),
    env: { CHARTLENS_BINANCE_URL: fake.url, CHARTLENS_KRAKEN_URL: fake.url, CHARTLENS_COINBASE_URL: fake.url, CHARTLENS_MARKET_RATE_LIMIT: '6000' },
    marketNow: () => fake.now,
  });
});
after(async () => {
  await app.close();
  await app.store.close();
  await fake.close();
});
beforeEach(() => fake.reset());

describe('ccxt exchanges over HTTP', () => {
  test('when GET /v1/market/binance/BTC-USDT is asked, then klines come from the fake exchange, ending at its clock', async () => {
    const res = await request(app.app).get('/v1/market/binance/BTC-USDT?timeframe=1d&bars=200');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = marketResponseSchema.parse(res.body);
    assert.equal(body.source, 'binance');
    assert.equal(body.candles.length, 200);
    assert.ok(Date.parse(body.candles.at(-1)?.time ?? '') <= fake.now);
    assert.ok(fake.now - Date.parse(body.candles.at(-1)?.time ?? '') < 2 * 86_400_000, 'the newest bar is the fake exchange\'s last day');
    const paths = new Set(fake.requests.map((r) => r.path));
    assert.deepEqual([...paths].sort(), ['/api/v3/exchangeInfo', '/api/v3/klines']);
  });

  test('when POST /v1/analyze names a kraken pair, then the analysis is made of its bars', async () => {
    const res = await request(app.app).post('/v1/analyze').send({ symbol: 'BTC/USD', source: 'kraken', timeframe: '1d', bars: 300 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.symbol, 'BTC/USD');
    assert.ok(res.body.market.bars >= 250, `bars: ${res.body.market.bars}`);
    assert.ok(fake.requests.some((r) => r.path === '/0/public/OHLC'));
  });

  test('when the pair is unknown, or the timeframe is one the exchange lacks, then 404 unknown_symbol / 400 unsupported_timeframe', async () => {
    const unknown = await request(app.app).get('/v1/market/binance/NOPE-USDT');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'unknown_symbol');
    const month = await request(app.app).get('/v1/market/kraken/BTC-USD?timeframe=1M');
    assert.equal(month.status, 400);
    assert.equal(month.body.error.code, 'unsupported_timeframe');
  });

  test('when binance answers 429 with Retry-After, then 502 market_data_unavailable with that Retry-After', async () => {
    fake.fail(429, { retryAfter: 9, path: '/api/v3/klines', times: 5 });
    const res = await request(app.app).get('/v1/market/binance/ETH-USDT?timeframe=1d&bars=50');
    assert.equal(res.status, 502, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'market_data_unavailable');
    assert.equal(res.headers['retry-after'], '9');
    assert.doesNotMatch(res.body.error.message, /https?:\/\//, 'the exchange URL is not echoed');
  });
});

describe('a configured exchange id ccxt does not know', () => {
  test('when it is asked for, then 404 unknown_market_source naming the setting, never a 500', async () => {
    const odd = await startAnalysisApp({ store: app.store, env: { CHARTLENS_CCXT_EXCHANGES: 'binance,nosuchexchange' } });
    try {
      const res = await request(odd.app).get('/v1/market/nosuchexchange/BTC-USDT');
      assert.equal(res.status, 404, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'unknown_market_source');
      assert.match(res.body.error.message, /CHARTLENS_CCXT_EXCHANGES/);
    } finally {
      await odd.close();
    }
  });
});

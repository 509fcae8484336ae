// The ccxt market-data adapter through the real ccxt against testing/fake-exchange.ts: the bars,
// the spellings, paging past the exchange's cap, the error mapping, and that every request went
// to the fake's documented endpoints (nothing else, nothing to the real hosts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { CCXT_EXCHANGES, CcxtMarketData } from '../../src/adapters/market-data/ccxt.ts';
import { loadCcxt } from '../../src/adapters/market-data/ccxt-exchange.ts';
import { AppError } from '../../src/core/errors.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { TIMEFRAMES } from '../../src/core/market/timeframe.ts';
import { MarketDataUnavailable } from '../../src/ports/market-data.ts';
import { type FakeExchange, type RecordedExchangeRequest, startFakeExchange } from '../../testing/fake-exchange.ts';

const fixture = (exchange: string, file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../testing/market-fixtures/${exchange}/${file}`, import.meta.url), 'utf8'));

/** The fixture series as candles, parsed here independently of ccxt, oldest first. */
const expected = {
  binance: (file: string): Candle[] =>
    (fixture('binance', file) as string[][]).map((k) => ({ time: Number(k[0]), open: +k[1], high: +k[2], low: +k[3], close: +k[4], volume: +k[5] })),
  kraken: (file: string, pair: string): Candle[] =>
    (fixture('kraken', file) as { result: Record<string, string[][]> }).result[pair].map((e) => ({
      time: Number(e[0]) * 1000, open: +e[1], high: +e[2], low: +e[3], close: +e[4], volume: +e[6],
    })),
  coinbase: (file: string): Candle[] =>
    (fixture('coinbase', file) as { candles: Record<string, string>[] }).candles
      .map((c) => ({ time: Number(c.start) * 1000, open: +c.open, high: +c.high, low: +c.low, close: +c.close, volume: +c.volume }))
      .reverse(),
};

const ENDPOINTS = {
  binance: ['/api/v3/exchangeInfo', '/api/v3/klines'],
  kraken: ['/0/public/Assets', '/0/public/AssetPairs', '/0/public/OHLC'],
  coinbase: ['/v2/currencies', '/v2/currencies/crypto', '/v2/exchange-rates', '/api/v3/brokerage/market/products', '/api/v3/brokerage/market/products/BTC-USD/candles'],
};

function paths(requests: RecordedExchangeRequest[]): string[] {
  return requests.map((r) => r.path);
}

/** Every recorded request is a GET to one of these endpoints. */
function assertOnly(requests: RecordedExchangeRequest[], allowed: string[]): void {
  assert.ok(requests.length > 0, 'no request reached the fake');
  for (const r of requests) {
    assert.equal(r.method, 'GET');
    assert.ok(allowed.includes(r.path), `unexpected request ${r.path}`);
  }
}

async function rejection(promise: Promise<unknown>): Promise<MarketDataUnavailable> {
  const err = await promise.then(
    () => assert.fail('expected MarketDataUnavailable'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof MarketDataUnavailable, `expected MarketDataUnavailable, got ${String(err)}`);
  return err;
}

describe('CcxtMarketData through ccxt against the fake exchange', () => {
  let fake: FakeExchange;
  const adapter = (exchange: string, timeoutMs?: number) => new CcxtMarketData({ exchange, baseUrl: fake.url, timeoutMs, now: () => fake.now });

  before(async () => {
    fake = await startFakeExchange();
  });
  afterEach(() => fake.reset());
  after(() => fake.close());

  test('binance BTC/USDT 1d: the last bars, oldest first, equal to the fixture, in two requests', async () => {
    const md = adapter('binance');
    const candles = await md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 30 });
    const all = expected.binance('klines-BTCUSDT-1d.json');
    assert.deepEqual(candles, all.slice(-30));
    assert.equal(candles?.at(-1)?.time, Date.UTC(2025, 5, 1), 'the last bar is the one forming at the fixture clock');
    assert.deepEqual(paths(fake.requests), ['/api/v3/exchangeInfo', '/api/v3/klines']);
    const klines = fake.requests[1].query;
    assert.equal(klines.symbol, 'BTCUSDT');
    assert.equal(klines.interval, '1d');
    assert.ok(Number(klines.startTime) <= all.at(-30)!.time, 'startTime reaches back to the first wanted bar');
    assert.equal(md.name, 'binance');
    assert.equal(md.session, 'continuous');
  });

  test('binance 1h through the URL spelling BTC-USDT and the exchange id btcusdt', async () => {
    const md = adapter('binance');
    const want = expected.binance('klines-BTCUSDT-1h.json').slice(-48);
    assert.deepEqual(await md.fetch({ symbol: 'BTC-USDT', timeframe: '1h', bars: 48 }), want);
    assert.deepEqual(await md.fetch({ symbol: 'btcusdt', timeframe: '1h', bars: 48 }), want);
    assert.deepEqual((await md.fetch({ symbol: 'eth_usdt', timeframe: '1d', bars: 3 }))?.map((c) => c.close), expected.binance('klines-ETHUSDT-1d.json').slice(-3).map((c) => c.close));
    // Markets are loaded once per adapter.
    assert.equal(paths(fake.requests).filter((p) => p === '/api/v3/exchangeInfo').length, 1);
    assertOnly(fake.requests, ENDPOINTS.binance);
  });

  test('binance pages past its 1000-bar cap and keeps the newest bars', async () => {
    const md = adapter('binance');
    const candles = await md.fetch({ symbol: 'BTC/USDT', timeframe: '1h', bars: 1200 });
    assert.deepEqual(candles, expected.binance('klines-BTCUSDT-1h.json').slice(-1200));
    const pages = fake.requests.filter((r) => r.path === '/api/v3/klines');
    assert.equal(pages.length, 2);
    assert.ok(pages.every((p) => Number(p.query.limit) <= 1000), 'no page asks for more than binance serves');
    assert.ok(Number(pages[1].query.startTime) > Number(pages[0].query.startTime), 'the second page starts after the first');
    assertOnly(fake.requests, ENDPOINTS.binance);
  });

  test('kraken BTC/USD: XBT is BTC, bars equal the fixture, 720 at most, no 1M', async () => {
    const md = adapter('kraken');
    const all = expected.kraken('OHLC-XXBTZUSD-1440.json', 'XXBTZUSD');
    assert.deepEqual(await md.fetch({ symbol: 'BTC/USD', timeframe: '1d', bars: 20 }), all.slice(-20));
    // Kraken keeps only its newest 720 entries: asking for more gets those, not an endless walk.
    const many = await md.fetch({ symbol: 'XBTUSD', timeframe: '1d', bars: 800 });
    assert.equal(many?.length, 720);
    assert.deepEqual(many?.at(-1), all.at(-1));
    assert.ok(!md.timeframes.includes('1M'));
    await assert.rejects(md.fetch({ symbol: 'BTC/USD', timeframe: '1M', bars: 5 }), (e: unknown) => e instanceof AppError && e.code === 'unsupported_timeframe');
    // Kraken refuses in the body of a 200: ccxt reads its error list.
    fake.fail(200, { path: '/0/public/OHLC', body: { error: ['EAPI:Rate limit exceeded'] }, times: 1 });
    const limited = await rejection(md.fetch({ symbol: 'BTC/USD', timeframe: '1d', bars: 20 }));
    assert.match(limited.message, /rate-limiting/);
    assert.equal(limited.retryAfterSeconds, null);
    assertOnly(fake.requests, ENDPOINTS.kraken);
    assert.equal(fake.requests.filter((r) => r.path === '/0/public/OHLC').length, 3);
  });

  test('coinbase BTC/USD 1h through the public endpoints, paging past its 300-candle cap', async () => {
    const md = adapter('coinbase');
    const candles = await md.fetch({ symbol: 'BTC-USD', timeframe: '1h', bars: 350 });
    assert.deepEqual(candles, expected.coinbase('candles-BTC-USD-ONE_HOUR.json').slice(-350));
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/candles')).length, 2);
    assertOnly(fake.requests, ENDPOINTS.coinbase);
  });

  test('an unknown symbol is null: unlisted (no candle request), or refused by the exchange as BadSymbol', async () => {
    const md = adapter('binance');
    assert.equal(await md.fetch({ symbol: 'NOPE/USDT', timeframe: '1d', bars: 10 }), null);
    assert.deepEqual(paths(fake.requests), ['/api/v3/exchangeInfo']);
    fake.fail(400, { path: '/api/v3/klines', body: { code: -1121, msg: 'Invalid symbol.' } });
    assert.equal(await md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }), null);
    assert.deepEqual(await md.symbols(), ['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
  });

  test('429 with Retry-After is unavailable with retryAfterSeconds; the exchange text stays out of the message', async () => {
    const md = adapter('binance');
    fake.fail(429, { path: '/api/v3/klines', retryAfter: 7, times: 1 });
    const err = await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }));
    assert.equal(err.source, 'binance');
    assert.equal(err.retryAfterSeconds, 7);
    assert.match(err.message, /rate-limiting/);
    assert.ok(!err.message.includes('127.0.0.1') && !err.message.includes('-1003'), err.message);
    // 418 (binance's IP ban) too; without the header there is no delay to report.
    fake.fail(418, { path: '/api/v3/klines', retryAfter: 120, times: 1 });
    assert.equal((await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }))).retryAfterSeconds, 120);
    fake.fail(429, { path: '/api/v3/klines', times: 1 });
    assert.equal((await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }))).retryAfterSeconds, null);
    // The failures were one-offs: the same adapter serves again.
    assert.equal((await md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }))?.length, 10);
  });

  test('5xx while loading markets is unavailable, symbols() is [], and the next call loads again', async () => {
    const md = adapter('binance');
    fake.fail(503, { path: '/api/v3/exchangeInfo' });
    const err = await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 5 }));
    assert.equal(err.source, 'binance');
    assert.equal(err.retryAfterSeconds, null);
    assert.match(err.message, /cannot be reached or is down/);
    assert.deepEqual(await md.symbols(), []);
    fake.reset();
    assert.equal((await md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 5 }))?.length, 5);
    assert.deepEqual(paths(fake.requests), ['/api/v3/exchangeInfo', '/api/v3/klines']);
  });

  test("a 502 on the bars is unavailable too, with binance's error body or a proxy's page", async () => {
    const md = adapter('binance');
    fake.fail(502, { path: '/api/v3/klines', times: 1 });
    assert.match((await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 5 }))).message, /cannot be reached or is down/);
    fake.fail(502, { path: '/api/v3/klines', times: 1, body: '<html><body>502 Bad Gateway</body></html>' });
    assert.match((await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 5 }))).message, /down \(ExchangeNotAvailable\)/);
  });

  test('a hung exchange is unavailable after timeoutMs', async () => {
    const md = adapter('binance', 300);
    fake.hang({ path: '/api/v3/klines' });
    const started = Date.now();
    const err = await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }));
    assert.match(err.message, /RequestTimeout/);
    assert.ok(Date.now() - started < 3000, 'gave up near the timeout');
  });

  test('garbage is unavailable, never an unknown symbol', async () => {
    const md = adapter('binance');
    fake.garbage({ path: '/api/v3/exchangeInfo', times: 1 });
    assert.match((await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }))).message, /could not be read/);
    fake.garbage({ path: '/api/v3/exchangeInfo', times: 1, body: '{"serverTime":1}' });
    assert.match((await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }))).message, /no markets/);
    fake.garbage({ path: '/api/v3/klines', times: 1 });
    await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }));
    fake.garbage({ path: '/api/v3/klines', times: 1, body: '[[1748736000000,"1","0.5","2","1","3"],[1748649600000,"x"]]' });
    await rejection(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 10 }));
  });

  test('timeframes: the table used before ccxt loads matches ccxt, for every default exchange', async () => {
    const ccxt = await loadCcxt();
    for (const id of CCXT_EXCHANGES) {
      const live = new (ccxt.exchanges as unknown as Record<string, new () => { timeframes: Record<string, unknown> }>)[id]().timeframes;
      assert.deepEqual(adapter(id).timeframes, TIMEFRAMES.filter((t) => Object.hasOwn(live, t)), id);
    }
    // Once loaded the adapter reads ccxt's own map, which must say the same.
    const md = adapter('binance');
    const before = [...md.timeframes];
    await md.symbols();
    assert.deepEqual(md.timeframes, before);
  });

  test('an exchange id ccxt does not have fails plainly (a configuration error, not an outage)', async () => {
    const md = adapter('nosuchexchange');
    await assert.rejects(md.fetch({ symbol: 'BTC/USDT', timeframe: '1d', bars: 5 }), (e: unknown) => !(e instanceof MarketDataUnavailable) && /ccxt has no exchange "nosuchexchange"/.test(String(e)));
    assert.deepEqual(await md.symbols(), []);
    assert.equal(fake.requests.length, 0);
  });

  test('constructing the adapter and reading its timeframes does not import ccxt; the first fetch does', () => {
    // A child process, since this one has imported ccxt already. Port 9 refuses connections, so
    // symbols() fails fast without leaving 127.0.0.1 — after importing ccxt.
    const script = `
      import { registerHooks } from 'node:module';
      let loaded = false;
      registerHooks({ resolve(specifier, context, next) { if (specifier === 'ccxt') loaded = true; return next(specifier, context); } });
      const { CcxtMarketData } = await import(${JSON.stringify(new URL('../../src/adapters/market-data/ccxt.ts', import.meta.url).href)});
      const md = new CcxtMarketData({ exchange: 'kraken', baseUrl: 'http://127.0.0.1:9' });
      console.log(JSON.stringify({ loaded, timeframes: md.timeframes }));
      const symbols = await md.symbols();
      console.log(JSON.stringify({ loaded, symbols }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 0, run.stderr);
    const [first, second] = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(first, { loaded: false, timeframes: ['1m', '5m', '15m', '1h', '4h', '1d', '1w'] });
    assert.deepEqual(second, { loaded: true, symbols: [] });
  });
});

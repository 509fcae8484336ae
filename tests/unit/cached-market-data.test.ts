/** The TTL cache and rate limit in front of every remote market-data source. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CachedMarketData, cacheTtlMs } from '../../src/adapters/market-data/cached-market-data.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { MarketDataUnavailable, type MarketData, type MarketDataQuery } from '../../src/ports/market-data.ts';

const DAY = 86_400_000;
const bars = (n: number, last = 100): Candle[] =>
  Array.from({ length: n }, (_, i) => ({ time: Date.UTC(2024, 0, 1) + i * DAY, open: last, high: last + 1, low: last - 1, close: last + i / 100 }));

/** A provider that counts its calls and answers from a table (null: unknown symbol). */
function provider(table: Record<string, number | null>, delayMs = 0) {
  const calls: MarketDataQuery[] = [];
  let failNext: MarketDataUnavailable | null = null;
  const source: MarketData = {
    name: 'fake',
    timeframes: ['1h', '1d'],
    session: 'exchange',
    symbols: async () => Object.keys(table),
    async fetch(q) {
      calls.push(q);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (failNext) {
        const err = failNext;
        failNext = null;
        throw err;
      }
      const have = table[q.symbol.toUpperCase()];
      return have === null || have === undefined ? null : bars(Math.min(have, q.bars));
    },
  };
  return { source, calls, failOnce: (e: MarketDataUnavailable) => (failNext = e) };
}

describe('CachedMarketData', () => {
  test('when the same series is asked twice within its TTL, then the provider is called once; after the TTL, again', async () => {
    let now = 0;
    const p = provider({ AAPL: 1000 });
    const cached = new CachedMarketData(p.source, { now: () => now });
    assert.equal((await cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 300 }))?.length, 300);
    assert.equal((await cached.fetch({ symbol: 'aapl', timeframe: '1d', bars: 300 }))?.length, 300, 'symbols ignore case');
    assert.equal(p.calls.length, 1);
    now += cacheTtlMs('1d');
    await cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 300 });
    assert.equal(p.calls.length, 2);
    assert.equal(cached.hits, 1);
  });

  test('when a shorter request follows a longer one, then it is a slice of the cached bars; a longer one refetches', async () => {
    const p = provider({ AAPL: 1000 });
    const cached = new CachedMarketData(p.source);
    const long = await cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 300 });
    const short = await cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 50 });
    assert.deepEqual(short, long?.slice(-50));
    assert.equal(p.calls.length, 1);
    await cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 600 });
    assert.equal(p.calls.length, 2);
    // Another timeframe is another series.
    await cached.fetch({ symbol: 'AAPL', timeframe: '1h', bars: 50 });
    assert.equal(p.calls.length, 3);
  });

  test('when the provider has fewer bars than asked for, then that short series serves longer requests too', async () => {
    const p = provider({ NEW: 40 });
    const cached = new CachedMarketData(p.source);
    assert.equal((await cached.fetch({ symbol: 'NEW', timeframe: '1d', bars: 300 }))?.length, 40);
    assert.equal((await cached.fetch({ symbol: 'NEW', timeframe: '1d', bars: 500 }))?.length, 40);
    assert.equal(p.calls.length, 1);
  });

  test('when ten requests for one series arrive together, then they share one provider call', async () => {
    const p = provider({ AAPL: 1000 }, 30);
    const cached = new CachedMarketData(p.source);
    const answers = await Promise.all(Array.from({ length: 10 }, () => cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 100 })));
    assert.equal(p.calls.length, 1);
    assert.ok(answers.every((a) => a?.length === 100));
  });

  test('when a symbol is unknown, then null is remembered for a minute; a failure is not cached at all', async () => {
    let now = 0;
    const p = provider({ AAPL: 1000, NOPE: null });
    const cached = new CachedMarketData(p.source, { now: () => now });
    assert.equal(await cached.fetch({ symbol: 'NOPE', timeframe: '1d', bars: 10 }), null);
    assert.equal(await cached.fetch({ symbol: 'NOPE', timeframe: '1d', bars: 10 }), null);
    assert.equal(p.calls.length, 1);
    now += 60_000;
    await cached.fetch({ symbol: 'NOPE', timeframe: '1d', bars: 10 });
    assert.equal(p.calls.length, 2);

    p.failOnce(new MarketDataUnavailable('fake', 'HTTP 503', 30));
    await assert.rejects(cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }), (e: unknown) => e instanceof MarketDataUnavailable && e.retryAfterSeconds === 30);
    assert.equal((await cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }))?.length, 10, 'the next request tries again');
  });

  test('when a rate limiter is given, then every provider call takes a slot first and cache hits take none', async () => {
    let taken = 0;
    const p = provider({ AAPL: 1000, MSFT: 1000 });
    const cached = new CachedMarketData(p.source, { limiter: { take: async () => void taken++ } });
    await cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 });
    await cached.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 });
    await cached.fetch({ symbol: 'MSFT', timeframe: '1d', bars: 10 });
    assert.equal(taken, 2);
  });

  test('when TTLs are read, then they grow with the bar and stay between 15 s and an hour', () => {
    assert.equal(cacheTtlMs('1m'), 15_000);
    assert.equal(cacheTtlMs('1h'), 15 * 60_000);
    assert.equal(cacheTtlMs('1d'), 3_600_000);
    assert.equal(cacheTtlMs('1M'), 3_600_000);
  });
});

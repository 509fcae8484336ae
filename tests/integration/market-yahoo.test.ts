// The Yahoo market-data adapter, with yahoo-finance2 inside it, against the fake Yahoo in
// testing/fake-yahoo.ts: every byte goes over HTTP to 127.0.0.1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { YahooMarketData } from '../../src/adapters/market-data/yahoo.ts';
import { yahooWindow } from '../../src/adapters/market-data/yahoo-bars.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { TIMEFRAMES } from '../../src/core/market/timeframe.ts';
import { MarketDataUnavailable } from '../../src/ports/market-data.ts';
import { FAKE_CRUMB, startFakeYahoo, YAHOO_FIXTURES_DIR, type FakeYahoo } from '../../testing/fake-yahoo.ts';

/** The Saturday after the fixtures' last bar (Friday 2020-04-17). */
const NOW = Date.UTC(2020, 3, 18);
const DAY = 86_400_000;

/** One fixture row as Yahoo sent it: epoch seconds and nullable prices. */
interface Row {
  t: number;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
  adjclose: number | null;
}

function fixtureRows(file: string): Row[] {
  const answer = JSON.parse(readFileSync(join(YAHOO_FIXTURES_DIR, file), 'utf8'));
  const result = answer.chart.result[0];
  const q = result.indicators.quote[0];
  const adj = result.indicators.adjclose?.[0].adjclose;
  return result.timestamp.map((t: number, i: number) => ({
    t, open: q.open[i], high: q.high[i], low: q.low[i], close: q.close[i], volume: q.volume[i], adjclose: adj ? adj[i] : null,
  }));
}

/** Calendar date (midnight UTC) of epoch seconds `t` in a time zone. */
function dateIn(t: number, timeZone: string): number {
  const text = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t * 1000);
  return Date.parse(text);
}

function assertSane(candles: Candle[]): void {
  for (const [i, c] of candles.entries()) {
    assert.ok(c.low <= Math.min(c.open, c.close) && c.high >= Math.max(c.open, c.close), `bar ${i} OHLC is inconsistent`);
    assert.ok(c.low > 0, `bar ${i} has a non-positive low`);
    if (i > 0) assert.ok(c.time > candles[i - 1].time, `bar ${i} is not after bar ${i - 1}`);
  }
}

async function unavailable(promise: Promise<unknown>, check: (error: MarketDataUnavailable) => void): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MarketDataUnavailable, `expected MarketDataUnavailable, got ${String(error)}`);
    assert.equal(error.source, 'yahoo');
    check(error);
    return true;
  });
}

describe('Yahoo market data against the fake Yahoo', () => {
  let fake: FakeYahoo;
  let yahoo: YahooMarketData;

  before(async () => {
    fake = await startFakeYahoo();
    yahoo = new YahooMarketData({ baseUrl: fake.url, now: () => NOW, timeoutMs: 5000 });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  it('describes itself: yahoo, exchange session, all eight timeframes, no symbol list', async () => {
    assert.equal(yahoo.name, 'yahoo');
    assert.equal(yahoo.session, 'exchange');
    assert.deepEqual([...yahoo.timeframes], [...TIMEFRAMES]);
    assert.deepEqual(await yahoo.symbols(), []);
  });

  it('daily AAPL: the last 30 bars oldest first, the fixture prices (close, not adjclose), known by their date', async () => {
    const candles = await yahoo.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 30 });
    assert.ok(candles);
    const expected = fixtureRows('AAPL.1d.json').filter((r) => r.close !== null).slice(-30);
    assert.equal(candles.length, 30);
    assertSane(candles);
    candles.forEach((c, i) => {
      const r = expected[i];
      assert.deepEqual(c, { time: dateIn(r.t, 'America/New_York'), open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume });
      assert.notEqual(c.close, r.adjclose);
    });
    assert.equal(new Date(candles.at(-1)!.time).toISOString(), '2020-04-17T00:00:00.000Z');
    const [request] = fake.requests;
    assert.equal(request.path, '/v8/finance/chart/AAPL');
    assert.equal(request.query.interval, '1d');
    assert.equal(request.query.includePrePost, 'false');
    assert.equal(Number(request.query.period2), NOW / 1000);
  });

  it('drops the bar Yahoo sent as nulls and still returns the bars asked for', async () => {
    const rows = fixtureRows('AAPL.1d.json');
    const gap = rows.find((r) => r.close === null);
    assert.ok(gap, 'the fixture has a null bar');
    const candles = await yahoo.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 20 });
    assert.ok(candles);
    assert.equal(candles.length, 20);
    const times = candles.map((c) => c.time);
    assert.ok(!times.includes(dateIn(gap.t, 'America/New_York')), 'the null bar was dropped');
    const around = rows.indexOf(gap);
    assert.ok(times.includes(dateIn(rows[around - 1].t, 'America/New_York')) && times.includes(dateIn(rows[around + 1].t, 'America/New_York')));
  });

  it('FX: EURUSD=X bars opening at midnight London (23:00 UTC) carry their London date, and no all-zero volume', async () => {
    const candles = await yahoo.fetch({ symbol: 'EURUSD=X', timeframe: '1d', bars: 5 });
    assert.ok(candles);
    const rows = fixtureRows('EURUSD=X.1d.json').slice(-5);
    assert.equal(new Date(rows.at(-1)!.t * 1000).toISOString(), '2020-04-16T23:00:00.000Z');
    assert.deepEqual(
      candles.map((c) => new Date(c.time).toISOString().slice(0, 10)),
      ['2020-04-13', '2020-04-14', '2020-04-15', '2020-04-16', '2020-04-17'],
    );
    assert.deepEqual(candles.map((c) => c.close), rows.map((r) => r.close));
    assert.ok(candles.every((c) => c.volume === undefined), 'Yahoo reports FX volume as 0: dropped');
    assert.equal(fake.requests[0].path, '/v8/finance/chart/EURUSD=X');
  });

  it('crypto: BTC-USD has a bar every calendar day, weekends included', async () => {
    const candles = await yahoo.fetch({ symbol: 'BTC-USD', timeframe: '1d', bars: 10 });
    assert.ok(candles);
    assert.equal(candles.length, 10);
    candles.slice(1).forEach((c, i) => assert.equal(c.time - candles[i].time, DAY));
    assert.ok(candles.some((c) => new Date(c.time).getUTCDay() === 6), 'a Saturday is among them');
    assert.deepEqual(candles.map((c) => c.close), fixtureRows('BTC-USD.1d.json').slice(-10).map((r) => r.close));
  });

  it('an index with ^: ^GSPC gives the S&P 500 closes of samples/sp500.csv', async () => {
    const candles = await yahoo.fetch({ symbol: '^GSPC', timeframe: '1d', bars: 5 });
    assert.ok(candles);
    const csv = readFileSync(join(import.meta.dirname, '../../samples/sp500.csv'), 'utf8').trim().split('\n').slice(-5);
    candles.forEach((c, i) => {
      const [date, , , , close] = csv[i].split(',');
      assert.equal(c.time, Date.parse(date));
      assert.ok(Math.abs(c.close - Number(close)) < 1e-3, `${date}: ${c.close} vs ${close}`);
    });
    assert.equal(fake.requests[0].path, '/v8/finance/chart/^GSPC');
  });

  it('1h is asked as 60m and keeps Yahoo\'s bar times', async () => {
    const candles = await yahoo.fetch({ symbol: 'AAPL', timeframe: '1h', bars: 14 });
    assert.ok(candles);
    assert.equal(fake.requests[0].query.interval, '60m');
    const rows = fixtureRows('AAPL.60m.json').slice(-14);
    assert.deepEqual(candles.map((c) => c.time), rows.map((r) => r.t * 1000));
    assert.deepEqual(candles.map((c) => c.open), rows.map((r) => r.open));
    assertSane(candles);
  });

  it('4h joins 09:30-12:30 and 13:30-15:30 New York: first open, highest high, lowest low, last close, summed volume', async () => {
    const candles = await yahoo.fetch({ symbol: 'AAPL', timeframe: '4h', bars: 10 });
    assert.ok(candles);
    assert.equal(fake.requests[0].query.interval, '60m');
    // The last five trading days in the fixture are complete: seven hourly bars each.
    const hours = fixtureRows('AAPL.60m.json').slice(-35);
    const join4 = (group: Row[]) => ({
      time: group[0].t * 1000,
      open: group[0].open,
      high: Math.max(...group.map((r) => r.high!)),
      low: Math.min(...group.map((r) => r.low!)),
      close: group.at(-1)!.close,
      volume: group.reduce((sum, r) => sum + r.volume!, 0),
    });
    const expected = [0, 1, 2, 3, 4].flatMap((d) => [join4(hours.slice(d * 7, d * 7 + 4)), join4(hours.slice(d * 7 + 4, d * 7 + 7))]);
    assert.deepEqual(candles, expected);
    const clock = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    assert.deepEqual([...new Set(candles.map((c) => clock.format(c.time)))], ['09:30', '13:30']);
  });

  it('4h: with the 09:30 hour missing the bar still starts at 09:30 and opens at 10:30', async () => {
    const rows = fixtureRows('AAPL.60m.json');
    const gap = rows.findIndex((r) => r.close === null);
    assert.ok(gap > 0, 'the fixture has a null hourly bar');
    const candles = await yahoo.fetch({ symbol: 'AAPL', timeframe: '4h', bars: 40 });
    assert.ok(candles);
    const bar = candles.find((c) => c.time === rows[gap].t * 1000);
    assert.ok(bar, 'a 4h bar at the missing hour');
    const rest = rows.slice(gap + 1, gap + 4);
    assert.equal(bar.open, rest[0].open);
    assert.equal(bar.close, rest[2].close);
    assert.equal(bar.volume, rest.reduce((s, r) => s + r.volume!, 0));
  });

  it('1w and 1M are asked as 1wk and 1mo and known by their Monday and their 1st', async () => {
    const weeks = await yahoo.fetch({ symbol: 'AAPL', timeframe: '1w', bars: 4 });
    const months = await yahoo.fetch({ symbol: 'AAPL', timeframe: '1M', bars: 3 });
    assert.deepEqual(fake.requests.map((r) => r.query.interval), ['1wk', '1mo']);
    assert.ok(weeks && months);
    assert.deepEqual(weeks.map((c) => new Date(c.time).getUTCDay()), [1, 1, 1, 1]);
    assert.deepEqual(weeks.map((c) => c.close), fixtureRows('AAPL.1wk.json').slice(-4).map((r) => r.close));
    assert.deepEqual(months.map((c) => new Date(c.time).toISOString().slice(0, 10)), ['2020-02-01', '2020-03-01', '2020-04-01']);
  });

  it('an unknown symbol (Yahoo\'s 404 "No data found") is null', async () => {
    assert.equal(await yahoo.fetch({ symbol: 'NOSUCH', timeframe: '1d', bars: 10 }), null);
    assert.equal(fake.requests[0].path, '/v8/finance/chart/NOSUCH');
  });

  it('an answer without bars (no timestamp) is null', async () => {
    const later = new YahooMarketData({ baseUrl: fake.url, now: () => Date.UTC(2021, 0, 1) });
    assert.equal(await later.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }), null);
    assert.equal(fake.requests.length, 1);
  });

  it('429 with Retry-After: 7 is unavailable, come back in 7 seconds', async () => {
    fake.fail(429, { retryAfter: 7 });
    await unavailable(yahoo.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }), (e) => {
      assert.equal(e.retryAfterSeconds, 7);
      assert.match(e.message, /429/);
    });
  });

  it('Retry-After as an HTTP date counts from the adapter\'s clock', async () => {
    fake.fail(429, { retryAfter: new Date(NOW + 30_000).toUTCString() });
    await unavailable(yahoo.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }), (e) => assert.equal(e.retryAfterSeconds, 30));
  });

  it('503 is unavailable without a retry time', async () => {
    fake.fail(503);
    await unavailable(yahoo.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }), (e) => {
      assert.equal(e.retryAfterSeconds, null);
      assert.match(e.message, /503/);
    });
  });

  it('a Yahoo that never answers is unavailable after timeoutMs', async () => {
    fake.hang();
    const quick = new YahooMarketData({ baseUrl: fake.url, now: () => NOW, timeoutMs: 150 });
    const started = Date.now();
    await unavailable(quick.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }), (e) => assert.match(e.message, /within 150 ms/));
    assert.ok(Date.now() - started < 3000, 'gave up near the deadline');
  });

  it('an HTML page instead of JSON is unavailable', async () => {
    fake.garbage();
    await unavailable(yahoo.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }), (e) => assert.match(e.message, /text\/html/));
  });

  it('a refused connection is unavailable', async () => {
    const gone = await startFakeYahoo();
    await gone.close();
    const nowhere = new YahooMarketData({ baseUrl: gone.url, timeoutMs: 2000 });
    await unavailable(nowhere.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }), (e) => assert.match(e.message, /could not be reached/));
  });

  it('a base URL with a path keeps it as a prefix, and a plain 404 there is not an unknown symbol', async () => {
    const proxied = new YahooMarketData({ baseUrl: `${fake.url}/yahoo/`, now: () => NOW });
    await unavailable(proxied.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 }), (e) => assert.match(e.message, /404/));
    assert.equal(fake.requests[0].path, '/yahoo/v8/finance/chart/AAPL');
  });

  it('every request goes to the fake and nowhere else', async () => {
    const seen: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      seen.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return realFetch(input, init);
    };
    try {
      await yahoo.fetch({ symbol: 'AAPL', timeframe: '1d', bars: 10 });
      await yahoo.fetch({ symbol: 'AAPL', timeframe: '4h', bars: 10 });
      await yahoo.fetch({ symbol: 'NOSUCH', timeframe: '1w', bars: 10 });
      fake.fail(429, { retryAfter: 1 });
      await assert.rejects(yahoo.fetch({ symbol: 'BTC-USD', timeframe: '1d', bars: 10 }), MarketDataUnavailable);
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.equal(seen.length, 4);
    assert.equal(fake.requests.length, seen.length);
    for (const url of seen) assert.ok(url.startsWith(`${fake.url}/`), `${url} is not the fake`);
    const host = new URL(fake.url).host;
    assert.ok(fake.requests.every((r) => r.host === host));
  });

  it('the fake answers the cookie and crumb steps too', async () => {
    const page = await fetch(`${fake.url}/quote/AAPL`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('set-cookie') ?? '', /^A3=/);
    const consent = await fetch(`${fake.url}/`);
    assert.equal(consent.status, 404);
    assert.match(consent.headers.get('set-cookie') ?? '', /^A3=/);
    const crumb = await fetch(`${fake.url}/v1/test/getcrumb`);
    assert.equal(await crumb.text(), FAKE_CRUMB);
    assert.deepEqual(fake.requests.map((r) => r.path), ['/quote/AAPL', '/', '/v1/test/getcrumb']);
  });
});

describe('Yahoo request windows', () => {
  it('cover the bars asked for and stay inside Yahoo\'s intraday limits', () => {
    const span = (w: { period1: number; period2: number }) => (w.period2 - w.period1) * 1000;
    assert.ok(span(yahooWindow('1m', 5000, NOW)) <= 7 * DAY, '1m: about a week per request');
    assert.ok(span(yahooWindow('5m', 50_000, NOW)) < 60 * DAY, '5m: under 60 days');
    assert.ok(span(yahooWindow('15m', 50_000, NOW)) < 60 * DAY, '15m: under 60 days');
    assert.ok(span(yahooWindow('4h', 50_000, NOW)) < 730 * DAY, '60m: under 730 days');
    assert.ok(span(yahooWindow('1d', 300, NOW)) >= 300 * (365 / 252) * DAY, '300 trading days fit');
    assert.ok(span(yahooWindow('1h', 100, NOW)) >= (100 / 7) * (7 / 5) * DAY, '100 US hourly bars fit');
    assert.equal(yahooWindow('1M', 12, NOW).interval, '1mo');
  });
});

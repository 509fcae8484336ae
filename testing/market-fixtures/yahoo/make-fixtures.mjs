#!/usr/bin/env node
// Writes the fake Yahoo's fixtures beside this script: answers in the shape of Yahoo's v8 chart
// endpoint, built from the S&P 500 daily series in samples/sp500.csv (vega-datasets), scaled and
// re-dated per symbol. Nothing here is recorded from Yahoo; see README.md. Deterministic: running it
// again writes the same files. Run: node testing/market-fixtures/yahoo/make-fixtures.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const csv = readFileSync(join(here, '../../../samples/sp500.csv'), 'utf8');

/** The series' last `count` rows as {date, open, high, low, close, adjclose, volume}. */
function lastRows(count) {
  const lines = csv.trim().split('\n').slice(1);
  return lines.slice(-count).map((line) => {
    const [date, open, high, low, close, adjclose, volume] = line.split(',');
    return { date, open: +open, high: +high, low: +low, close: +close, adjclose: +adjclose, volume: +volume };
  });
}

/** Yahoo's prices are float32 values printed as doubles (282.79998779296875); so are these. */
const price = (x, decimals) => Math.fround(Math.round(x * 10 ** decimals) / 10 ** decimals);

/** Epoch seconds of wall-clock `hh:mm` on `date` in `timeZone` (found by trying the zone's offsets). */
function zonedSeconds(date, hh, mm, timeZone) {
  const [y, m, d] = date.split('-').map(Number);
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: 'numeric', day: 'numeric', hourCycle: 'h23' });
  for (let offsetHours = -12; offsetHours <= 14; offsetHours++) {
    const ms = Date.UTC(y, m - 1, d, hh, mm) - offsetHours * 3_600_000;
    const p = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
    if (p.hour === hh && p.minute === mm && p.day === d) return ms / 1000;
  }
  throw new Error(`no ${hh}:${mm} on ${date} in ${timeZone}`);
}

const addDays = (date, n) => new Date(Date.parse(date) + n * 86_400_000).toISOString().slice(0, 10);

/** A meta block with the fields Yahoo sends (and yahoo-finance2's schema requires). */
function meta(symbol, info, bars, granularity) {
  const last = bars.at(-1);
  const { timezone, exchangeTimezoneName, gmtoffset } = info;
  const period = (start, end) => ({ timezone, start: last.t + start, end: last.t + end, gmtoffset });
  return {
    currency: info.currency,
    symbol,
    exchangeName: info.exchangeName,
    fullExchangeName: info.fullExchangeName,
    instrumentType: info.instrumentType,
    firstTradeDate: info.firstTradeDate,
    regularMarketTime: last.t + 23_400,
    hasPrePostMarketData: info.instrumentType === 'EQUITY',
    gmtoffset,
    timezone,
    exchangeTimezoneName,
    regularMarketPrice: last.close,
    fiftyTwoWeekHigh: Math.max(...bars.filter((b) => b.high !== null).map((b) => b.high)),
    fiftyTwoWeekLow: Math.min(...bars.filter((b) => b.low !== null).map((b) => b.low)),
    regularMarketDayHigh: last.high,
    regularMarketDayLow: last.low,
    regularMarketVolume: last.volume,
    longName: info.longName,
    shortName: info.longName,
    chartPreviousClose: bars[0].close,
    priceHint: info.decimals,
    currentTradingPeriod: { pre: period(-19_800, 0), regular: period(0, 23_400), post: period(23_400, 37_800) },
    dataGranularity: granularity,
    range: '',
    validRanges: ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'],
  };
}

/** Yahoo's v8 chart answer for `bars` ({t, open, high, low, close, volume, adjclose?}, nulls allowed). */
function chartAnswer(symbol, info, bars, granularity, withAdjclose) {
  const column = (f) => bars.map((b) => b[f]);
  const indicators = { quote: [{ open: column('open'), high: column('high'), low: column('low'), close: column('close'), volume: column('volume') }] };
  // Intraday answers carry no adjclose; daily and slower do.
  if (withAdjclose) indicators.adjclose = [{ adjclose: column('adjclose') }];
  return { chart: { result: [{ meta: meta(symbol, info, bars, granularity), timestamp: column('t'), indicators }], error: null } };
}

/** Daily rows scaled into a symbol's price range and stamped at its session's opening time. */
function dailyBars(rows, info, stamp) {
  return rows.map((r, i) => ({
    t: stamp(r, i),
    open: price(r.open * info.scale, info.decimals),
    high: price(r.high * info.scale, info.decimals),
    low: price(r.low * info.scale, info.decimals),
    close: price(r.close * info.scale, info.decimals),
    // Adjusted close differs from close (as after dividends) so a test can tell which one was used.
    adjclose: price(r.adjclose * info.scale * info.adjust, info.decimals),
    volume: info.volumeScale === 0 ? 0 : Math.round(r.volume * info.volumeScale),
  }));
}

/** Yahoo writes a missing bar as nulls in every quote array, keeping its timestamp. */
function blank(bar) {
  return { t: bar.t, open: null, high: null, low: null, close: null, volume: null, adjclose: null };
}

/** Weekly (by Monday) or monthly (by the 1st) bars from daily ones, stamped like Yahoo at 09:30 New York. */
function coarserBars(daily, rows, keyOf) {
  const out = [];
  daily.forEach((bar, i) => {
    const key = keyOf(rows[i].date);
    const cur = out.at(-1);
    if (cur && cur.key === key) {
      cur.high = Math.max(cur.high, bar.high);
      cur.low = Math.min(cur.low, bar.low);
      cur.close = bar.close;
      cur.adjclose = bar.adjclose;
      cur.volume += bar.volume;
    } else {
      out.push({ ...bar, key, t: zonedSeconds(key, 9, 30, 'America/New_York') });
    }
  });
  return out.map(({ key: _key, ...bar }) => bar);
}
const mondayOf = (date) => addDays(date, -((new Date(date).getUTCDay() + 6) % 7));
const firstOfMonth = (date) => `${date.slice(0, 8)}01`;

/**
 * Seven hourly bars per trading day (09:30 ... 15:30 New York, the last one half an hour, as Yahoo
 * gives US stocks) walking from the day's open to its close, touching its high and low once each.
 */
function hourlyBars(daily, rows) {
  const weights = [0.2, 0.13, 0.11, 0.1, 0.11, 0.13, 0.22];
  return daily.flatMap((day, d) => {
    const hiAt = (d * 3 + 1) % 7;
    const loAt = (hiAt + 3) % 7;
    let open = day.open;
    return weights.map((w, k) => {
      const close = k === 6 ? day.close : price(day.open + ((day.close - day.open) * (k + 1)) / 7, 2);
      const bar = {
        t: zonedSeconds(rows[d].date, 9 + k, 30, 'America/New_York'),
        open,
        high: k === hiAt ? day.high : price(Math.min(day.high, Math.max(open, close) * 1.001), 2),
        low: k === loAt ? day.low : price(Math.max(day.low, Math.min(open, close) * 0.999), 2),
        close,
        volume: Math.round(day.volume * w),
      };
      open = close;
      return bar;
    });
  });
}

const NEW_YORK = { timezone: 'EDT', exchangeTimezoneName: 'America/New_York', gmtoffset: -14_400 };
const SYMBOLS = {
  AAPL: { ...NEW_YORK, currency: 'USD', exchangeName: 'NMS', fullExchangeName: 'NasdaqGS', instrumentType: 'EQUITY', longName: 'Apple Inc.', firstTradeDate: 345_479_400, scale: 0.1, adjust: 0.99, decimals: 2, volumeScale: 0.008 },
  '^GSPC': { ...NEW_YORK, currency: 'USD', exchangeName: 'SNP', fullExchangeName: 'SNP', instrumentType: 'INDEX', longName: 'S&P 500', firstTradeDate: -1_325_583_000, scale: 1, adjust: 1, decimals: 2, volumeScale: 1 },
  'EURUSD=X': { timezone: 'BST', exchangeTimezoneName: 'Europe/London', gmtoffset: 3600, currency: 'USD', exchangeName: 'CCY', fullExchangeName: 'CCY', instrumentType: 'CURRENCY', longName: 'EUR/USD', firstTradeDate: 1_070_236_800, scale: 1.0876 / 2874.56, adjust: 1, decimals: 5, volumeScale: 0 },
  'BTC-USD': { timezone: 'UTC', exchangeTimezoneName: 'UTC', gmtoffset: 0, currency: 'USD', exchangeName: 'CCC', fullExchangeName: 'CCC', instrumentType: 'CRYPTOCURRENCY', longName: 'Bitcoin USD', firstTradeDate: 1_410_912_000, scale: 2.5, adjust: 1, decimals: 2, volumeScale: 8 },
};

function write(name, answer) {
  writeFileSync(join(here, name), `${JSON.stringify(answer)}\n`);
  console.log(`wrote ${name} (${answer.chart.result[0].timestamp.length} bars)`);
}

// Two years of daily bars: enough for the 300 a symbol request fetches by default.
const year = lastRows(520);
const openNy = (r) => zonedSeconds(r.date, 9, 30, 'America/New_York');

const aapl = dailyBars(year, SYMBOLS.AAPL, openNy);
const aaplWithGap = aapl.map((b, i) => (i === aapl.length - 10 ? blank(b) : b));
write('AAPL.1d.json', chartAnswer('AAPL', SYMBOLS.AAPL, aaplWithGap, '1d', true));
write('AAPL.1wk.json', chartAnswer('AAPL', SYMBOLS.AAPL, coarserBars(aapl, year, mondayOf), '1wk', true));
write('AAPL.1mo.json', chartAnswer('AAPL', SYMBOLS.AAPL, coarserBars(aapl, year, firstOfMonth), '1mo', true));

const sixtyDays = year.slice(-60);
const hourly = hourlyBars(aapl.slice(-60), sixtyDays);
// A missing 09:30 bar twelve trading days before the end: its 4h bar must still open at 09:30.
const gapAt = hourly.length - 12 * 7;
write('AAPL.60m.json', chartAnswer('AAPL', SYMBOLS.AAPL, hourly.map((b, i) => (i === gapAt ? blank(b) : b)), '1h', false));

write('^GSPC.1d.json', chartAnswer('^GSPC', SYMBOLS['^GSPC'], dailyBars(year, SYMBOLS['^GSPC'], openNy), '1d', true));
// FX days open at midnight London, which is 23:00 UTC the evening before while summer time runs.
write('EURUSD=X.1d.json', chartAnswer('EURUSD=X', SYMBOLS['EURUSD=X'], dailyBars(year, SYMBOLS['EURUSD=X'], (r) => zonedSeconds(r.date, 0, 0, 'Europe/London')), '1d', true));
// Crypto trades every day: the same rows laid on consecutive calendar days ending on the series' last date.
const lastDate = year.at(-1).date;
write('BTC-USD.1d.json', chartAnswer('BTC-USD', SYMBOLS['BTC-USD'], dailyBars(year, SYMBOLS['BTC-USD'], (_r, i) => Date.parse(addDays(lastDate, i - (year.length - 1))) / 1000), '1d', true));

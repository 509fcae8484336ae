// Turning Yahoo's v8 chart arrays into candles: which interval and window to ask for, which rows to
// keep, and how four 60m bars become one 4h bar. No I/O here; yahoo.ts does the asking.
import type { Candle } from '../../core/market/candles.ts';
import { isDailyOrSlower, TIMEFRAME_MS, type Timeframe } from '../../core/market/timeframe.ts';

/** The chart intervals this adapter asks Yahoo for. */
export type YahooInterval = '1m' | '5m' | '15m' | '60m' | '1d' | '1wk' | '1mo';

/** The Yahoo interval each timeframe is fetched at; Yahoo has no 4h, so 4h is built from 60m bars. */
export const YAHOO_INTERVAL: Record<Timeframe, YahooInterval> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '1h': '60m',
  '4h': '60m',
  '1d': '1d',
  '1w': '1wk',
  '1M': '1mo',
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How far back Yahoo serves intraday intervals, counted from now. 1m allows about a week per request
 * (and 30 days in all), 5m/15m under 60 days, 60m 730 days; each is kept a day inside its limit so
 * Yahoo's clock and ours need not agree to the second. Daily and slower go back to the first trade.
 */
const MAX_LOOKBACK_MS: Partial<Record<YahooInterval, number>> = {
  '1m': 7 * DAY,
  '5m': 59 * DAY,
  '15m': 59 * DAY,
  '60m': 729 * DAY,
};

/** Room for a holiday week, and for the partial week or 4h bucket a window starts in. */
const SLACK_MS = 7 * DAY;

/**
 * Calendar time one bar spans on an exchange, nights, weekends and holidays included: a trading
 * year is 252 days of 6.5 hours, so an intraday bar takes 24*7/(6.5*5) ≈ 5.2 times its length
 * (rounded up to 6) and a daily bar 365/252 ≈ 1.45 days. Round-the-clock markets just get more bars
 * than asked, and the surplus is cut off.
 */
function calendarMsPerBar(timeframe: Timeframe): number {
  if (timeframe === '1d') return 1.5 * DAY;
  if (timeframe === '1w') return 7 * DAY;
  if (timeframe === '1M') return 31 * DAY;
  return 6 * TIMEFRAME_MS[timeframe];
}

/** The interval and the [period1, period2) window, in epoch seconds, to ask Yahoo for. */
export interface YahooWindow {
  interval: YahooInterval;
  period1: number;
  period2: number;
}

/** A window wide enough to hold the last `bars` bars of `timeframe` as of `nowMs`, within Yahoo's limits. */
export function yahooWindow(timeframe: Timeframe, bars: number, nowMs: number): YahooWindow {
  const interval = YAHOO_INTERVAL[timeframe];
  const wanted = bars * calendarMsPerBar(timeframe) + SLACK_MS;
  const span = Math.min(wanted, MAX_LOOKBACK_MS[interval] ?? Number.POSITIVE_INFINITY);
  return { interval, period1: Math.floor((nowMs - span) / 1000), period2: Math.ceil(nowMs / 1000) };
}

/** The part of Yahoo's chart answer the candles come from (yahoo-finance2's `return: 'object'` shape). */
export interface YahooSeries {
  timestamp?: readonly number[];
  indicators: { quote: ReadonlyArray<Partial<Record<'open' | 'high' | 'low' | 'close' | 'volume', ReadonlyArray<number | null>>>> };
}

/** Reads wall-clock time in one exchange's time zone; Intl knows daylight saving, a fixed offset would not. */
export class ExchangeClock {
  private readonly format: Intl.DateTimeFormat;

  /** `timeZone` is Yahoo's `meta.exchangeTimezoneName`; an unknown or missing zone reads as UTC. */
  constructor(timeZone: string | undefined) {
    const fields = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' } as const;
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', { ...fields, timeZone: timeZone ?? 'UTC' });
    } catch {
      format = new Intl.DateTimeFormat('en-US', { ...fields, timeZone: 'UTC' });
    }
    this.format = format;
  }

  /** The exchange's wall-clock time at `ms`, written as if it were UTC epoch ms. */
  wallClock(ms: number): number {
    const parts = this.format.formatToParts(ms);
    const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) + (((ms % 60_000) + 60_000) % 60_000);
  }

  /** Midnight UTC of the exchange's calendar date at `ms`: the time a daily bar is known by. */
  tradingDate(ms: number): number {
    return Math.floor(this.wallClock(ms) / DAY) * DAY;
  }
}

/**
 * Yahoo's arrays as candles, oldest first. Rows with a null price are dropped: Yahoo fills the
 * arrays with nulls where a bar is missing. Daily and slower bars are stamped with their trading
 * date at midnight UTC (Yahoo stamps them with the session's opening time, 13:30Z for New York,
 * the previous evening in UTC for Tokyo or London FX), as CSV sources write them.
 */
export function yahooCandles(series: YahooSeries, timeframe: Timeframe, clock: ExchangeClock): Candle[] {
  const times = series.timestamp ?? [];
  const quote = series.indicators.quote[0] ?? {};
  const at = (field: 'open' | 'high' | 'low' | 'close' | 'volume', i: number): number | null => {
    const v = quote[field]?.[i];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const candles: Candle[] = [];
  for (let i = 0; i < times.length; i++) {
    const [open, high, low, close] = (['open', 'high', 'low', 'close'] as const).map((f) => at(f, i));
    if (open === null || high === null || low === null || close === null) continue;
    if (Math.min(open, high, low, close) <= 0 || !Number.isFinite(times[i])) continue;
    const time = isDailyOrSlower(timeframe) ? clock.tradingDate(times[i] * 1000) : times[i] * 1000;
    // Yahoo's high/low now and then miss the open or close by a tick; widen the range rather than lose the bar.
    const candle: Candle = { time, open, high: Math.max(high, open, close), low: Math.min(low, open, close), close };
    const volume = at('volume', i);
    if (volume !== null && volume >= 0) candle.volume = volume;
    const prev = candles.at(-1);
    // During a session Yahoo can add a live row for a day it already listed; the later row is the newer reading.
    if (prev && time === prev.time) candles[candles.length - 1] = candle;
    else if (!prev || time > prev.time) candles.push(candle);
  }
  return candles;
}

/**
 * Volumes on every bar or none, as the core's candle rules want. Volume goes when a bar lacks it, or
 * when it is zero throughout: Yahoo reports 0 for FX pairs, meaning "not reported", not "nothing traded".
 */
export function settleVolumes(candles: Candle[]): Candle[] {
  const real = candles.every((c) => c.volume !== undefined) && candles.some((c) => (c.volume ?? 0) > 0);
  return real ? candles : candles.map(({ volume: _volume, ...price }) => price);
}

/**
 * Four-hour bars from hourly ones, aligned on the session: each exchange day's 4h bars start at the
 * earliest hourly time of day in the series (09:30 New York for US stocks, 00:00 UTC for crypto),
 * so a US trading day gives 09:30-13:30 and a short 13:30-16:00. A bar's time is its bucket's start
 * even when that hour is missing. Open of the first, highest high, lowest low, close of the last,
 * volumes summed.
 */
export function fourHourCandles(hourly: readonly Candle[], clock: ExchangeClock): Candle[] {
  const wall = hourly.map((c) => clock.wallClock(c.time));
  const timeOfDay = wall.map((w) => ((w % DAY) + DAY) % DAY);
  const anchor = Math.min(...timeOfDay);
  const out: Candle[] = [];
  let lastKey = Number.NaN;
  hourly.forEach((bar, i) => {
    const intoBucket = (timeOfDay[i] - anchor) % (4 * HOUR);
    const key = wall[i] - intoBucket;
    const current = out.at(-1);
    if (current && key === lastKey) {
      current.high = Math.max(current.high, bar.high);
      current.low = Math.min(current.low, bar.low);
      current.close = bar.close;
      if (current.volume !== undefined && bar.volume !== undefined) current.volume += bar.volume;
      else delete current.volume;
      return;
    }
    lastKey = key;
    out.push({ ...bar, time: bar.time - intoBucket });
  });
  return out;
}

/**
 * The one bar-length vocabulary: fetching, request validation, replay annualisation and wording all
 * read it from here. `1m` is a minute and `1M` a month, as in most exchange APIs.
 */
export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d', '1w', '1M'] as const;

export type Timeframe = (typeof TIMEFRAMES)[number];

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Nominal length of one bar in milliseconds (a month counts 30 days). */
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '1d': DAY,
  '1w': 7 * DAY,
  '1M': 30 * DAY,
};

/** Spellings clients use for the same bar length; matched after trimming, case kept for m/M. */
const ALIASES: Record<string, Timeframe> = {
  '1min': '1m', '5min': '5m', '15min': '15m', '60m': '1h', '60min': '1h', '1H': '1h', '4H': '4h', '240m': '4h',
  d: '1d', D: '1d', '1D': '1d', day: '1d', daily: '1d',
  w: '1w', W: '1w', '1W': '1w', week: '1w', weekly: '1w', '1wk': '1w',
  M: '1M', '1mo': '1M', '1mth': '1M', month: '1M', monthly: '1M',
};

/** The canonical timeframe a client's spelling names, or null when it names none. */
export function parseTimeframe(text: string | null | undefined): Timeframe | null {
  if (typeof text !== 'string') return null;
  const t = text.trim();
  if ((TIMEFRAMES as readonly string[]).includes(t)) return t as Timeframe;
  if (Object.hasOwn(ALIASES, t)) return ALIASES[t];
  const lower = t.toLowerCase();
  // Lower-case spellings are unambiguous except "1m" (a minute), handled above.
  return Object.hasOwn(ALIASES, lower) ? ALIASES[lower] : null;
}

/**
 * The session a market trades, which sets how many intraday bars a year holds: US equities trade
 * 252 days of 6.5 hours; crypto trades around the clock.
 */
export type MarketSession = 'exchange' | 'continuous';

/** Bars in a year, for annualising returns and volatility. Daily and slower bars ignore the session. */
export function barsPerYear(timeframe: Timeframe, session: MarketSession = 'exchange'): number {
  if (timeframe === '1d') return session === 'continuous' ? 365 : 252;
  if (timeframe === '1w') return 52;
  if (timeframe === '1M') return 12;
  const minutesPerYear = session === 'continuous' ? 365 * 24 * 60 : 252 * 6.5 * 60;
  return minutesPerYear / (TIMEFRAME_MS[timeframe] / MINUTE);
}

/** True for bars of a day or longer: a date names a bar there, and "daily" wording applies only to `1d`. */
export function isDailyOrSlower(timeframe: Timeframe): boolean {
  return TIMEFRAME_MS[timeframe] >= DAY;
}

/** How a bar of this length reads in prose: "daily", "hourly", "4-hour", "weekly"... */
export function barAdjective(timeframe: Timeframe): string {
  const words: Record<Timeframe, string> = {
    '1m': '1-minute', '5m': '5-minute', '15m': '15-minute', '1h': 'hourly', '4h': '4-hour', '1d': 'daily', '1w': 'weekly', '1M': 'monthly',
  };
  return words[timeframe];
}

/** A one-line description of the accepted spellings, for error messages and help. */
export const TIMEFRAME_HELP = `one of ${TIMEFRAMES.join(', ')} (1m is a minute, 1M a month; 1mo, daily, 1wk and 60m are accepted too)`;

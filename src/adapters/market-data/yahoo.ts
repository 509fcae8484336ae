// Yahoo Finance through yahoo-finance2's chart(), the library pointed at another host.
//
// Why the library and not a hand-written client: every request yahoo-finance2 4.0.2 makes goes
// through one fetch function (`moduleOptions.fetch`), the cookie and crumb steps included
// (finance.yahoo.com/quote/AAPL, guce.yahoo.com consent, query1 /v1/test/getcrumb) as well as the
// chart itself (query2 /v8/finance/chart/{symbol}). yahoo-transport.ts is that fetch: it swaps the
// origin for the configured base URL and keeps the path and query, so one base URL (a proxy, or the
// fake in testing/fake-yahoo.ts) receives everything. chart() in 4.0.2 asks for no crumb at all;
// the fake answers the crumb steps anyway in case a later version does. The one call that bypasses
// our fetch is the library's npm "latest version" check after a validation failure: switched off.
import YahooFinance from 'yahoo-finance2';
import { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';
import { AppError } from '../../core/errors.ts';
import { MIN_CANDLES, parseCandlesJson, type Candle } from '../../core/market/candles.ts';
import { TIMEFRAMES, type MarketSession, type Timeframe } from '../../core/market/timeframe.ts';
import { MarketDataUnavailable, type MarketData, type MarketDataQuery } from '../../ports/market-data.ts';
import { ExchangeClock, fourHourCandles, settleVolumes, yahooCandles, yahooWindow } from './yahoo-bars.ts';
import { parseBaseUrl, UnknownYahooSymbol, yahooTransport } from './yahoo-transport.ts';

/** How YahooMarketData is set up; everything has a default. */
export interface YahooMarketDataOptions {
  /** Where every Yahoo request goes instead of Yahoo's hosts (CHARTLENS_YAHOO_URL); unset or null: Yahoo itself. */
  baseUrl?: string | null;
  /** One deadline for a whole fetch(), in ms; default 10000. */
  timeoutMs?: number;
  /** The clock, epoch ms: the window ends now. */
  now?: () => number;
}

/** OHLCV from Yahoo Finance's v8 chart endpoint, for equities, indices (^GSPC), FX (EURUSD=X) and crypto (BTC-USD). */
export class YahooMarketData implements MarketData {
  readonly name = 'yahoo';
  readonly timeframes: readonly Timeframe[] = TIMEFRAMES;
  // Most Yahoo symbols trade exchange hours; crypto pairs (BTC-USD) trade around the clock, but the
  // session is per source, not per symbol, so their intraday bars annualise as exchange bars.
  readonly session: MarketSession = 'exchange';
  private readonly baseUrl: string | undefined;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly client: InstanceType<typeof YahooFinance>;

  constructor(options: YahooMarketDataOptions = {}) {
    this.baseUrl = parseBaseUrl(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.client = new YahooFinance({
      // The version check calls the npm registry with the global fetch, past the base URL.
      versionCheck: false,
      suppressNotices: ['yahooSurvey'],
      // A schema mismatch becomes MarketDataUnavailable here; the library need not print a report too.
      validation: { logErrors: false, logOptionsErrors: false },
      // The library's default jar is one per process; each source keeps its own cookies.
      cookieJar: new ExtendedCookieJar(),
    });
  }

  /** Yahoo cannot list its symbols. */
  symbols(): Promise<string[]> {
    return Promise.resolve([]);
  }

  /** The last `bars` bars, oldest first; null for a symbol Yahoo has no chart for. */
  async fetch({ symbol, timeframe, bars }: MarketDataQuery): Promise<Candle[] | null> {
    if (bars < 1) return [];
    const window = yahooWindow(timeframe, bars, this.now());
    const transport = yahooTransport({ baseUrl: this.baseUrl, signal: AbortSignal.timeout(this.timeoutMs), timeoutMs: this.timeoutMs, now: this.now });
    let chart;
    try {
      // The symbol is one path segment: encoded, "^GSPC" or "EURUSD=X" cannot reach another path.
      chart = await this.client.chart(
        encodeURIComponent(symbol),
        { ...window, includePrePost: false, return: 'object' },
        { fetch: transport },
      );
    } catch (error) {
      if (error instanceof UnknownYahooSymbol) return null;
      if (error instanceof MarketDataUnavailable) throw error;
      // What is left came from reading the answer: not JSON, or not the shape the library expects.
      const why = error instanceof Error ? error.message : String(error);
      throw new MarketDataUnavailable(this.name, `Yahoo's answer could not be read: ${why.slice(0, 200)}`, null, { cause: error });
    }
    if (!chart.timestamp || chart.timestamp.length === 0) return null;
    const clock = new ExchangeClock(chart.meta.exchangeTimezoneName);
    let candles = yahooCandles(chart, timeframe, clock);
    if (timeframe === '4h') candles = fourHourCandles(candles, clock);
    return this.checked(settleVolumes(candles.slice(-bars)));
  }

  /** The core's candle rules, the ones uploads meet, so a provider glitch is an outage and not a wrong chart. */
  private checked(candles: Candle[]): Candle[] {
    if (candles.length < MIN_CANDLES) return candles;
    try {
      parseCandlesJson(candles);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      throw new MarketDataUnavailable(this.name, `Yahoo's bars break the candle rules: ${error.message}`, null, { cause: error });
    }
    return candles;
  }
}

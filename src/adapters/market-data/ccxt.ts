import { AppError } from '../../core/errors.ts';
import { type Candle, MIN_CANDLES, parseCandlesJson } from '../../core/market/candles.ts';
import { type MarketSession, type Timeframe, TIMEFRAME_MS, TIMEFRAMES } from '../../core/market/timeframe.ts';
import { type MarketData, MarketDataUnavailable, type MarketDataQuery } from '../../ports/market-data.ts';
import { type CcxtModule, createExchange, type Exchange, loadCcxt, retryAfterOf } from './ccxt-exchange.ts';
import { SymbolIndex } from './ccxt-symbols.ts';

/** The crypto exchanges offered by default; any other ccxt id works too. */
export const CCXT_EXCHANGES = ['binance', 'kraken', 'coinbase'] as const;

/** What the adapter is built from; only `exchange` is required. */
export interface CcxtMarketDataOptions {
  /** A ccxt exchange id: 'binance', 'kraken', 'coinbase', or any other ccxt has. */
  exchange: string;
  /** Sends every request here instead of the exchange's own hosts (proxies, tests). */
  baseUrl?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** The clock that decides which bars are "the last"; tests replaying fixed fixtures pin it. */
  now?: () => number;
}

/**
 * Which of our timeframes ccxt maps for the default exchanges, so `timeframes` is right before
 * ccxt is loaded (the use case checks it first). Once loaded, ccxt's own list is used; a test
 * compares the two. kraken has no 1M; coinbase has neither 4h, 1w nor 1M.
 */
const KNOWN_TIMEFRAMES: Record<string, readonly Timeframe[]> = {
  binance: TIMEFRAMES,
  kraken: ['1m', '5m', '15m', '1h', '4h', '1d', '1w'],
  coinbase: ['1m', '5m', '15m', '1h', '1d'],
};

/** Bars per request when ccxt does not say (its `features` table gives binance 1000, kraken 720, coinbase 300). */
const DEFAULT_PAGE = 500;
/** A month bar may last 31 days; `since` must reach back far enough for the longest. */
const LONGEST_BAR_MS: Record<Timeframe, number> = { ...TIMEFRAME_MS, '1M': 31 * 24 * 3_600_000 };

interface Loaded {
  ccxt: CcxtModule;
  exchange: Exchange;
  index: SymbolIndex;
}

/** Public OHLCV from a crypto exchange through ccxt, named by its ccxt id; ccxt itself is imported on first use. */
export class CcxtMarketData implements MarketData {
  readonly name: string;
  readonly session: MarketSession = 'continuous';
  private readonly baseUrl: string | undefined;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** Kept across failed market loads, so ccxt's rate limiter remembers what was already sent. */
  private exchange: Exchange | undefined;
  private loading: Promise<Loaded> | undefined;

  constructor(options: CcxtMarketDataOptions) {
    this.name = options.exchange;
    // Parsed now so a malformed URL fails at start-up, not on the first request.
    this.baseUrl = options.baseUrl === undefined ? undefined : new URL(options.baseUrl).href;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Ours that ccxt maps for this exchange (all of ours for an unknown id until ccxt is loaded). */
  get timeframes(): readonly Timeframe[] {
    const mapped = this.exchange?.timeframes;
    if (mapped) return TIMEFRAMES.filter((t) => Object.hasOwn(mapped, t));
    return KNOWN_TIMEFRAMES[this.name] ?? TIMEFRAMES;
  }

  /** The exchange's unified symbols (`BTC/USDT`...), or [] when its markets cannot be loaded. */
  async symbols(): Promise<string[]> {
    try {
      return [...(await this.load()).exchange.symbols];
    } catch {
      return [];
    }
  }

  async fetch({ symbol, timeframe, bars }: MarketDataQuery): Promise<Candle[] | null> {
    const { ccxt, exchange, index } = await this.load();
    const unified = index.resolve(symbol);
    if (unified === undefined) return null;
    if (!Object.hasOwn(exchange.timeframes, timeframe)) {
      throw new AppError('unsupported_timeframe', `The ${this.name} source serves ${this.timeframes.join(', ')} bars, not ${timeframe}`, [
        { field: 'timeframe', message: `one of ${this.timeframes.join(', ')}` },
      ]);
    }
    try {
      return toCandles(await this.lastBars(exchange, unified, timeframe, bars), this.name);
    } catch (err) {
      if (err instanceof ccxt.BadSymbol) return null;
      throw this.unavailable(ccxt, err);
    }
  }

  /**
   * The last `bars` rows, oldest first. ccxt returns the bars *after* `since` (up to `limit`), so
   * this starts far enough back for `bars` bars plus the one still forming, walks forward a page
   * at a time until it reaches the present, then keeps the newest. Kraken serves only its newest
   * 720 bars, whatever `since` says: asking for more returns those 720.
   */
  private async lastBars(exchange: Exchange, symbol: string, timeframe: Timeframe, bars: number): Promise<number[][]> {
    const now = this.now();
    const barMs = TIMEFRAME_MS[timeframe];
    const page = pageSize(exchange);
    const byTime = new Map<number, number[]>();
    let since = now - (bars + 1) * LONGEST_BAR_MS[timeframe];
    const maxPages = Math.ceil((bars + 2) / page) + 2;
    for (let i = 0; i < maxPages; i++) {
      const expected = Math.ceil((now - since) / barMs) + 1;
      const rows = (await exchange.fetchOHLCV(symbol, timeframe, since, Math.min(page, expected))) as unknown[];
      const last = rows.length > 0 ? timeOf(rows.at(-1)) : Number.NaN;
      for (const row of rows) byTime.set(timeOf(row), row as number[]);
      // Done at the present, on an empty page, or when a page moved nowhere (a market that stopped).
      if (!(last >= since) || last + barMs > now) break;
      since = last + 1;
    }
    return [...byTime.entries()].sort(([a], [b]) => a - b).slice(-bars).map(([, row]) => row);
  }

  /** ccxt and this exchange with its markets, loaded once; a failed load is retried next call. */
  private load(): Promise<Loaded> {
    this.loading ??= (async () => {
      const ccxt = await loadCcxt();
      const exchange = (this.exchange ??= createExchange(ccxt, this.name, { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs }));
      let markets: Awaited<ReturnType<Exchange['loadMarkets']>>;
      try {
        // reload=true: ccxt keeps a failed load's rejected promise and would hand it back forever.
        markets = await exchange.loadMarkets(true);
      } catch (err) {
        throw this.unavailable(ccxt, err);
      }
      // An exchange lists markets; none means its answer was not what ccxt expects (an HTML page...).
      if (Object.keys(markets).length === 0) throw new MarketDataUnavailable(this.name, `${this.name} listed no markets`);
      return { ccxt, exchange, index: new SymbolIndex(markets) };
    })();
    this.loading.catch(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Anything ccxt throws, as the port's error. The exchange's own text (URLs, bodies) stays in `cause`. */
  private unavailable(ccxt: CcxtModule, err: unknown): MarketDataUnavailable {
    if (err instanceof MarketDataUnavailable) return err;
    const limited = err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection;
    // OperationFailed is ccxt's parent of the passing failures: network, down, unreadable answers.
    const what = err instanceof ccxt.RequestTimeout
      ? 'did not answer in time'
      : limited
        ? 'is rate-limiting us'
        : err instanceof ccxt.BadResponse || !(err instanceof ccxt.BaseError)
          ? 'sent an answer that could not be read'
          : err instanceof ccxt.OperationFailed
            ? 'cannot be reached or is down'
            : 'refused the request';
    const kind = err instanceof Error ? ` (${err.name})` : '';
    return new MarketDataUnavailable(this.name, `${this.name} ${what}${kind}`, limited ? retryAfterOf(err) : null, { cause: err });
  }
}

/** Bars one request may ask for, from ccxt's feature table. */
function pageSize(exchange: Exchange): number {
  const spot = exchange.features?.spot as { fetchOHLCV?: { limit?: unknown } } | undefined;
  const limit = spot?.fetchOHLCV?.limit;
  return typeof limit === 'number' && limit > 0 ? limit : DEFAULT_PAGE;
}

function timeOf(row: unknown): number {
  return Array.isArray(row) && typeof row[0] === 'number' ? row[0] : Number.NaN;
}

/**
 * ccxt rows `[time, open, high, low, close, volume]` as candles, checked like uploaded candles
 * (finite, positive, high/low around open/close, strictly increasing). A row that fails means the
 * exchange sent something else than bars, which is its failure, not the caller's.
 */
function toCandles(rows: number[][], source: string): Candle[] {
  const candles = rows.map(([time, open, high, low, close, volume]) => (volume === undefined || volume === null ? { time, open, high, low, close } : { time, open, high, low, close, volume }));
  const broken = candles.findIndex((c) => ![c.time, c.open, c.high, c.low, c.close].every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0));
  if (broken >= 0) throw new MarketDataUnavailable(source, `${source} sent a bar that is not OHLC numbers (row ${broken})`);
  if (candles.length < MIN_CANDLES) return candles;
  try {
    return parseCandlesJson(candles);
  } catch (err) {
    throw new MarketDataUnavailable(source, `${source} sent bars that are not valid candles`, null, { cause: err });
  }
}

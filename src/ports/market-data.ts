import type { Candle } from '../core/market/candles.ts';
import type { MarketSession, Timeframe } from '../core/market/timeframe.ts';

/** What a caller asks a market-data source for: the last `bars` bars of a symbol. */
export interface MarketDataQuery {
  symbol: string;
  timeframe: Timeframe;
  bars: number;
}

/** Where OHLCV comes from: a folder of CSVs by default, Yahoo Finance or a crypto exchange. */
export interface MarketData {
  /** The source's name in URLs and requests: `csv`, `yahoo`, `binance`... */
  readonly name: string;
  /** The bar lengths this source serves. */
  readonly timeframes: readonly Timeframe[];
  /** How the source's markets trade, for annualising intraday bars. */
  readonly session: MarketSession;
  /** Symbols the source can list, for help texts (empty when it cannot list them). */
  symbols(): Promise<string[]>;
  /**
   * The last `bars` bars of a symbol, oldest first, or null when the symbol is unknown.
   * Throws `MarketDataUnavailable` when the provider cannot be reached or refuses.
   */
  fetch(query: MarketDataQuery): Promise<Candle[] | null>;
}

/** The provider is down, slow, or rate-limited us; `retryAfterSeconds` when it said when to come back. */
export class MarketDataUnavailable extends Error {
  readonly source: string;
  readonly retryAfterSeconds: number | null;

  constructor(source: string, message: string, retryAfterSeconds: number | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MarketDataUnavailable';
    this.source = source;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The configured sources by name, and the one a request without `source` uses. */
export interface MarketSources {
  readonly defaultSource: string;
  readonly sources: Readonly<Record<string, MarketData>>;
}

import type { Candle } from '../core/market/candles.ts';

/** Where a client gets OHLCV for a symbol (a folder of CSVs by default; a data vendor later). */
export interface MarketData {
  /** The symbols this source knows, for help texts. */
  symbols(): Promise<string[]>;
  /** The last `bars` bars of a symbol, or null when the symbol is unknown. */
  load(symbol: string, bars: number): Promise<Candle[] | null>;
}

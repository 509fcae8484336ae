/**
 * How a caller's spelling of a market maps to ccxt's unified symbol (`BTC/USDT`). URLs cannot
 * carry a slash in a path segment, so `BTC-USDT` must work, and people paste the exchange's own
 * ids (`BTCUSDT` on binance, `XBTUSD` or `XXBTZUSD` on kraken, `BTC-USD` on coinbase).
 */

/** The part of a ccxt market this index reads. */
export interface MarketLike {
  id?: unknown;
  symbol?: unknown;
  base?: unknown;
  quote?: unknown;
  spot?: unknown;
  altname?: unknown;
}

const SEPARATORS = /[\s/_-]+/g;

/** Look-ups from every accepted spelling to the unified symbol, built once per market load. */
export class SymbolIndex {
  /** Unified symbols and exchange ids, upper-cased: these never collide in practice. */
  private readonly exact = new Map<string, string>();
  /** `BASE QUOTE` with the separators dropped (`BTCUSDT`); null marks a spelling two markets share. */
  private readonly compact = new Map<string, string | null>();

  constructor(markets: Record<string, MarketLike | undefined>) {
    for (const [key, market] of Object.entries(markets)) {
      if (!market) continue;
      const symbol = typeof market.symbol === 'string' ? market.symbol : key;
      for (const name of [symbol, market.id, market.altname]) {
        if (typeof name === 'string' && !this.exact.has(name.toUpperCase())) this.exact.set(name.toUpperCase(), symbol);
      }
      // Only spot pairs: a derivative's symbol also names its settlement (`BTC/USDT:USDT`).
      if (market.spot !== false && typeof market.base === 'string' && typeof market.quote === 'string') {
        const spelled = `${market.base}${market.quote}`.toUpperCase();
        this.compact.set(spelled, this.compact.has(spelled) && this.compact.get(spelled) !== symbol ? null : symbol);
      }
    }
  }

  /** The unified symbol `text` names, or undefined when it names no market. */
  resolve(text: string): string | undefined {
    const upper = text.trim().toUpperCase();
    if (upper === '') return undefined;
    const exact = this.exact.get(upper) ?? this.exact.get(upper.replace(SEPARATORS, '/'));
    return exact ?? this.compact.get(upper.replace(SEPARATORS, '')) ?? undefined;
  }
}

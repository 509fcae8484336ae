import { AppError } from '../core/errors.ts';
import type { Candle } from '../core/market/candles.ts';
import { TIMEFRAME_HELP, type Timeframe } from '../core/market/timeframe.ts';
import { type MarketData, MarketDataUnavailable, type MarketSources } from '../ports/market-data.ts';

/** What a caller names to get bars: a symbol, its timeframe and how many bars, from a source. */
export interface BarsQuery {
  /** Absent: the configured default source. */
  source?: string | null;
  symbol: string;
  timeframe: Timeframe;
  bars: number;
}

export interface FetchedBars {
  source: MarketData;
  candles: Candle[];
}

/** The source a request names, or the default; an unknown name is `unknown_market_source`. */
export function pickSource(market: MarketSources, name: string | null | undefined): MarketData {
  const wanted = (name ?? market.defaultSource).trim().toLowerCase();
  const source = Object.hasOwn(market.sources, wanted) ? market.sources[wanted] : undefined;
  if (!source) {
    throw new AppError('unknown_market_source', `Unknown market-data source "${name}"; known: ${Object.keys(market.sources).join(', ')}`, [{ field: 'source', message: 'unknown' }]);
  }
  return source;
}

/**
 * Fetch the last bars of a symbol. Errors carry their stable codes: unknown_market_source,
 * unsupported_timeframe, unknown_symbol (404), market_data_unavailable (502, Retry-After when known).
 */
export async function fetchMarketBars(market: MarketSources, q: BarsQuery): Promise<FetchedBars> {
  const source = pickSource(market, q.source);
  if (!source.timeframes.includes(q.timeframe)) {
    throw new AppError('unsupported_timeframe', `The ${source.name} source serves ${source.timeframes.join(', ')} bars, not ${q.timeframe} (${TIMEFRAME_HELP})`, [
      { field: 'timeframe', message: `one of ${source.timeframes.join(', ')}` },
    ]);
  }
  let candles: Candle[] | null;
  try {
    candles = await source.fetch({ symbol: q.symbol, timeframe: q.timeframe, bars: q.bars });
  } catch (err) {
    if (err instanceof MarketDataUnavailable) {
      throw new AppError('market_data_unavailable', `The ${source.name} market-data provider is unavailable: ${err.message.slice(0, 200)}`, [{ field: 'source', message: 'unavailable' }], {
        cause: err,
        retryAfterSeconds: err.retryAfterSeconds,
      });
    }
    throw err;
  }
  if (!candles) {
    const known = await source.symbols().catch(() => [] as string[]);
    throw new AppError('unknown_symbol', `The ${source.name} source has no symbol "${q.symbol}"${known.length ? `; it has: ${known.slice(0, 20).join(', ')}` : ''}`, [
      { field: 'symbol', message: 'unknown' },
    ]);
  }
  if (candles.length < 2) {
    throw new AppError('unknown_symbol', `The ${source.name} source has fewer than 2 ${q.timeframe} bars for "${q.symbol}"`, [{ field: 'symbol', message: 'no bars' }]);
  }
  return { source, candles };
}

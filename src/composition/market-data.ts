import { CachedMarketData } from '../adapters/market-data/cached-market-data.ts';
import { CcxtMarketData } from '../adapters/market-data/ccxt.ts';
import { CsvFolderMarketData } from '../adapters/market-data/csv-folder.ts';
import { YahooMarketData } from '../adapters/market-data/yahoo.ts';
import { createRateLimiter } from '../adapters/timing/rate-limiter.ts';
import type { MarketData, MarketSources } from '../ports/market-data.ts';
import type { Config } from './config.ts';

/**
 * The market-data sources: the CSV folder (offline, the default), Yahoo Finance and each configured
 * ccxt exchange. Remote sources sit behind a TTL cache and a per-provider rate limit (ccxt also
 * spaces its own calls); nothing connects until a request names them. `clock` pins "now" for
 * providers replayed from fixed fixtures.
 */
export function buildMarketSources(config: Pick<Config, 'marketDir' | 'market'>, clock: { now?: () => number } = {}): MarketSources {
  const m = config.market;
  const now = clock.now ? { now: clock.now } : {};
  const remote = (source: MarketData) => new CachedMarketData(source, { limiter: createRateLimiter(m.ratePerMinute) });
  const sources: Record<string, MarketData> = {
    csv: new CsvFolderMarketData(config.marketDir),
    yahoo: remote(new YahooMarketData({ baseUrl: m.yahooUrl, timeoutMs: m.timeoutMs, ...now })),
  };
  for (const { id, baseUrl } of m.exchanges) {
    sources[id] = remote(new CcxtMarketData({ exchange: id, ...(baseUrl ? { baseUrl } : {}), timeoutMs: m.timeoutMs, ...now }));
  }
  return { defaultSource: m.defaultSource, sources };
}

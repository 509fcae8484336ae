import type { Candle } from '../../core/market/candles.ts';
import { TIMEFRAME_MS, type Timeframe } from '../../core/market/timeframe.ts';
import type { MarketData, MarketDataQuery } from '../../ports/market-data.ts';
import type { RateLimiter } from '../../ports/rate-limiter.ts';

/**
 * How long fetched bars stay fresh: a quarter of a bar, between 15 s and an hour. The last bar of
 * a daily series still moves during the session, so even daily bars are refetched hourly.
 */
export function cacheTtlMs(timeframe: Timeframe): number {
  return Math.min(3_600_000, Math.max(15_000, TIMEFRAME_MS[timeframe] / 4));
}

/** An unknown symbol is remembered briefly, so a typo repeated by a client does not hit the provider. */
const UNKNOWN_TTL_MS = 60_000;

interface Entry {
  at: number;
  ttl: number;
  /** null: the provider said the symbol is unknown. */
  candles: Candle[] | null;
  /** How many bars were asked for; a later, longer request refetches. */
  bars: number;
}

export interface CachedMarketDataOptions {
  /** Spaces the provider calls (its published limit); none by default. */
  limiter?: RateLimiter;
  /** Entries kept before the oldest is dropped. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * A market-data source behind a TTL cache and a rate limiter. Concurrent requests for the same
 * series share one provider call; a shorter request is served from a longer cached one.
 */
export class CachedMarketData implements MarketData {
  private readonly inner: MarketData;
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, { bars: number; promise: Promise<Entry> }>();
  private readonly limiter: RateLimiter | undefined;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Provider calls made, for tests and metrics. */
  misses = 0;
  hits = 0;

  constructor(inner: MarketData, options: CachedMarketDataOptions = {}) {
    this.inner = inner;
    this.limiter = options.limiter;
    this.maxEntries = options.maxEntries ?? 500;
    this.now = options.now ?? Date.now;
  }

  // Read through: a source may learn its timeframes once its client has loaded.
  get name(): string {
    return this.inner.name;
  }

  get timeframes(): MarketData['timeframes'] {
    return this.inner.timeframes;
  }

  get session(): MarketData['session'] {
    return this.inner.session;
  }

  symbols(): Promise<string[]> {
    return this.inner.symbols();
  }

  async fetch(q: MarketDataQuery): Promise<Candle[] | null> {
    const key = `${q.symbol.trim().toUpperCase()}|${q.timeframe}`;
    const cached = this.fresh(key, q.bars);
    if (cached) {
      this.hits++;
      return cached.candles && cached.candles.slice(-q.bars);
    }
    // Share a call already under way when it asks for at least as many bars.
    let pending = this.inFlight.get(key);
    if (!pending || pending.bars < q.bars) {
      const call = { bars: q.bars, promise: this.load(key, q) };
      this.inFlight.set(key, call);
      call.promise.then(
        () => this.inFlight.get(key) === call && this.inFlight.delete(key),
        () => this.inFlight.get(key) === call && this.inFlight.delete(key),
      );
      pending = call;
    }
    const entry = await pending.promise;
    return entry.candles && entry.candles.slice(-q.bars);
  }

  private fresh(key: string, bars: number): Entry | null {
    const e = this.entries.get(key);
    if (!e || this.now() - e.at >= e.ttl) return null;
    // A series shorter than was asked for is all the provider has: serve it to longer requests too.
    const complete = e.candles === null || e.candles.length < e.bars || e.bars >= bars;
    return complete ? e : null;
  }

  private async load(key: string, q: MarketDataQuery): Promise<Entry> {
    this.misses++;
    await this.limiter?.take();
    const candles = await this.inner.fetch(q);
    const entry: Entry = { at: this.now(), ttl: candles ? cacheTtlMs(q.timeframe) : UNKNOWN_TTL_MS, candles, bars: q.bars };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }
}

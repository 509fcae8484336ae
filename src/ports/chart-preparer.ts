import type { VerificationFacts } from '../core/analysis/verify.ts';
import type { Candle } from '../core/market/candles.ts';
import type { MarketFacts, MarketStreams } from '../core/market/facts.ts';
import type { ChartOptions } from '../core/scene/chart-options.ts';

/** What the analysis needs from OHLCV: the facts, the facts to verify against, and the chart image. */
export interface PreparedChart {
  png: Buffer;
  width: number;
  height: number;
  sha256: string;
  renderer: string;
  facts: MarketFacts;
  verify: VerificationFacts;
  chartRange: { start: string; end: string; bars: number };
}

export interface PrepareRequest {
  candles: Candle[];
  chart: ChartOptions;
  symbol: string | null;
  timeframe: string | null;
  /** Causal streams over a longer series that starts with `candles` (replays compute them once). */
  streams?: MarketStreams;
  /** First bar the chart (and so the verification window) covers; default: the last `chart.last` bars. */
  from?: number;
}

/** Turns candles into facts and a chart: in this thread, or in a pool of worker threads. */
export interface ChartPreparer {
  prepare(req: PrepareRequest): Promise<PreparedChart>;
  close(): Promise<void>;
}

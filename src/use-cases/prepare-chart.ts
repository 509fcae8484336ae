import { createHash } from 'node:crypto';
import { verificationFactsFor } from '../core/analysis/verification-facts.ts';
import type { VerificationFacts } from '../core/analysis/verify.ts';
import { type Candle, formatCandleTime } from '../core/market/candles.ts';
import { computeMarketStreams, type MarketFacts, type MarketStreams } from '../core/market/facts.ts';
import { indicatorsUpTo } from '../core/market/indicators.ts';
import type { ChartOptions, ChartRenderer } from '../ports/chart-renderer.ts';

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

export function chartFacts(req: PrepareRequest): Pick<PreparedChart, 'facts' | 'verify' | 'chartRange'> & { streams: MarketStreams } {
  const { candles } = req;
  const streams = req.streams ?? computeMarketStreams(candles);
  const t = candles.length - 1;
  const from = req.from ?? Math.max(0, candles.length - (req.chart.last ?? candles.length));
  const { facts, verify } = verificationFactsFor(streams, t, from);
  return { streams, facts, verify, chartRange: { start: formatCandleTime(candles[from].time), end: formatCandleTime(candles[t].time), bars: t - from + 1 } };
}

/** The whole preparation in the calling thread. */
export async function prepareChart(renderer: ChartRenderer, req: PrepareRequest): Promise<PreparedChart> {
  const { streams, facts, verify, chartRange } = chartFacts(req);
  const chart = await renderer.render({
    candles: req.candles,
    // Precomputed streams may run past the last bar: the chart must not draw any of that.
    indicators: indicatorsUpTo(streams.indicators, req.candles.length),
    facts,
    symbol: req.symbol ?? undefined,
    timeframe: req.timeframe ?? undefined,
    options: req.chart,
  });
  const sha256 = createHash('sha256').update(chart.png).digest('hex');
  return { png: chart.png, width: chart.width, height: chart.height, sha256, renderer: chart.renderer, facts, verify, chartRange };
}

/** The default preparer: everything on the calling thread. */
export function inThreadPreparer(renderer: ChartRenderer): ChartPreparer {
  return { prepare: (req) => prepareChart(renderer, req), close: async () => {} };
}

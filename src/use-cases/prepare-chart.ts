import { createHash } from 'node:crypto';
import { verificationFactsFor } from '../core/analysis/verification-facts.ts';
import { formatCandleTime } from '../core/market/candles.ts';
import { computeMarketStreams, type MarketStreams } from '../core/market/facts.ts';
import { indicatorsUpTo } from '../core/market/indicators.ts';
import type { PreparedChart, PrepareRequest } from '../ports/chart-preparer.ts';
import type { ChartRenderer } from '../ports/chart-renderer.ts';

/** The facts of a request and the window its chart (and so the verification) covers. */
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

import { renderRequestSchema } from '../contracts/render-request.ts';
import { computeMarketStreams, factsAt } from '../core/market/facts.ts';
import { computeIndicatorSeries } from '../core/market/indicators.ts';
import { type ChartRenderer, type RenderedChart } from '../ports/chart-renderer.ts';
import { readCandles } from './candle-input.ts';
import { parseRequest } from './parse-request.ts';

/** Candlestick marks come from this many recent bars (older signals clutter the chart). */
const RECENT_MARK_BARS = 30;

/** The schema lives in the HTTP contract; re-exported for callers that import it from here. */
export { renderRequestSchema };

/** A drawn chart, with a warning when it was not drawn the way the request asked (no browser here). */
export type RenderChartResult = RenderedChart & { warnings: string[] };

/** Validate a render request, compute what the chart needs, and draw it. */
export async function renderChart(renderer: ChartRenderer, body: unknown): Promise<RenderChartResult> {
  const req = parseRequest(renderRequestSchema, body);
  const candles = readCandles(req);
  // Facts (patterns, levels) are only computed when marks are asked for; they cost more than the chart.
  const needsFacts = req.chart.markPatterns || req.chart.markLevels;
  const streams = needsFacts ? computeMarketStreams(candles) : undefined;
  const chart = await renderer.render({
    candles,
    indicators: streams?.indicators ?? computeIndicatorSeries(candles),
    // Marks are for recent signals: the candlestick hits of the last 30 bars, as before.
    facts: streams ? factsAt(streams, candles.length - 1, Math.max(0, candles.length - RECENT_MARK_BARS)) : undefined,
    symbol: req.symbol,
    timeframe: req.timeframe,
    options: req.chart,
  });
  const warnings = chart.renderer === req.chart.renderer ? [] : [`chart.renderer "${req.chart.renderer}" is not available here; the chart was drawn by "${chart.renderer}"`];
  return { ...chart, warnings };
}

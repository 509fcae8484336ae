/** The chart request every golden image is drawn from: the last 400 S&P 500 bars, their facts at the last bar. */
import type { Candle } from '../../src/core/market/candles.ts';
import { computeMarketStreams, factsAt } from '../../src/core/market/facts.ts';
import { type ChartRequest, chartOptionsSchema } from '../../src/core/scene/chart-options.ts';
import { sp500 } from './sample-data.ts';

const candles = sp500().slice(-400);
const streams = computeMarketStreams(candles);
const facts = factsAt(streams, candles.length - 1);

/** A request with these options (over other bars when `data` is given; the facts stay the sample's). */
export function goldenRequest(options: Record<string, unknown>, data: readonly Candle[] = candles): ChartRequest {
  return {
    candles: data,
    indicators: data === candles ? streams.indicators : computeMarketStreams(data).indicators,
    facts,
    symbol: 'SPX',
    timeframe: '1d',
    options: chartOptionsSchema.parse(options),
  };
}

/** The sample bars the default request draws. */
export const GOLDEN_CANDLES: readonly Candle[] = candles;

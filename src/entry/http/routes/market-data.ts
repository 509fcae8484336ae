import { Router } from 'express';
import { type MarketResponse, marketQuerySchema } from '../../../contracts/market.ts';
import { formatCandleTime } from '../../../core/market/candles.ts';
import type { MarketSources } from '../../../ports/market-data.ts';
import { fetchMarketBars, pickSource } from '../../../use-cases/fetch-market-bars.ts';
import { parseRequest } from '../../../use-cases/parse-request.ts';

/** GET /v1/market/{source}/{symbol}: the last bars of a symbol from a market-data source. */
export function marketDataRoutes(deps: { market: MarketSources }): Router {
  const router = Router();
  router.get('/market/:source/:symbol', async (req, res) => {
    pickSource(deps.market, req.params.source); // an unknown source is named before the query is judged
    const q = parseRequest(marketQuerySchema, { ...req.query });
    const { source, candles } = await fetchMarketBars(deps.market, { source: req.params.source, symbol: req.params.symbol, timeframe: q.timeframe, bars: q.bars });
    const body: MarketResponse = {
      source: source.name,
      symbol: req.params.symbol,
      timeframe: q.timeframe,
      candles: candles.map((c) => ({ time: formatCandleTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close, ...(c.volume !== undefined ? { volume: c.volume } : {}) })),
    };
    res.json(body);
  });
  return router;
}

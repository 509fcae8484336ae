import { Router } from 'express';
import { type MarketResponse, marketQuerySchema } from '../../../contracts/market.ts';
import { AppError } from '../../../core/errors.ts';
import { formatCandleTime } from '../../../core/market/candles.ts';
import type { MarketData } from '../../../ports/market-data.ts';
import { parseRequest } from '../../../use-cases/parse-request.ts';

/** Timeframes each source holds; the CSV folder keeps daily bars. */
const SOURCE_TIMEFRAMES: Record<string, readonly string[]> = { csv: ['1d'] };

/** GET /v1/market/{source}/{symbol}: the last bars of a symbol from a market-data source. */
export function marketDataRoutes(deps: { sources: Record<string, MarketData> }): Router {
  const router = Router();
  router.get('/market/:source/:symbol', async (req, res) => {
    const { source, symbol } = req.params;
    const market = Object.hasOwn(deps.sources, source) ? deps.sources[source] : undefined;
    if (!market) {
      throw new AppError('unknown_market_source', `Unknown market-data source "${source}"; known: ${Object.keys(deps.sources).join(', ')}`, [{ field: 'source', message: 'unknown' }]);
    }
    const q = parseRequest(marketQuerySchema, { ...req.query });
    const timeframes = SOURCE_TIMEFRAMES[source];
    if (timeframes && !timeframes.includes(q.timeframe)) {
      throw new AppError('invalid_request', `The ${source} source holds ${timeframes.join(', ')} bars`, [{ field: 'timeframe', message: `one of ${timeframes.join(', ')}` }]);
    }
    const candles = await market.load(symbol, q.bars);
    if (!candles) {
      const known = await market.symbols();
      throw new AppError('unknown_symbol', `The ${source} source has no symbol "${symbol}"${known.length ? `; it has: ${known.slice(0, 20).join(', ')}` : ''}`, [{ field: 'symbol', message: 'unknown' }]);
    }
    const body: MarketResponse = {
      source,
      symbol,
      timeframe: q.timeframe,
      candles: candles.map((c) => ({ time: formatCandleTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close, ...(c.volume !== undefined ? { volume: c.volume } : {}) })),
    };
    res.json(body);
  });
  return router;
}

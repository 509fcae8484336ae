import { z } from 'zod';
import { computeMarketFacts, type MarketFacts } from '../core/market/facts.ts';
import { candleInputFields, readCandles } from './candle-input.ts';
import { parseRequest } from './parse-request.ts';

export const factsRequestSchema = z.object(candleInputFields).strict();

export interface FactsResponse {
  symbol: string | null;
  timeframe: string | null;
  facts: MarketFacts;
}

/** Validate an indicators request and compute the market facts at its last bar. */
export function computeFacts(body: unknown): FactsResponse {
  const req = parseRequest(factsRequestSchema, body);
  const candles = readCandles(req);
  return { symbol: req.symbol ?? null, timeframe: req.timeframe ?? null, facts: computeMarketFacts(candles) };
}

import { z } from 'zod';
import { computeMarketFacts, type MarketFacts } from '../market/facts.js';
import { candleInputFields, readCandles } from './candle-input.js';
import { parseRequest } from './parse-request.js';

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

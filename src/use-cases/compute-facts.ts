import { type FactsResponse, factsRequestSchema } from '../contracts/facts.ts';
import { computeMarketFacts } from '../core/market/facts.ts';
import { readCandles } from './candle-input.ts';
import { parseRequest } from './parse-request.ts';

/** The request schema and the response type live in the HTTP contract; re-exported from here. */
export { factsRequestSchema, type FactsResponse };

/** Validate an indicators request and compute the market facts at its last bar. */
export function computeFacts(body: unknown): FactsResponse {
  const req = parseRequest(factsRequestSchema, body);
  const candles = readCandles(req);
  return { symbol: req.symbol ?? null, timeframe: req.timeframe ?? null, facts: computeMarketFacts(candles, req.last) };
}

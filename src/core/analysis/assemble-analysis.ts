import type { MarketFacts } from '../market/facts.ts';
import { type Analysis, DISCLAIMER, type ProviderInfo } from './analysis.ts';
import type { ModelOutput } from './model-output.ts';
import { applyPolicy, normalizeOutput } from './policy.ts';
import { summarize, type VerificationFacts, verifyClaims } from './verify.ts';

/** Everything an analysis is assembled from, besides the analyzer's output. */
export interface AnalysisParts {
  id: string;
  createdAt: string;
  symbol: string | null;
  timeframe: string | null;
  input: Analysis['input'];
  facts: MarketFacts | null;
  verify: VerificationFacts | null;
  provider: ProviderInfo;
}

/**
 * Check every claim of the analyzer's output against the facts, let the decision policy adjust what
 * they do not support, and build the answer. Pure: the same output and facts give the same answer.
 */
export function assembleAnalysis(output: ModelOutput, parts: AnalysisParts): Analysis {
  const normalized = normalizeOutput(output);
  const out = normalized.output;
  const claims = verifyClaims(out, parts.verify);
  const summary = summarize(claims);
  const policy = applyPolicy(out, claims, {
    lastClose: parts.facts?.lastBar.close ?? null,
    atr: parts.verify?.atr ?? null,
    hallucinationRate: summary.hallucinationRate,
  });
  return {
    id: parts.id,
    createdAt: parts.createdAt,
    symbol: parts.symbol,
    timeframe: parts.timeframe,
    input: parts.input,
    market: parts.facts,
    regime: out.regime,
    experts: out.experts,
    claims: { patterns: out.patterns, levels: out.levels, indicators: out.indicators },
    news: out.news,
    risks: out.risks,
    decision: policy.decision,
    proposedDecision: out.decision,
    verification: { ...summary, claims, adjustments: [...normalized.adjustments, ...policy.adjustments] },
    provider: parts.provider,
    disclaimer: DISCLAIMER,
  };
}

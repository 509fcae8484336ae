import type { MarketFacts } from '../market/facts.ts';
import { type Analysis, DISCLAIMER, type ProviderInfo } from './analysis.ts';
import type { CalibrationMap } from './calibration.ts';
import type { ModelOutput } from './model-output.ts';
import { applyPolicy, normalizeOutput } from './policy.ts';
import { closesAreFlat, factsAreFlat } from './policy/degenerate.ts';
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
  /** The calibration map of the analyzer, model and prompt version that answered (none: confidence as the policy made it). */
  calibration?: CalibrationMap | null;
}

/** Why the analysed series is flat (every close of the charted window equal, ATR ~0), or null. */
function flatSeries(parts: AnalysisParts): string | null {
  const v = parts.verify;
  if (v) {
    const closes = v.candles.slice(v.window.from, v.window.to + 1).map((c) => c.close);
    if (closesAreFlat(closes)) return `every close of the ${closes.length} charted bars is ${closes[closes.length - 1]}`;
  }
  return parts.facts ? factsAreFlat(parts.facts) : null;
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
    newsCount: parts.input.newsCount,
    flat: flatSeries(parts),
    calibration: parts.calibration ?? null,
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
    news: policy.news,
    risks: out.risks,
    decision: policy.decision,
    proposedDecision: out.decision,
    verification: { ...summary, claims, adjustments: [...normalized.adjustments, ...policy.adjustments] },
    provider: parts.provider,
    disclaimer: DISCLAIMER,
  };
}

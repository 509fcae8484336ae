import type { UpstreamCode } from '../errors.ts';
import type { MarketFacts } from '../market/facts.ts';
import type { AnalyzerId, AnalyzerKind } from './analyzer-id.ts';
import type { DecisionCalibration } from './calibration.ts';
import type { ExpertName, ModelOutput } from './model-output.ts';

export type ClaimStatus = 'confirmed' | 'not_found' | 'contradicted' | 'unverifiable';
export type ClaimKind = 'pattern' | 'level' | 'indicator' | 'regime' | 'decision';

/** One thing the analyzer asserted, and what the facts say about it. */
export interface VerifiedClaim {
  claim: string;
  kind: ClaimKind;
  status: ClaimStatus;
  detail: string;
}

/** What the decision policy changed, and why. */
export interface Adjustment {
  field: string;
  from: unknown;
  to: unknown;
  reason: string;
}

export interface Verification {
  /** verified: nothing flagged; partial: some claims not found or contradicted; unverified: no facts to check against. */
  status: 'verified' | 'partial' | 'unverified';
  claims: VerifiedClaim[];
  /** (not_found + contradicted) / verifiable claims; null when nothing could be checked. */
  hallucinationRate: number | null;
  adjustments: Adjustment[];
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

export type StructuredOutputMode = 'json_schema' | 'json_object' | 'prompt';

/** Why an answer is the rules' fallback instead of the model's: a stable code and its fixed sentence. */
export interface Degradation {
  code: UpstreamCode;
  message: string;
}

export interface ProviderInfo {
  /** The analyzer that answered (after any fallback). */
  analyzer: AnalyzerId;
  /** `rules` is deterministic code, never an LLM. */
  kind: AnalyzerKind;
  model: string | null;
  promptVersion: string;
  latencyMs: number;
  usage: Usage | null;
  costUsd: number | null;
  cached: boolean;
  /** false, or why the requested analyzer could not answer and the rules did. */
  degraded: false | Degradation;
  /** Deprecated alias of `degraded`: "code: message", or null. */
  degradedReason: string | null;
  attempts: number;
  structuredOutput: StructuredOutputMode | null;
  /** The image as the model was sent it (chart.png is these bytes); LLM answers only. */
  image?: ProviderImage;
  /** The pre-call estimate of the first call; LLM answers only. */
  estimate?: CallEstimate;
}

/** The image of an LLM call as sent: size, `detail`, estimated tokens, and the hash of its bytes. */
export interface ProviderImage {
  width: number;
  height: number;
  detail: 'low' | 'high';
  /** Image input tokens by the model's published accounting; null for a model it does not cover. */
  tokens: number | null;
  /** SHA-256 of the PNG sent (and stored as chart.png), which may be a re-sized input.imageSha256. */
  sha256: string;
}

/**
 * A call's cost estimated before it is made: input tokens (image plus text), their cost, and the
 * most the call can cost (that input plus max_completion_tokens of output), which the budget check
 * uses. Costs are null for a model without a price.
 */
export interface CallEstimate {
  inputTokens: number;
  inputCostUsd: number | null;
  maxCostUsd: number | null;
}

export interface Decision {
  action: 'buy' | 'sell' | 'hold';
  exposure: number;
  confidence: number;
  horizonBars: number;
  entry: number | null;
  invalidation: number | null;
  target: number | null;
  riskReward: number | null;
  rationale: string;
  /** What the decision rests on: the verified claims and facts it cites. */
  basis: string[];
  /**
   * The calibration map that set `confidence` (calibration/<map>.json) and the confidence before it;
   * null when no map is fitted for this analyzer, model and prompt version, or for a hold (a map
   * calibrates calls). Absent in answers made before calibration existed.
   */
  calibration?: DecisionCalibration | null;
}

/** The full answer of POST /v1/analyze. */
export interface Analysis {
  id: string;
  createdAt: string;
  symbol: string | null;
  timeframe: string | null;
  input: {
    source: 'ohlcv' | 'image' | 'image+ohlcv';
    bars: number | null;
    imageSha256: string;
    chart: { width: number; height: number; renderer: string };
    newsCount: number;
  };
  market: MarketFacts | null;
  regime: ModelOutput['regime'];
  experts: { name: ExpertName; weight: number; stance: 'long' | 'short' | 'flat'; exposure: number; rationale: string }[];
  claims: {
    patterns: ModelOutput['patterns'];
    levels: ModelOutput['levels'];
    indicators: ModelOutput['indicators'];
  };
  news: ModelOutput['news'];
  risks: string[];
  decision: Decision;
  /** The analyzer's own decision before the policy checked it. */
  proposedDecision: ModelOutput['decision'];
  verification: Verification;
  provider: ProviderInfo;
  disclaimer: string;
}

export const DISCLAIMER =
  'Educational analysis, not investment advice. Chart readings can be wrong; past patterns do not guarantee future prices.';

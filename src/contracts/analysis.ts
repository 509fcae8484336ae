import { z } from 'zod';
import type { Analysis } from '../core/analysis/analysis.ts';
import { modelOutputSchema } from '../core/analysis/model-output.ts';
import { ERROR_CODES, type UpstreamCode } from '../core/errors.ts';
import { analyzerIdSchema } from './analyze-request.ts';
import { marketFactsSchema } from './facts.ts';

// The analyzer's own parts are passed through after validation against the model output
// contract, so the response reuses those schemas rather than restating them.
const model = modelOutputSchema.shape;
const unit = z.number().min(0).max(1);
const count = z.number().int().min(0);

/** One thing the analyzer asserted, and what the computed facts say about it. */
export const verifiedClaimSchema = z
  .object({
    claim: z.string(),
    kind: z.enum(['pattern', 'level', 'indicator', 'regime', 'decision']),
    status: z.enum(['confirmed', 'not_found', 'contradicted', 'unverifiable']),
    detail: z.string(),
  })
  .strict();

/** What the decision policy (or output normalization) changed, and why. */
export const adjustmentSchema = z
  .object({ field: z.string(), from: z.unknown(), to: z.unknown(), reason: z.string() })
  .strict();

/** The check of every claim against the facts. */
export const verificationSchema = z
  .object({
    /** verified: nothing flagged; partial: some claims not found or contradicted; unverified: nothing to check against. */
    status: z.enum(['verified', 'partial', 'unverified']),
    claims: z.array(verifiedClaimSchema),
    /** (not_found + contradicted) / verifiable claims; null when nothing could be checked. */
    hallucinationRate: unit.nullable(),
    adjustments: z.array(adjustmentSchema),
  })
  .strict();

/** Tokens an LLM call used (zeros when served from cache). */
export const usageSchema = z.object({ inputTokens: count, outputTokens: count, cachedInputTokens: count }).strict();

/** The codes an upstream failure carries; taken from the core's catalogue (kind `upstream`). */
export const upstreamCodeSchema = z.enum(
  Object.entries(ERROR_CODES)
    .filter(([, kind]) => kind === 'upstream')
    .map(([code]) => code) as [UpstreamCode, ...UpstreamCode[]],
);

/** Why an analysis is the rules' fallback: a stable upstream code and its fixed sentence. */
export const degradationSchema = z.object({ code: upstreamCodeSchema, message: z.string().min(1) }).strict();

/** Who answered and at what cost. The rules (`kind: 'rules'`) are never presented as an LLM. */
export const providerSchema = z
  .object({
    /** The analyzer that answered, by the id a caller asks for. */
    analyzer: analyzerIdSchema,
    kind: z.enum(['rules', 'llm']),
    model: z.string().nullable(),
    promptVersion: z.string().min(1),
    latencyMs: count,
    usage: usageSchema.nullable(),
    costUsd: z.number().min(0).nullable(),
    cached: z.boolean(),
    /** false, or why the wanted analyzer was replaced by the rules. */
    degraded: z.union([z.literal(false), degradationSchema]),
    /** Deprecated alias of `degraded` ("code: message", or null); read `degraded` instead. */
    degradedReason: z.string().nullable(),
    attempts: count,
    structuredOutput: z.enum(['json_schema', 'json_object', 'prompt']).nullable(),
    /** LLM answers: the image as sent (chart.png is these bytes; may be a re-size of input.imageSha256's). */
    image: z
      .object({
        width: z.number().int().min(1),
        height: z.number().int().min(1),
        detail: z.enum(['low', 'high']),
        /** Image input tokens by the model's published accounting; null when it is not known. */
        tokens: count.nullable(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict()
      .optional(),
    /** LLM answers: the first call's estimate before it was made; the budget check uses maxCostUsd. */
    estimate: z
      .object({ inputTokens: count, inputCostUsd: z.number().min(0).nullable(), maxCostUsd: z.number().min(0).nullable() })
      .strict()
      .optional(),
  })
  .strict();

/** The calibration map that set the confidence (calibration/<map>.json), and the confidence before it. */
export const decisionCalibrationSchema = z
  .object({
    /** The map's id: `<analyzer>[.<model>].<promptVersion>`, e.g. local.analyze.v1. */
    map: z.string().min(1),
    version: z.number().int().min(1),
    /** The confidence the policy made, before the map. */
    raw: unit,
    /** The hit rate of every call the map was fitted on. */
    baseRate: unit,
  })
  .strict();

/** The decision after the policy checked it, with what it rests on. */
export const decisionSchema = model.decision
  .extend({
    riskReward: z.number().nullable(),
    /** The confirmed claims and facts the decision cites. */
    basis: z.array(z.string()),
    /** null: no map for this analyzer, model and prompt version, or a hold; absent in answers made before calibration. */
    calibration: decisionCalibrationSchema.nullable().optional(),
  })
  .strict();

/** What the analysis was made from. */
export const analysisInputSchema = z
  .object({
    source: z.enum(['ohlcv', 'image', 'image+ohlcv']),
    bars: z.number().int().min(1).nullable(),
    /** SHA-256 of the prepared chart (rendered or uploaded); when an LLM adapter re-sized it, chart.png holds the sent bytes, hashed in provider.image.sha256. */
    imageSha256: z.string().regex(/^[0-9a-f]{64}$/),
    chart: z.object({ width: z.number().int().min(1), height: z.number().int().min(1), renderer: z.string().min(1) }).strict(),
    newsCount: count,
  })
  .strict();

/** The full answer of POST /v1/analyze and GET /v1/analyses/:id. */
export const analysisSchema = z
  .object({
    id: z.string().min(1),
    createdAt: z.iso.datetime(),
    symbol: z.string().nullable(),
    timeframe: z.string().nullable(),
    input: analysisInputSchema,
    /** null when only an image was sent. */
    market: marketFactsSchema.nullable(),
    regime: model.regime,
    experts: model.experts,
    claims: z.object({ patterns: model.patterns, levels: model.levels, indicators: model.indicators }).strict(),
    news: model.news,
    risks: model.risks,
    decision: decisionSchema,
    /** The analyzer's own decision before the policy checked it. */
    proposedDecision: model.decision,
    verification: verificationSchema,
    provider: providerSchema,
    disclaimer: z.string().min(1),
  })
  .strict();

export type AnalysisBody = z.infer<typeof analysisSchema>;
export type ProviderBody = z.infer<typeof providerSchema>;

// The core builds Analysis; the contract must describe exactly that, in both directions. If tsc
// fails here, the core type and this schema have drifted: change them together.
const _analysisToBody = (a: Analysis): AnalysisBody => a;
const _bodyToAnalysis = (b: AnalysisBody): Analysis => b;

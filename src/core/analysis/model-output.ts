import { z } from 'zod';

/**
 * The model output contract v1: exactly what an analyzer (LLM or rules) must answer.
 * Outside tools test against it; add no required fields. Ranges are checked here with zod even
 * where the strict JSON schema sent to providers cannot express them.
 */
export const EXPERT_NAMES = ['trend', 'reversal', 'breakout', 'positioning'] as const;
export type ExpertName = (typeof EXPERT_NAMES)[number];

const unit = z.number().min(0).max(1);
const signedUnit = z.number().min(-1).max(1);
const text = z.string().max(4000);

export const modelOutputSchema = z
  .object({
    regime: z.object({ uptrend: unit, downtrend: unit, sideways: unit }).strict(),
    experts: z
      .array(
        z
          .object({
            name: z.enum(EXPERT_NAMES),
            weight: unit,
            stance: z.enum(['long', 'short', 'flat']),
            exposure: signedUnit,
            rationale: text,
          })
          .strict(),
      )
      .max(8),
    patterns: z
      .array(
        z
          .object({
            name: z.string().min(1).max(200),
            kind: z.enum(['candlestick', 'chart']),
            direction: z.enum(['bullish', 'bearish', 'neutral']),
            start: z.string().max(40).nullable(),
            end: z.string().max(40).nullable(),
            confidence: unit,
          })
          .strict(),
      )
      .max(50),
    levels: z
      .object({ support: z.array(z.number().finite()).max(20), resistance: z.array(z.number().finite()).max(20) })
      .strict(),
    indicators: z
      .array(z.object({ name: z.string().min(1).max(60), value: z.number().finite().nullable(), reading: text }).strict())
      .max(50),
    news: z
      .array(z.object({ index: z.number().int().min(0), sentiment: signedUnit, relevance: unit, note: text }).strict())
      .max(20),
    decision: z
      .object({
        action: z.enum(['buy', 'sell', 'hold']),
        exposure: signedUnit,
        confidence: unit,
        horizonBars: z.number().int().min(1).max(1000),
        entry: z.number().finite().nullable(),
        invalidation: z.number().finite().nullable(),
        target: z.number().finite().nullable(),
        rationale: text,
      })
      .strict(),
    risks: z.array(z.string().max(1000)).max(20),
  })
  .strict();

export type ModelOutput = z.output<typeof modelOutputSchema>;
export type ModelPattern = ModelOutput['patterns'][number];
export type ModelDecision = ModelOutput['decision'];

/** Keywords that OpenAI's strict structured outputs (and several compatible servers) refuse. */
const UNSUPPORTED_KEYWORDS = new Set([
  '$schema',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'format',
  'pattern',
]);

function stripUnsupported(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripUnsupported);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (!UNSUPPORTED_KEYWORDS.has(k)) out[k] = stripUnsupported(v);
  }
  return out;
}

/**
 * The contract as a strict JSON schema (every property required, no additional properties),
 * generated from the zod schema so the two cannot drift apart.
 */
export function modelOutputJsonSchema(): Record<string, unknown> {
  return stripUnsupported(z.toJSONSchema(modelOutputSchema, { target: 'draft-7' })) as Record<string, unknown>;
}

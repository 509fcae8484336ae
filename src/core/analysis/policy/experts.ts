import type { ModelOutput } from '../model-output.ts';

/**
 * Within this band around 0 the experts' weighted exposure is "split or flat": no side has it.
 * 0.1 is one tenth of full size, the point below which the rules analyzer's experts call
 * themselves flat; beyond it, a trade against the sign is a trade against the experts.
 */
export const EXPERT_BAND = 0.1;
/** A trade the experts are split on keeps this share of its size. */
export const SPLIT_EXPERTS_CUT = 0.5;

/**
 * Sum of weight x exposure over the experts, with the weights rescaled to sum to 1 (normalizeOutput
 * has usually done so already; equal weights if they are all 0). Null without experts: no view.
 */
export function expertConsensus(experts: ModelOutput['experts']): number | null {
  if (experts.length === 0) return null;
  const weights = experts.reduce((s, e) => s + e.weight, 0);
  const sum = experts.reduce((s, e) => s + (weights > 0 ? e.weight : 1) * e.exposure, 0);
  return sum / (weights > 0 ? weights : experts.length);
}

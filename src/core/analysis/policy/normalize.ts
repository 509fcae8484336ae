import type { Adjustment } from '../analysis.ts';
import type { ModelOutput } from '../model-output.ts';
import { r4 } from './draft.ts';

/** Probabilities and weights within this of 1 are left alone (models round). */
const SUM_TOLERANCE = 0.01;

/**
 * Models often return regime probabilities or expert weights that do not sum to 1. They are
 * rescaled (never dropped), and the change is listed like any other adjustment.
 */
export function normalizeOutput(output: ModelOutput): { output: ModelOutput; adjustments: Adjustment[] } {
  const adjustments: Adjustment[] = [];
  let regime = output.regime;
  const regimeSum = regime.uptrend + regime.downtrend + regime.sideways;
  if (Math.abs(regimeSum - 1) > SUM_TOLERANCE) {
    const scaled =
      regimeSum > 0
        ? { uptrend: r4(regime.uptrend / regimeSum), downtrend: r4(regime.downtrend / regimeSum), sideways: r4(regime.sideways / regimeSum) }
        : { uptrend: 0.3333, downtrend: 0.3333, sideways: 0.3334 };
    adjustments.push({ field: 'regime', from: regime, to: scaled, reason: `regime probabilities summed to ${r4(regimeSum)}; rescaled to 1` });
    regime = scaled;
  }
  let experts = output.experts;
  const weightSum = experts.reduce((sum, e) => sum + e.weight, 0);
  if (experts.length > 0 && Math.abs(weightSum - 1) > SUM_TOLERANCE) {
    const scaled = experts.map((e) => ({ ...e, weight: weightSum > 0 ? r4(e.weight / weightSum) : r4(1 / experts.length) }));
    adjustments.push({
      field: 'experts.weight',
      from: experts.map((e) => e.weight),
      to: scaled.map((e) => e.weight),
      reason: `expert weights summed to ${r4(weightSum)}; rescaled to 1`,
    });
    experts = scaled;
  }
  return { output: { ...output, regime, experts }, adjustments };
}

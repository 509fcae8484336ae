import type { Adjustment, Decision, VerifiedClaim } from './analysis.ts';
import type { ModelOutput, ModelPattern } from './model-output.ts';
import { compactPatternName } from './pattern-names.ts';

/**
 * The decision policy: how the analyzer's proposed decision and the verification become the
 * final decision. Every change is recorded as an Adjustment with its reason. In order:
 *
 * 1. Contradicted support: if a claim the decision rests on is contradicted, the call becomes
 *    HOLD (exposure 0) and confidence is halved. A claim "supports" the decision when the
 *    rationale mentions it (pattern name or level price) or, for patterns, when its direction
 *    is the direction of the trade.
 * 2. Unconfirmed support: if no supporting claim was confirmed and at least one was not found,
 *    the decision rests on nothing real: HOLD, confidence halved. Otherwise each supporting
 *    claim that was not found cuts confidence by 30% (compounding, at most a 60% cut in total).
 * 3. Overall reliability: confidence is multiplied by (1 - hallucinationRate / 2).
 * 4. Consistency: the exposure's sign follows the action (buy > 0, sell < 0, hold = 0); a buy
 *    or sell with zero exposure becomes HOLD.
 * 5. Prices: a missing entry becomes the last close; an invalidation on the wrong side of the
 *    entry (or missing) is set 1.5 ATR beyond it; a target on the wrong side is set at twice the
 *    risk. Without data to compute ATR, wrong-side levels are removed instead.
 * 6. Caps: confidence is capped at 0.85, and at 0.6 when nothing could be verified.
 */
export interface PolicyContext {
  lastClose: number | null;
  atr: number | null;
  hallucinationRate: number | null;
}

export const CONFIDENCE_CAP = 0.85;
export const UNVERIFIED_CONFIDENCE_CAP = 0.6;
const NOT_FOUND_CUT = 0.7;
const MAX_NOT_FOUND_CUT = 0.4;
const STOP_ATR = 1.5;

const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/** Does the decision lean on this claim? */
function supports(claim: VerifiedClaim, proposed: ModelOutput['decision'], p: ModelPattern | undefined): boolean {
  const rationale = compactPatternName(proposed.rationale);
  if (claim.kind === 'pattern') {
    if (!p) return false;
    const tradeSide = proposed.action === 'buy' ? 'bullish' : proposed.action === 'sell' ? 'bearish' : null;
    const name = compactPatternName(p.name);
    return (tradeSide !== null && p.direction === tradeSide) || (name.length > 2 && rationale.includes(name));
  }
  if (claim.kind === 'level') {
    const price = /at (-?[\d.]+)/.exec(claim.claim)?.[1];
    return price !== undefined && proposed.rationale.includes(price.replace(/\.0+$/, ''));
  }
  if (claim.kind === 'indicator') {
    const name = claim.claim.split(' = ')[0];
    return rationale.includes(compactPatternName(name));
  }
  return false;
}

export function applyPolicy(
  output: ModelOutput,
  claims: readonly VerifiedClaim[],
  ctx: PolicyContext,
): { decision: Decision; adjustments: Adjustment[] } {
  const proposed = output.decision;
  const adjustments: Adjustment[] = [];
  let { action, exposure, confidence } = proposed;
  let { entry, invalidation, target } = proposed;
  const change = (field: string, from: unknown, to: unknown, reason: string): void => {
    if (from !== to) adjustments.push({ field, from, to, reason });
  };

  // Pattern claims come in the model's order, so the n-th pattern claim is output.patterns[n].
  let patternNo = 0;
  const supporting = claims.filter((c) => supports(c, proposed, c.kind === 'pattern' ? output.patterns[patternNo++] : undefined));
  const contradicted = supporting.filter((c) => c.status === 'contradicted');
  const notFound = supporting.filter((c) => c.status === 'not_found');

  /** Stand down: HOLD, no exposure, half the confidence, all for one stated reason. */
  const moveToHold = (reason: string): void => {
    change('action', action, 'hold', reason);
    change('exposure', exposure, 0, reason);
    action = 'hold';
    exposure = 0;
    const halved = r4(confidence * 0.5);
    change('confidence', confidence, halved, reason);
    confidence = halved;
  };
  if (contradicted.length > 0 && action !== 'hold') {
    moveToHold(`the decision rests on contradicted claim(s): ${contradicted.map((c) => c.claim).join('; ')}`);
  }
  const confirmed = supporting.filter((c) => c.status === 'confirmed');
  if (notFound.length > 0 && confirmed.length === 0 && action !== 'hold') {
    moveToHold(`nothing the decision rests on was found in the data: ${notFound.map((c) => c.claim).join('; ')}`);
  } else if (notFound.length > 0) {
    const factor = Math.max(MAX_NOT_FOUND_CUT, NOT_FOUND_CUT ** notFound.length);
    const cut = r4(confidence * factor);
    change('confidence', confidence, cut, `supporting claim(s) not found in the data: ${notFound.map((c) => c.claim).join('; ')}`);
    confidence = cut;
  }
  if (ctx.hallucinationRate !== null && ctx.hallucinationRate > 0) {
    const cut = r4(confidence * (1 - ctx.hallucinationRate / 2));
    change('confidence', confidence, cut, `hallucination rate ${ctx.hallucinationRate} across checked claims`);
    confidence = cut;
  }

  if (action === 'buy' && exposure < 0) {
    change('exposure', exposure, -exposure, 'a buy needs a positive exposure');
    exposure = -exposure;
  } else if (action === 'sell' && exposure > 0) {
    change('exposure', exposure, -exposure, 'a sell needs a negative exposure');
    exposure = -exposure;
  } else if (action === 'hold' && exposure !== 0) {
    change('exposure', exposure, 0, 'a hold carries no exposure');
    exposure = 0;
  }
  if (action !== 'hold' && exposure === 0) {
    change('action', action, 'hold', 'zero exposure is a hold');
    action = 'hold';
  }

  if (entry === null && ctx.lastClose !== null) {
    change('entry', entry, ctx.lastClose, 'no entry given; the last close is used');
    entry = ctx.lastClose;
  }
  if (action !== 'hold' && entry !== null) {
    const side = action === 'buy' ? 1 : -1;
    const wrongStop = invalidation === null || side * (entry - invalidation) <= 0;
    if (wrongStop) {
      const fixed = ctx.atr ? r4(entry - side * STOP_ATR * ctx.atr) : null;
      change(
        'invalidation',
        invalidation,
        fixed,
        invalidation === null
          ? `no invalidation given; set ${STOP_ATR} ATR from the entry`
          : `an invalidation must sit ${action === 'buy' ? 'below' : 'above'} the entry for a ${action}`,
      );
      invalidation = fixed;
    }
    if (target !== null && side * (target - entry) <= 0) {
      const fixed = invalidation !== null ? r4(entry + side * 2 * Math.abs(entry - invalidation)) : null;
      change('target', target, fixed, `a target must sit ${action === 'buy' ? 'above' : 'below'} the entry for a ${action}`);
      target = fixed;
    }
  }

  const cap = ctx.hallucinationRate === null ? UNVERIFIED_CONFIDENCE_CAP : CONFIDENCE_CAP;
  if (confidence > cap) {
    change('confidence', confidence, cap, ctx.hallucinationRate === null ? 'nothing could be verified' : 'confidence is capped');
    confidence = cap;
  }

  const riskReward =
    action !== 'hold' && entry !== null && invalidation !== null && target !== null && entry !== invalidation
      ? r4(Math.abs(target - entry) / Math.abs(entry - invalidation))
      : null;
  const basis = claims.filter((c) => c.status === 'confirmed').map((c) => `${c.claim} (${c.detail})`);
  return {
    decision: {
      action,
      exposure: r4(exposure),
      confidence: r4(confidence),
      horizonBars: proposed.horizonBars,
      entry,
      invalidation,
      target,
      riskReward,
      rationale: proposed.rationale,
      basis,
    },
    adjustments,
  };
}

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

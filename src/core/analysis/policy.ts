import type { Adjustment, Decision, VerifiedClaim } from './analysis.ts';
import { calibrate, type CalibrationMap, calibrationMapId, type DecisionCalibration } from './calibration.ts';
import type { ModelOutput } from './model-output.ts';
import { atrIsFlat } from './policy/degenerate.ts';
import { type Draft, type Ledger, moveToHold, newLedger, r4, resize, sideOf } from './policy/draft.ts';
import {
  describeScore,
  evidenceScore,
  falseShare,
  MOSTLY_FALSE_SHARE,
  supportingClaims,
  tally,
  UNVERIFIABLE_CREDIT,
} from './policy/evidence.ts';
import { EXPERT_BAND, expertConsensus, SPLIT_EXPERTS_CUT } from './policy/experts.ts';
import { newsTilt, screenRatings } from './policy/news.ts';
import { repairLevels } from './policy/prices.ts';

export { normalizeOutput } from './policy/normalize.ts';

/**
 * The decision policy: how the analyzer's proposed decision and the verification become the
 * final decision. Every change is recorded as an Adjustment with its reason. In order (the README,
 * "The decision policy", has the same rules as a table):
 *
 *  1. News screening: ratings of news indexes that were never sent (or rated twice) are dropped.
 *  2. Consistency: the exposure's sign follows the action (buy > 0, sell < 0, hold = 0).
 *  3. Flat series: no trade on a series that does not move (ATR ~0, or every close equal).
 *  4. Evidence that voids the call: a contradicted supporting claim; no supporting claim confirmed
 *     and one not found; more than half of the checkable claims false. Each is HOLD, confidence
 *     halved. Otherwise each unfound supporting claim cuts confidence by 30% (at most 60%).
 *  5. Confidence x (1 - hallucinationRate / 2).
 *  6. Experts: against the sign of the weighted expert exposure (beyond +-0.1), HOLD.
 *  7. News: when the news leans the trade's way, exposure may not exceed what the experts
 *     support (HOLD when they support nothing): untrusted text cannot size a trade by itself.
 *  8. Experts split (weighted exposure within +-0.1): size halved.
 *  9. Size follows evidence: exposure x the evidence score (confirmed + 0.5 x unverifiable) /
 *     claims, or the score of the supporting claims when that is lower.
 * 10. Zero exposure is a hold.
 * 11. Prices: entry, stop and target are repaired or removed when they are not sane.
 * 12. Caps: confidence at most 0.85, and 0.6 when nothing could be verified.
 * 13. Calibration: where a map is fitted for the analyzer, model and prompt version that answered
 *     (and the decision's horizon), a call's confidence becomes calibrate(map, confidence), the
 *     hit rate measured for it in walk-forward replays (capped as in 12); the answer names the map.
 */
export interface PolicyContext {
  lastClose: number | null;
  /** The price unit: ATR14 at the bar (or the mean range while it warms up). */
  atr: number | null;
  /** (not_found + contradicted) / checkable claims as summarize() gives it; from the claims when left out. */
  hallucinationRate?: number | null;
  /** How many news items were sent; ratings of other indexes are dropped. Unknown: none are. */
  newsCount?: number | null;
  /** The analysed series is flat: true, or a sentence saying how (see policy/degenerate.ts). */
  flat?: boolean | string | null;
  /** The calibration map of the analyzer, model and prompt version that answered; none: no calibration. */
  calibration?: CalibrationMap | null;
}

export interface PolicyResult {
  decision: Decision;
  adjustments: Adjustment[];
  /** The news ratings that stand (those of items that were sent, once each). */
  news: ModelOutput['news'];
}

export const CONFIDENCE_CAP = 0.85;
export const UNVERIFIED_CONFIDENCE_CAP = 0.6;
const NOT_FOUND_CUT = 0.7;
const MAX_NOT_FOUND_CUT = 0.4;

const listClaims = (claims: readonly VerifiedClaim[]): string => claims.map((c) => c.claim).join('; ');

function flatReason(ctx: PolicyContext): string | null {
  if (typeof ctx.flat === 'string' && ctx.flat) return ctx.flat;
  if (ctx.flat === true) return 'every close is the same';
  if (ctx.atr === 0) return 'ATR is 0';
  if (atrIsFlat(ctx.atr, ctx.lastClose)) return `ATR ${ctx.atr} next to a close of ${ctx.lastClose}`;
  return null;
}

/** Rule 13: the map's hit rate for a call's confidence, recorded as an adjustment; null when no map applies. */
function calibrateCall(d: Draft, ledger: Ledger, map: CalibrationMap | null, horizonBars: number, cap: number): DecisionCalibration | null {
  if (map === null || d.action === 'hold' || horizonBars !== map.horizonBars) return null;
  const raw = r4(d.confidence);
  const id = calibrationMapId(map);
  const to = r4(Math.min(cap, calibrate(map, raw)));
  const f = map.fittedOn;
  ledger.change('confidence', raw, to, `calibrated by ${id} v${map.version} (${f.calls} calls replayed ${f.from}..${f.to}, base rate ${map.baseRate}): calls with confidence ${raw} were right ${to} of the time over ${map.horizonBars} bars`);
  d.confidence = to;
  return { map: id, version: map.version, raw, baseRate: map.baseRate };
}

export function applyPolicy(output: ModelOutput, claims: readonly VerifiedClaim[], ctx: PolicyContext): PolicyResult {
  const proposed = output.decision;
  const ledger = newLedger();
  const { change } = ledger;
  const d: Draft = {
    action: proposed.action,
    exposure: proposed.exposure,
    confidence: proposed.confidence,
    entry: proposed.entry,
    invalidation: proposed.invalidation,
    target: proposed.target,
  };

  // 1. News that was never sent cannot have been read.
  const news = screenRatings(output.news, ctx.newsCount ?? null);
  for (const x of news.dropped) change('news', x.rating, null, x.reason);

  // 2. The exposure's sign follows the action.
  if (d.action === 'buy' && d.exposure < 0) {
    change('exposure', d.exposure, -d.exposure, 'a buy needs a positive exposure');
    d.exposure = -d.exposure;
  } else if (d.action === 'sell' && d.exposure > 0) {
    change('exposure', d.exposure, -d.exposure, 'a sell needs a negative exposure');
    d.exposure = -d.exposure;
  } else if (d.action === 'hold' && d.exposure !== 0) {
    change('exposure', d.exposure, 0, 'a hold carries no exposure');
    d.exposure = 0;
  }

  // 3. A series that does not move has nothing to trade and no unit to place a stop in.
  const flat = flatReason(ctx);
  if (flat !== null) moveToHold(d, ledger, `the series is flat (${flat}): no trade can be read, sized or stopped on it`);

  // 4. Evidence that voids the call.
  const all = tally(claims);
  const supporting = supportingClaims(output, claims);
  const contradicted = supporting.filter((c) => c.status === 'contradicted');
  const notFound = supporting.filter((c) => c.status === 'not_found');
  const confirmed = supporting.filter((c) => c.status === 'confirmed');
  if (contradicted.length > 0) moveToHold(d, ledger, `the decision rests on contradicted claim(s): ${listClaims(contradicted)}`);
  if (notFound.length > 0 && confirmed.length === 0 && d.action !== 'hold') {
    moveToHold(d, ledger, `nothing the decision rests on was found in the data: ${listClaims(notFound)}`);
  } else if (notFound.length > 0) {
    const cut = r4(d.confidence * Math.max(MAX_NOT_FOUND_CUT, NOT_FOUND_CUT ** notFound.length));
    change('confidence', d.confidence, cut, `supporting claim(s) not found in the data: ${listClaims(notFound)}`);
    d.confidence = cut;
  }
  const claimRate = falseShare(all);
  const rate = ctx.hallucinationRate === undefined ? claimRate : ctx.hallucinationRate;
  // The claims themselves decide; a rate in the context stands in only when no claims are listed.
  const voidRate = all.total > 0 ? claimRate : rate;
  if (voidRate !== null && voidRate > MOSTLY_FALSE_SHARE) {
    const counted = all.total > 0 ? `${all.flagged} of ${all.confirmed + all.flagged} checkable claims are` : `a hallucination rate of ${voidRate}:`;
    moveToHold(d, ledger, `${counted} false (not found or contradicted), more than ${MOSTLY_FALSE_SHARE * 100}%: the decision stands on invented evidence`);
  }

  // 5. Overall reliability lowers confidence.
  if (rate !== null && rate > 0) {
    const cut = r4(d.confidence * (1 - rate / 2));
    change('confidence', d.confidence, cut, `hallucination rate ${r4(rate)} across checked claims`);
    d.confidence = cut;
  }

  // 6. Direction agrees with the experts.
  const consensus = expertConsensus(output.experts);
  const weighted = consensus === null ? '' : `weighted expert exposure ${r4(consensus)} (sum of weight x exposure)`;
  if (consensus !== null && sideOf(d.action) * consensus < -EXPERT_BAND) {
    moveToHold(d, ledger, `a ${d.action} against the experts: ${weighted} points the other way, beyond +-${EXPERT_BAND}`);
  }

  // 7. Untrusted news cannot size a trade by itself.
  const side = sideOf(d.action);
  const tilt = newsTilt(news.kept);
  if (side !== 0 && side * tilt > 0) {
    const backing = consensus !== null ? Math.max(0, side * consensus) : confirmed.length > 0 ? Math.abs(d.exposure) : 0;
    const what = consensus !== null ? `the ${weighted}` : `${confirmed.length} confirmed supporting claim(s) and no experts`;
    if (Math.abs(d.exposure) > backing && r4(backing) === 0) {
      moveToHold(d, ledger, `only the news supports this ${d.action}: news ratings are untrusted text and cannot open a trade (${what})`);
    } else if (Math.abs(d.exposure) > backing) {
      resize(d, ledger, side * backing, `news ratings are untrusted text and cannot raise exposure: capped at what the non-news evidence supports, ${what}`);
    }
  }

  // 8. Split experts halve the size.
  if (sideOf(d.action) !== 0 && consensus !== null && Math.abs(consensus) <= EXPERT_BAND) {
    resize(d, ledger, d.exposure * SPLIT_EXPERTS_CUT, `the experts are split: ${weighted} is within +-${EXPERT_BAND} of flat; size x ${SPLIT_EXPERTS_CUT}`);
  }

  // 9. Size follows the evidence.
  if (d.action !== 'hold') {
    const overall = evidenceScore(all);
    const backing = tally(supporting);
    const underneath = evidenceScore(backing);
    let factor: number;
    let why: string;
    if (overall === null) {
      factor = rate === null ? UNVERIFIABLE_CREDIT : 1 - rate;
      why = rate === null ? `no claim could be checked: unverified evidence counts ${UNVERIFIABLE_CREDIT}` : `no claims listed: 1 - hallucination rate ${r4(rate)}`;
    } else if (underneath !== null && underneath < overall) {
      factor = underneath;
      why = `the claims the decision rests on score ${describeScore(backing, underneath)}`;
    } else {
      factor = overall;
      why = `evidence score ${describeScore(all, overall)}`;
    }
    if (factor < 1) resize(d, ledger, d.exposure * factor, `size follows the evidence: ${why}; exposure x ${r4(factor)}`);
  }

  // 10. Zero exposure is a hold.
  if (d.action !== 'hold' && r4(d.exposure) === 0) {
    change('action', d.action, 'hold', 'zero exposure is a hold');
    d.action = 'hold';
    d.exposure = 0;
  }

  // 11. Entry, stop and target are sane prices.
  repairLevels(d, ledger, ctx);

  // 12. Caps.
  const unverified = rate === null;
  const cap = unverified ? UNVERIFIED_CONFIDENCE_CAP : CONFIDENCE_CAP;
  if (d.confidence > cap) {
    change('confidence', d.confidence, cap, unverified ? 'nothing could be verified' : 'confidence is capped');
    d.confidence = cap;
  }

  // 13. Calibration: the confidence of a call is what calls like it have been worth.
  const calibration = calibrateCall(d, ledger, ctx.calibration ?? null, proposed.horizonBars, cap);

  const { action, entry, invalidation, target } = d;
  const riskReward =
    action !== 'hold' && entry !== null && invalidation !== null && target !== null && entry !== invalidation
      ? r4(Math.abs(target - entry) / Math.abs(entry - invalidation))
      : null;
  const basis = claims.filter((c) => c.status === 'confirmed').map((c) => `${c.claim} (${c.detail})`);
  return {
    decision: {
      action,
      exposure: r4(d.exposure),
      confidence: r4(d.confidence),
      horizonBars: proposed.horizonBars,
      entry,
      invalidation,
      target,
      riskReward,
      rationale: proposed.rationale,
      basis,
      calibration,
    },
    adjustments: ledger.adjustments,
    news: news.kept,
  };
}

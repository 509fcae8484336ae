import type { ClaimStatus, VerifiedClaim } from '../analysis.ts';
import type { ModelOutput, ModelPattern } from '../model-output.ts';
import { compactPatternName } from '../pattern-names.ts';

/**
 * What the claims under a decision are worth. A confirmed claim is full evidence, a false one
 * (not_found or contradicted) none, and an unverifiable one (a pattern chartlens does not detect,
 * an indicator it does not compute, anything on an image without data) half: it may be true, but
 * nothing shows it, so a decision resting on such claims cannot keep its full size.
 */
export const UNVERIFIABLE_CREDIT = 0.5;
/** A decision is void when more than this share of its checkable claims is false. */
export const MOSTLY_FALSE_SHARE = 0.5;

const FALSE: ReadonlySet<ClaimStatus> = new Set(['not_found', 'contradicted']);

export interface ClaimTally {
  total: number;
  confirmed: number;
  /** not_found + contradicted. */
  flagged: number;
  unverifiable: number;
}

export function tally(claims: readonly VerifiedClaim[]): ClaimTally {
  let confirmed = 0;
  let flagged = 0;
  let unverifiable = 0;
  for (const c of claims) {
    if (c.status === 'confirmed') confirmed++;
    else if (FALSE.has(c.status)) flagged++;
    else unverifiable++;
  }
  return { total: claims.length, confirmed, flagged, unverifiable };
}

/** Share of checkable claims that are false; null when none could be checked. */
export function falseShare(t: ClaimTally): number | null {
  const verifiable = t.confirmed + t.flagged;
  return verifiable === 0 ? null : t.flagged / verifiable;
}

/**
 * The evidence score: (confirmed + 0.5 x unverifiable) / claims. With h the hallucination rate and
 * s the share of claims that could be checked it is s x (1 - h) + 0.5 x (1 - s): the checked part
 * counts as far as it is true, the unchecked part at half. Null when there are no claims.
 */
export function evidenceScore(t: ClaimTally): number | null {
  return t.total === 0 ? null : (t.confirmed + UNVERIFIABLE_CREDIT * t.unverifiable) / t.total;
}

export function describeScore(t: ClaimTally, score: number): string {
  return `(${t.confirmed} confirmed + ${UNVERIFIABLE_CREDIT} x ${t.unverifiable} unverifiable) / ${t.total} claims = ${Math.round(score * 1e4) / 1e4}`;
}

/** The price quoted in a level claim ("support at 2717.49", "resistance at 2.7e-6"). */
const LEVEL_PRICE = /at (-?\d[\d.]*(?:e[+-]?\d+)?)/i;

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
    const price = LEVEL_PRICE.exec(claim.claim)?.[1];
    return price !== undefined && proposed.rationale.includes(price.replace(/\.0+$/, ''));
  }
  if (claim.kind === 'indicator') {
    const name = claim.claim.split(' = ')[0];
    return rationale.includes(compactPatternName(name));
  }
  return false;
}

/**
 * The claims the decision rests on: named in the rationale (pattern name, level price, indicator
 * name) or, for patterns, pointing the trade's way. Pattern claims come in the model's order, so
 * the n-th pattern claim is output.patterns[n].
 */
export function supportingClaims(output: ModelOutput, claims: readonly VerifiedClaim[]): VerifiedClaim[] {
  let patternNo = 0;
  return claims.filter((c) => supports(c, output.decision, c.kind === 'pattern' ? output.patterns[patternNo++] : undefined));
}

import type { Adjustment, Decision } from '../analysis.ts';

/** The decision as the policy rules reshape it, one rule after another. */
export interface Draft {
  action: Decision['action'];
  exposure: number;
  confidence: number;
  entry: number | null;
  invalidation: number | null;
  target: number | null;
}

/** Exposures, confidences and ratios keep 4 decimals (they live in -1..1 or are ratios). */
export const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/** The adjustments list: every change a rule makes, with its reason, in the order made. */
export interface Ledger {
  adjustments: Adjustment[];
  change: (field: string, from: unknown, to: unknown, reason: string) => void;
}

export function newLedger(): Ledger {
  const adjustments: Adjustment[] = [];
  return {
    adjustments,
    change: (field, from, to, reason) => {
      if (from !== to) adjustments.push({ field, from, to, reason });
    },
  };
}

/** +1 for a buy, -1 for a sell, 0 for a hold. */
export const sideOf = (action: Decision['action']): 1 | -1 | 0 => (action === 'buy' ? 1 : action === 'sell' ? -1 : 0);

/** Stand down: HOLD, no exposure, half the confidence, all for one stated reason. */
export function moveToHold(d: Draft, ledger: Ledger, reason: string): void {
  if (d.action === 'hold') return;
  ledger.change('action', d.action, 'hold', reason);
  ledger.change('exposure', d.exposure, 0, reason);
  d.action = 'hold';
  d.exposure = 0;
  const halved = r4(d.confidence * 0.5);
  ledger.change('confidence', d.confidence, halved, reason);
  d.confidence = halved;
}

/** Set a new (same-signed) exposure, rounded, with its reason. */
export function resize(d: Draft, ledger: Ledger, exposure: number, reason: string): void {
  const to = r4(exposure);
  ledger.change('exposure', d.exposure, to, reason);
  d.exposure = to;
}

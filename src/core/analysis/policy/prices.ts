import { type Draft, type Ledger, r4, sideOf } from './draft.ts';

/**
 * Prices are rounded to significant digits, relative to their own size, never to a fixed number
 * of decimals: 8 digits keep 2679.5881 as 4 decimals did and keep 2.6795881e-6 instead of 0. The
 * step (1e-8 of the price) is far below FLAT_FRACTION, so a stop never rounds onto its entry.
 */
export const PRICE_DIGITS = 8;
export const roundPrice = (v: number): number => (v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(PRICE_DIGITS)));

/**
 * An entry more than this many ATR from the last close is reset to the close. Three average bars'
 * full range is more than a market moves in a day or two: an entry that far is a different trade
 * (a level the price may never reach), not a reading of this chart.
 */
export const MAX_ENTRY_ATR = 3;
/** A missing or wrong stop is set this many ATR beyond the entry (room for ordinary noise). */
export const STOP_ATR = 1.5;
/** A target that has to be repaired is set at this multiple of the risk. */
export const DEFAULT_REWARD_RISK = 2;
/**
 * A target more than this many times the risk (entry to stop) is not a forecast a chart reading
 * supports: over a few bars a 5:1 move is already rare, so beyond it the target is reset.
 */
export const MAX_REWARD_RISK = 5;

export interface PriceContext {
  lastClose: number | null;
  atr: number | null;
}

/** A usable price: finite and above 0 (not a type guard, so a failed check keeps the number type). */
const positive = (v: number | null): boolean => v !== null && Number.isFinite(v) && v > 0;

/** Entry, stop and target: each one that is not a sane price is repaired, or removed. */
export function repairLevels(d: Draft, ledger: Ledger, ctx: PriceContext): void {
  const atr = ctx.atr !== null && positive(ctx.atr) ? ctx.atr : null;
  const close = ctx.lastClose !== null && positive(ctx.lastClose) ? ctx.lastClose : null;

  if (d.entry !== null && !positive(d.entry)) {
    ledger.change('entry', d.entry, close, `an entry of ${d.entry} is not a price; ${close === null ? 'removed' : 'the last close is used'}`);
    d.entry = close;
  } else if (d.entry === null && close !== null) {
    ledger.change('entry', d.entry, close, 'no entry given; the last close is used');
    d.entry = close;
  } else if (d.entry !== null && close !== null && atr !== null && Math.abs(d.entry - close) > MAX_ENTRY_ATR * atr) {
    const away = Math.round((Math.abs(d.entry - close) / atr) * 10) / 10;
    ledger.change('entry', d.entry, close, `the entry is ${away} ATR from the last close ${close} (more than ${MAX_ENTRY_ATR}); the last close is used`);
    d.entry = close;
  }

  const side = sideOf(d.action);
  if (side === 0 || d.entry === null) {
    // A hold has no side to judge its levels by; only prices that cannot be prices go.
    if (d.invalidation !== null && !positive(d.invalidation)) {
      ledger.change('invalidation', d.invalidation, null, `an invalidation of ${d.invalidation} is not a price; removed`);
      d.invalidation = null;
    }
    if (d.target !== null && !positive(d.target)) {
      ledger.change('target', d.target, null, `a target of ${d.target} is not a price; removed`);
      d.target = null;
    }
    return;
  }
  const entry = d.entry;
  const below = side === 1 ? 'below' : 'above';
  const above = side === 1 ? 'above' : 'below';

  const stop = d.invalidation;
  const stopProblem =
    stop === null
      ? 'no invalidation given'
      : !positive(stop)
        ? `an invalidation of ${stop} is not a price`
        : side * (entry - stop) <= 0
          ? `an invalidation must sit ${below} the entry for a ${d.action}`
          : null;
  if (stopProblem !== null) {
    const placed = atr === null ? null : roundPrice(entry - side * STOP_ATR * atr);
    const fixed = placed !== null && positive(placed) ? placed : null;
    const how = fixed === null ? `removed (${atr === null ? 'no ATR to place one' : `${STOP_ATR} ATR beyond the entry is not a price`})` : `set ${STOP_ATR} ATR from the entry`;
    ledger.change('invalidation', stop, fixed, `${stopProblem}; ${how}`);
    d.invalidation = fixed;
  }

  const target = d.target;
  if (target === null) return;
  const risk = d.invalidation === null ? null : Math.abs(entry - d.invalidation);
  const rewardRisk = risk ? Math.abs(target - entry) / risk : null;
  const targetProblem = !positive(target)
    ? `a target of ${target} is not a price`
    : side * (target - entry) <= 0
      ? `a target must sit ${above} the entry for a ${d.action}`
      : rewardRisk !== null && rewardRisk > MAX_REWARD_RISK
        ? `a target ${r4(rewardRisk)} times the risk is more than the ${MAX_REWARD_RISK}:1 cap`
        : null;
  if (targetProblem !== null) {
    const placed = risk ? roundPrice(entry + side * DEFAULT_REWARD_RISK * risk) : null;
    const fixed = placed !== null && positive(placed) ? placed : null;
    const how = fixed === null ? `removed (${risk ? `${DEFAULT_REWARD_RISK}x the risk is not a price` : 'no stop to measure the risk by'})` : `set at ${DEFAULT_REWARD_RISK}x the risk`;
    ledger.change('target', target, fixed, `${targetProblem}; ${how}`);
    d.target = fixed;
  }
}

import {
  BREAK_ATR,
  type ChartPatternContext,
  type ChartPatternHit,
  clamp01,
  fitLine,
  FLAT_SLOPE_ATR,
  hit,
  type Line,
  lineAt,
  pointOf,
  priceUnitAt,
  TOUCH_ATR,
} from './chart-patterns-shared.ts';
import type { Pivot } from './pivots.ts';

// Flags and pennants: a sharp pole ending at a swing pivot, then a short, tight pause whose swing
// highs and lows each lie on a line: both lines sloping against the pole (flag) or converging
// (pennant). Confirmed when a close leaves the pause in the pole's direction.

/** The pole is measured over at most this many bars before its tip: a pole is a burst, not a trend. */
const POLE_MAX_BARS = 15;
/** The pole covers at least this many ATRs (the ATR before it, not one inflated by the pole's own bars): a move a few ordinary bars cannot make. */
const POLE_MIN_ATR = 4;
/** ...at an average of at least this many ATRs per bar, i.e. most of each bar's range is net progress: a near-vertical run, not a steady climb. */
const POLE_SPEED_ATR = 0.4;
/** From the pole's tip to the break at most this many bars (Bulkowski: flags and pennants last under ~3 weeks). */
const FLAG_MAX_BARS = 20;
/** The pause is at most half as tall as the pole: wider, it is a range of its own. */
const FLAG_MAX_HEIGHT_POLE = 0.5;
/** The pause gives back at most half the pole (textbook flags retrace 38-50%). */
const FLAG_MAX_RETRACE_POLE = 0.5;

interface Pole {
  tip: Pivot;
  /** +1 for a rising pole (bull flag), -1 for a falling one. */
  sign: 1 | -1;
  startIndex: number;
  startPrice: number;
  height: number;
}

/** The pole ending at `tip`: from the most extreme opposite price in the bars before it. */
function poleAt(ctx: ChartPatternContext, tip: Pivot): Pole | null {
  const sign = tip.type === 'high' ? 1 : -1;
  const from = Math.max(0, tip.index - POLE_MAX_BARS);
  let startIndex = -1;
  let startPrice = 0;
  for (let i = from; i < tip.index; i++) {
    const p = sign > 0 ? ctx.candles[i].low : ctx.candles[i].high;
    if (startIndex < 0 || sign * (p - startPrice) < 0) [startIndex, startPrice] = [i, p];
  }
  if (startIndex < 0) return null;
  // The tip must be the pole's extreme: no bar of the pole went beyond it.
  for (let i = startIndex; i < tip.index; i++) {
    const c = ctx.candles[i];
    if (sign * ((sign > 0 ? c.high : c.low) - tip.price) > 0) return null;
  }
  const height = sign * (tip.price - startPrice);
  const unit = priceUnitAt(ctx.candles, ctx.atr, startIndex);
  if (height < POLE_MIN_ATR * unit || height / (tip.index - startIndex) < POLE_SPEED_ATR * unit) return null;
  return { tip, sign, startIndex, startPrice, height };
}

/** The pause after the pole, from the tip through `pause` (the swings after it), as a flag or pennant hit. */
function pauseHit(ctx: ChartPatternContext, pole: Pole, pause: Pivot[], unit: number): ChartPatternHit | null {
  const { tip, sign } = pole;
  const pivots = [tip, ...pause];
  const outer = pivots.filter((p) => p.type === tip.type);
  const inner = pivots.filter((p) => p.type !== tip.type);
  if (outer.length < 2 || inner.length < 1) return null;
  const outerLine = fitLine(outer);
  const innerFit = inner.length >= 2 ? fitLine(inner) : null;
  // With one swing on the inner side, the flag's inner line runs parallel to the outer one through it.
  const innerLine: Line = innerFit ?? { slope: outerLine.slope, intercept: inner[0].price - outerLine.slope * inner[0].index };
  const tol = TOUCH_ATR * unit;
  if (outerLine.maxAbsResidual > tol || (innerFit && innerFit.maxAbsResidual > tol)) return null;
  const upper = sign > 0 ? outerLine : innerLine;
  const lower = sign > 0 ? innerLine : outerLine;
  const last = pivots[pivots.length - 1];
  const ws = lineAt(upper, tip.index) - lineAt(lower, tip.index);
  const we = lineAt(upper, last.index) - lineAt(lower, last.index);
  if (ws <= 0 || we <= 0 || Math.max(ws, we) > FLAG_MAX_HEIGHT_POLE * pole.height) return null;
  const up = upper.slope / unit;
  const lo = lower.slope / unit;
  // Flag: both lines slope against the pole. Pennant: highs fall and lows rise (needs two inner swings).
  let code: 'bull_flag' | 'bear_flag' | 'pennant' | null = null;
  if (sign * up <= -FLAT_SLOPE_ATR && sign * lo <= -FLAT_SLOPE_ATR) code = sign > 0 ? 'bull_flag' : 'bear_flag';
  else if (innerFit && up <= -FLAT_SLOPE_ATR && lo >= FLAT_SLOPE_ATR) code = 'pennant';
  if (!code) return null;
  const giveBack = tip.price - sign * FLAG_MAX_RETRACE_POLE * pole.height;
  const expiry = Math.min(ctx.t, tip.index + FLAG_MAX_BARS);
  // Inside the pause no close breaks a line (that would have ended the pause there) or gives back too much.
  const out = BREAK_ATR * unit;
  for (let i = tip.index + 1; i <= last.index; i++) {
    const c = ctx.candles[i].close;
    if (c > lineAt(upper, i) + out || c < lineAt(lower, i) - out || sign * (c - giveBack) < 0) return null;
  }
  let broke = -1;
  for (let i = last.index + 1; i <= expiry && broke < 0; i++) {
    const c = ctx.candles[i].close;
    const withPole = sign > 0 ? c > lineAt(upper, i) + BREAK_ATR * unit : c < lineAt(lower, i) - BREAK_ATR * unit;
    const against = sign > 0 ? c < lineAt(lower, i) - BREAK_ATR * unit : c > lineAt(upper, i) + BREAK_ATR * unit;
    // Leaving against the pole, or giving back more than half of it, fails the pattern.
    if (against || sign * (c - giveBack) < 0) return null;
    if (withPole) broke = i;
  }
  // A pause that outlasts a flag's life without breaking is no longer a flag.
  if (broke < 0 && ctx.t > tip.index + FLAG_MAX_BARS) return null;
  const confirmed = broke >= 0;
  const end = confirmed ? broke : ctx.t;
  const fit = 1 - (outerLine.meanAbsResidual + (innerFit?.meanAbsResidual ?? 0)) / (2 * tol);
  const poleUnit = priceUnitAt(ctx.candles, ctx.atr, pole.startIndex);
  const strength = Math.min(1, pole.height / (2 * POLE_MIN_ATR * poleUnit));
  return hit(
    ctx,
    code,
    sign > 0 ? 'bullish' : 'bearish',
    pole.startIndex,
    end,
    0.4 * strength + 0.3 * clamp01(fit) + (confirmed ? 0.3 : 0),
    confirmed ? 'confirmed' : 'forming',
    [
      { index: pole.startIndex, price: pole.startPrice, role: 'pole_start' },
      pointOf(tip, 'pole_tip'),
      ...pause.map((p) => pointOf(p, p.type === 'high' ? 'upper' : 'lower')),
    ],
    sign > 0 ? lineAt(upper, end) : lineAt(lower, end),
    confirmed ? Math.max(broke, last.knownAt) : last.knownAt,
  );
}

/** Bull and bear flags and pennants whose pole tip is recent enough to still matter at t. */
export function flagPatterns(ctx: ChartPatternContext, seq: Pivot[], unit: number): ChartPatternHit[] {
  const out: ChartPatternHit[] = [];
  // Tips up to two flag lives back: a confirmed flag stays a current fact for a while after its break.
  for (let k = seq.length - 1; k >= 0 && seq[k].index >= ctx.t - 2 * FLAG_MAX_BARS; k--) {
    const pole = poleAt(ctx, seq[k]);
    if (!pole) continue;
    const pause = seq.slice(k + 1).filter((p) => p.index <= seq[k].index + FLAG_MAX_BARS);
    // The most swings that still make a pause wins; later swings may belong to the move after the break.
    for (let m = pause.length; m >= 2; m--) {
      const h = pauseHit(ctx, pole, pause.slice(0, m), unit);
      if (h) {
        out.push(h);
        break;
      }
    }
  }
  return out;
}

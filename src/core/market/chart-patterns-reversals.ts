import type { Candle } from './candles.ts';
import {
  BREAK_ATR,
  type ChartPatternContext,
  type ChartPatternHit,
  clamp01,
  EQUAL_PEAKS_ATR,
  firstCloseBeyond,
  hit,
  MIN_DEPTH_ATR,
  MIN_SEPARATION_BARS,
  pointOf,
} from './chart-patterns-shared.ts';
import type { Pivot } from './pivots.ts';

// Triple tops and bottoms, cup and handle, rounding tops and bottoms.

/** The extreme of a bowl lies in the middle half of its span: off-centre it is a slope with a hook. */
const ARC_EXTREME_FROM = 0.25;
/**
 * No bounce on the way down (or dip on the way up) bigger than a third of the shallower side: a
 * bigger one makes a second trough, a W (double bottom) rather than one rounded bowl.
 */
const ARC_MAX_COUNTER_MOVE = 1 / 3;
/** A U-shaped cup spans at least this many bars: shorter, it is a V or a double bottom. */
const CUP_MIN_BARS = 20;
/** ...and at most this many (a bounded look-back; O'Neil's longest cups are over a year of dailies). */
const CUP_MAX_BARS = 120;
/** The cup is at least this many ATRs deep below its lower rim: shallower, it is a pause, not a base. */
const CUP_MIN_DEPTH_ATR = 3;
/** Rims within a fifth of the cup's depth are "roughly equal"; a right rim further off is a recovery still under way. */
const RIM_TOLERANCE_DEPTH = 0.2;
/** The handle dips at least an ATR below the right rim: less is bar noise, not a pullback. */
const HANDLE_MIN_ATR = 1;
/** ...and stays in the upper half of the cup (O'Neil). */
const HANDLE_MAX_DEPTH = 0.5;
/** ...and lasts at most half as long as the cup: longer, it is a second base. */
const HANDLE_MAX_CUP = 0.5;
/** Right rims are looked for this far back (a handle's longest life); left rims a cup's width before that. */
const RIGHT_RIM_BARS = CUP_MAX_BARS * HANDLE_MAX_CUP;
export const CUP_LOOKBACK_BARS = RIGHT_RIM_BARS + CUP_MAX_BARS;
/** A rounding arc spans at least this many bars: it needs many bars to be smooth rather than a V. */
const ROUNDING_MIN_BARS = 30;
/** ...and at most this many (the bounded look-back). */
const ROUNDING_MAX_BARS = 120;
/** The parabola explains at least 80% of the closes' variance: a smooth arc, not a zigzag. */
const ROUNDING_MIN_R2 = 0.8;
/** Each side of the arc spans at least this many ATRs: a flatter arc is a sideways drift. */
const ROUNDING_MIN_DEPTH_ATR = 3;
/** The shorter side is at least half the longer: the arc has come back, not just turned. */
const ROUNDING_MIN_SIDE_RATIO = 0.5;

/** Three comparable peaks (troughs) with two reactions between, all from consecutive swings. */
export function tripleTops(ctx: ChartPatternContext, seq: Pivot[], unit: number): ChartPatternHit[] {
  const out: ChartPatternHit[] = [];
  for (let k = 0; k + 4 < seq.length; k++) {
    const [a, r1, b, r2, c] = seq.slice(k, k + 5);
    if (b.index - a.index < MIN_SEPARATION_BARS || c.index - b.index < MIN_SEPARATION_BARS) continue;
    const top = a.type === 'high';
    const sign = top ? 1 : -1;
    const peaks = [a.price, b.price, c.price];
    // The spread two "equal" tops may have, for all three.
    const spread = Math.max(...peaks) - Math.min(...peaks);
    const innerPeak = top ? Math.min(...peaks) : Math.max(...peaks);
    const depth = Math.min(sign * (innerPeak - r1.price), sign * (innerPeak - r2.price));
    if (spread > EQUAL_PEAKS_ATR * unit || depth < MIN_DEPTH_ATR * unit) continue;
    // A close clearly beyond the peaks after the third one means the shape failed.
    const extreme = top ? Math.max(...peaks) : Math.min(...peaks);
    if (firstCloseBeyond(ctx.candles, c.index, ctx.t, () => extreme + sign * EQUAL_PEAKS_ATR * unit, sign) >= 0) continue;
    // The neckline is the deeper reaction: closing through it breaks the whole base.
    const neck = top ? Math.min(r1.price, r2.price) : Math.max(r1.price, r2.price);
    const broke = firstCloseBeyond(ctx.candles, c.index, ctx.t, () => neck, top ? -1 : 1);
    const quality = 0.4 * (1 - spread / (EQUAL_PEAKS_ATR * unit)) + 0.3 * Math.min(1, depth / (3 * unit)) + (broke >= 0 ? 0.3 : 0);
    const role = top ? 'top' : 'bottom';
    out.push(
      hit(
        ctx,
        top ? 'triple_top' : 'triple_bottom',
        top ? 'bearish' : 'bullish',
        a.index,
        broke >= 0 ? broke : c.index,
        quality,
        broke >= 0 ? 'confirmed' : 'forming',
        [pointOf(a, `${role}1`), pointOf(r1, 'reaction1'), pointOf(b, `${role}2`), pointOf(r2, 'reaction2'), pointOf(c, `${role}3`)],
        neck,
        broke >= 0 ? Math.max(broke, c.knownAt) : c.knownAt,
      ),
    );
  }
  return out;
}

/** Writes the three basis functions at x into f. */
type Basis = (x: number, f: Float64Array) => void;

/**
 * Least squares of the closes over [from, to] on three basis functions of x = 0..1 across the span:
 * the coefficients and the residual sum of squares. Closes are taken relative to the first one so
 * the sums stay small.
 */
function fit3(candles: readonly Candle[], from: number, to: number, basis: Basis): { coef: [number, number, number]; sse: number } {
  const m = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const v = [0, 0, 0];
  const f = new Float64Array(3);
  const y0 = candles[from].close;
  for (let i = from; i <= to; i++) {
    basis((i - from) / (to - from), f);
    const y = candles[i].close - y0;
    for (let r = 0; r < 3; r++) {
      v[r] += f[r] * y;
      for (let c = 0; c < 3; c++) m[3 * r + c] += f[r] * f[c];
    }
  }
  const det3 = (q: number[]): number =>
    q[0] * (q[4] * q[8] - q[5] * q[7]) - q[1] * (q[3] * q[8] - q[5] * q[6]) + q[2] * (q[3] * q[7] - q[4] * q[6]);
  const d = det3(m);
  if (Math.abs(d) < 1e-12) return { coef: [0, 0, 0], sse: Number.POSITIVE_INFINITY };
  // Cramer's rule: replace column c by the right-hand side.
  const solve = (c: number): number => det3(m.map((x, k) => (k % 3 === c ? v[Math.floor(k / 3)] : x))) / d;
  const coef: [number, number, number] = [solve(0), solve(1), solve(2)];
  let sse = 0;
  for (let i = from; i <= to; i++) {
    basis((i - from) / (to - from), f);
    sse += (candles[i].close - y0 - (coef[0] * f[0] + coef[1] * f[1] + coef[2] * f[2])) ** 2;
  }
  return { coef, sse };
}

interface Bowl {
  /** Bar of the extreme close. */
  extreme: number;
  /** Heights of the left and right sides above (below, for a top) the extreme close. */
  left: number;
  right: number;
  /** Share of the closes' variance the parabola explains. */
  r2: number;
  /** The parabola's residuals over those of a V pointed at the extreme (below 1: rounder than a V). */
  vRatio: number;
}

/**
 * The closes over [from, to] as a bowl (sign 1: U, sign -1: upside-down U), or null when the
 * extreme (or the fitted arc's vertex) is off-centre, or a V with its point at the extreme close
 * fits them better than an arc, or a counter-move splits the bowl into two troughs, or `accept`
 * rejects the two sides' heights (checked before the fits, which cost the most).
 * The V (two straight legs joined at the extreme) has as many parameters as the parabola, so noise
 * favours neither: only the shape near the extreme decides.
 */
function bowl(candles: readonly Candle[], from: number, to: number, sign: 1 | -1, accept: (left: number, right: number) => boolean): Bowl | null {
  let extreme = from;
  for (let i = from; i <= to; i++) if (sign * (candles[i].close - candles[extreme].close) < 0) extreme = i;
  const pos = (extreme - from) / (to - from);
  if (pos < ARC_EXTREME_FROM || pos > 1 - ARC_EXTREME_FROM) return null;
  // In y = sign * close every bowl is a U. Its sides' heights, and the largest move against each
  // side's way (a bounce on the way down, a dip on the way up). These cheap tests go first.
  const y = (i: number): number => sign * candles[i].close;
  const base = y(extreme);
  let left = 0;
  let right = 0;
  let counter = 0;
  let runMin = y(from);
  for (let i = from; i <= extreme; i++) {
    left = Math.max(left, y(i) - base);
    runMin = Math.min(runMin, y(i));
    counter = Math.max(counter, y(i) - runMin);
  }
  let runMax = base;
  for (let i = extreme; i <= to; i++) {
    right = Math.max(right, y(i) - base);
    runMax = Math.max(runMax, y(i));
    counter = Math.max(counter, runMax - y(i));
  }
  if (counter > ARC_MAX_COUNTER_MOVE * Math.min(left, right) || !accept(left, right)) return null;
  const arc = fit3(candles, from, to, (x, f) => {
    f[0] = x * x;
    f[1] = x;
    f[2] = 1;
  });
  const v = fit3(candles, from, to, (x, f) => {
    f[0] = 1;
    f[1] = Math.min(x - pos, 0);
    f[2] = Math.max(x - pos, 0);
  });
  if (!(arc.sse < v.sse) || sign * arc.coef[0] <= 0) return null;
  // The arc's own turning point is inside the middle half too, not just the single extreme close.
  const vertex = -arc.coef[1] / (2 * arc.coef[0]);
  if (vertex < ARC_EXTREME_FROM || vertex > 1 - ARC_EXTREME_FROM) return null;
  let mean = 0;
  for (let i = from; i <= to; i++) mean += candles[i].close / (to - from + 1);
  let sst = 0;
  for (let i = from; i <= to; i++) sst += (candles[i].close - mean) ** 2;
  return { extreme, left, right, r2: sst > 0 ? 1 - arc.sse / sst : 0, vRatio: arc.sse / v.sse };
}

/**
 * Rounding bottoms and tops: the closes from a swing high (for a bottom; a swing low for a top) to t
 * follow a smooth, centred, rounded arc that has come back at least half way. The left rim is a
 * pivot, so the arc stays visible bar after bar while it completes, not only at one window length.
 */
export function roundingPatterns(ctx: ChartPatternContext, seq: Pivot[], unit: number): ChartPatternHit[] {
  const out: ChartPatternHit[] = [];
  for (const sign of [1, -1] as const) {
    let best: ChartPatternHit | null = null;
    for (const rimPivot of seq) {
      const from = rimPivot.index;
      const bars = ctx.t - from + 1;
      if (rimPivot.type !== (sign > 0 ? 'high' : 'low') || bars > ROUNDING_MAX_BARS || bars < ROUNDING_MIN_BARS) continue;
      const sides = (left: number, right: number): boolean =>
        Math.min(left, right) >= ROUNDING_MIN_DEPTH_ATR * unit && Math.min(left, right) >= ROUNDING_MIN_SIDE_RATIO * Math.max(left, right);
      const b = bowl(ctx.candles, from, ctx.t, sign, sides);
      if (!b || b.r2 < ROUNDING_MIN_R2) continue;
      const base = ctx.candles[b.extreme].close;
      const close = ctx.candles[ctx.t].close;
      // Confirmed once price closes back beyond the swing the arc began at.
      const confirmed = sign * (close - rimPivot.price) > BREAK_ATR * unit;
      best = hit(
        ctx,
        sign > 0 ? 'rounding_bottom' : 'rounding_top',
        sign > 0 ? 'bullish' : 'bearish',
        from,
        ctx.t,
        0.4 * clamp01((b.r2 - ROUNDING_MIN_R2) / (1 - ROUNDING_MIN_R2)) + 0.3 * clamp01(1 - b.vRatio) + (confirmed ? 0.3 : 0),
        confirmed ? 'confirmed' : 'forming',
        [pointOf(rimPivot, 'left_rim'), { index: b.extreme, price: base, role: sign > 0 ? 'bottom' : 'top' }, { index: ctx.t, price: close, role: 'right_side' }],
        rimPivot.price,
        ctx.t,
      );
      // seq runs oldest first: the first arc that fits is the widest.
      break;
    }
    if (best) out.push(best);
  }
  return out;
}

/** A cup (U-shaped base between two roughly equal swing-high rims) and a shallow handle after it. */
export function cupAndHandle(ctx: ChartPatternContext, seq: Pivot[], unit: number): ChartPatternHit[] {
  const out: ChartPatternHit[] = [];
  for (let kc = seq.length - 2; kc >= 2; kc--) {
    const rimR = seq[kc];
    if (rimR.index < ctx.t - RIGHT_RIM_BARS) break;
    if (rimR.type !== 'high') continue;
    const handle = seq[kc + 1];
    let best: ChartPatternHit | null = null;
    for (let ka = kc - 2; ka >= 0; ka -= 2) {
      const rimL = seq[ka];
      const width = rimR.index - rimL.index;
      if (width > CUP_MAX_BARS) break;
      if (width < CUP_MIN_BARS) continue;
      const h = cupHit(ctx, rimL, rimR, handle, unit);
      if (h) best = h;
    }
    if (best) out.push(best);
  }
  return out;
}

function cupHit(ctx: ChartPatternContext, rimL: Pivot, rimR: Pivot, handle: Pivot, unit: number): ChartPatternHit | null {
  const { candles } = ctx;
  let bottom = rimL.index;
  for (let i = rimL.index + 1; i < rimR.index; i++) {
    // The rims are the cup's highs: nothing inside trades above them.
    if (candles[i].high > Math.max(rimL.price, rimR.price)) return null;
    if (candles[i].low < candles[bottom].low) bottom = i;
  }
  const low = candles[bottom].low;
  const depth = Math.min(rimL.price, rimR.price) - low;
  const rimDiff = Math.abs(rimL.price - rimR.price);
  if (depth < CUP_MIN_DEPTH_ATR * unit || rimDiff > RIM_TOLERANCE_DEPTH * depth) return null;
  const u = bowl(candles, rimL.index, rimR.index, 1, () => true);
  if (!u) return null;
  // The handle: a pullback after the right rim, in the upper half of the cup, shorter than half of it.
  const floor = low + (1 - HANDLE_MAX_DEPTH) * depth;
  const maxEnd = rimR.index + Math.floor(HANDLE_MAX_CUP * (rimR.index - rimL.index));
  let handleLow = Number.POSITIVE_INFINITY;
  let broke = -1;
  for (let i = rimR.index + 1; i <= Math.min(ctx.t, maxEnd) && broke < 0; i++) {
    if (candles[i].close > rimR.price + BREAK_ATR * unit) {
      // Through the rim before any pullback formed: no handle.
      if (i <= handle.index) return null;
      broke = i;
    } else {
      handleLow = Math.min(handleLow, candles[i].low);
      if (candles[i].low < floor) return null;
    }
  }
  if (broke < 0 && ctx.t > maxEnd) return null;
  const handleDepth = rimR.price - handleLow;
  if (handleDepth < HANDLE_MIN_ATR * unit) return null;
  const confirmed = broke >= 0;
  return hit(
    ctx,
    'cup_and_handle',
    'bullish',
    rimL.index,
    confirmed ? broke : ctx.t,
    0.3 * (1 - rimDiff / (RIM_TOLERANCE_DEPTH * depth)) + 0.2 * clamp01(1 - u.vRatio) + 0.2 * (1 - handleDepth / (HANDLE_MAX_DEPTH * depth)) + (confirmed ? 0.3 : 0),
    confirmed ? 'confirmed' : 'forming',
    [pointOf(rimL, 'left_rim'), { index: bottom, price: low, role: 'bottom' }, pointOf(rimR, 'right_rim'), pointOf(handle, 'handle')],
    rimR.price,
    confirmed ? Math.max(broke, handle.knownAt) : handle.knownAt,
  );
}

import type { Direction } from './candlestick-patterns.ts';
import {
  BREAK_ATR,
  type ChartPatternContext,
  type ChartPatternHit,
  type ChartPatternType,
  clamp01,
  EQUAL_PEAKS_ATR,
  fitLine,
  FLAT_SLOPE_ATR,
  hit,
  type Line,
  lineAt,
  pointOf,
  TOUCH_ATR,
} from './chart-patterns-shared.ts';
import type { Pivot } from './pivots.ts';

// Wedges, channels and rectangles: runs of alternating swing pivots whose highs and lows each lie
// on one line. The run ends at one of the last few pivots (so a pattern that broke out a swing or
// two ago is still reported, as confirmed) and starts as far back as the lines keep fitting.

/** Ends tried: the last pivot and a few before it, so a break followed by new swings is still seen. */
const ENDS_TRIED = 4;
/** Three touches on one line and two on the other: two points always make a line, the third tests it. */
const MIN_SLOPED_PIVOTS = 5;
/** Two touches each of support and resistance. */
const MIN_RANGE_PIVOTS = 4;
/** ...visited in turn: two touches on each side, alternating, cross the range three times. */
const MIN_RANGE_CROSSINGS = 3;
/** Trendline patterns need a few weeks of daily bars (Bulkowski's shortest wedges run ~3 weeks); shorter ones are flags. */
const MIN_FORMATION_BARS = 15;
/** The lines must stand this many ATRs apart somewhere: a narrower "channel" is bar noise between swings. */
const MIN_HEIGHT_ATR = 2;
/** Parallel: the gap between the lines changes by at most a quarter from the first swing to the last; more is visible convergence or spread. */
const PARALLEL_WIDTH_CHANGE = 0.25;
/** Converging: the gap at the last swing is at most 65% of the first, a squeeze towards an apex; in between is neither shape. */
const CONVERGED_WIDTH_RATIO = 0.65;

interface Candidate {
  code: ChartPatternType;
  pivots: Pivot[];
  upper: Line;
  lower: Line;
  /** 0..1 how closely the swings sit on their lines. */
  fit: number;
}

/** Every close over the span sits within the lines, give or take `tol`. */
function contained(ctx: ChartPatternContext, from: number, to: number, upper: Line, lower: Line, tol: number): boolean {
  for (let i = from; i <= to; i++) {
    const c = ctx.candles[i].close;
    if (c > lineAt(upper, i) + tol || c < lineAt(lower, i) - tol) return false;
  }
  return true;
}

/** Both lines sloped the same way: a wedge if they converge, a channel if parallel. */
function sloped(ctx: ChartPatternContext, pivots: Pivot[], unit: number): Candidate | null {
  const highs = pivots.filter((p) => p.type === 'high');
  const lows = pivots.filter((p) => p.type === 'low');
  if (highs.length < 2 || lows.length < 2) return null;
  const upper = fitLine(highs);
  const lower = fitLine(lows);
  const tol = TOUCH_ATR * unit;
  if (upper.maxAbsResidual > tol || lower.maxAbsResidual > tol) return null;
  const first = pivots[0].index;
  const last = pivots[pivots.length - 1].index;
  const ws = lineAt(upper, first) - lineAt(lower, first);
  const we = lineAt(upper, last) - lineAt(lower, last);
  if (ws <= 0 || we <= 0 || Math.max(ws, we) < MIN_HEIGHT_ATR * unit) return null;
  const up = upper.slope / unit;
  const lo = lower.slope / unit;
  const rising = up >= FLAT_SLOPE_ATR && lo >= FLAT_SLOPE_ATR;
  const falling = up <= -FLAT_SLOPE_ATR && lo <= -FLAT_SLOPE_ATR;
  if (!rising && !falling) return null;
  let code: ChartPatternType | null = null;
  if (we <= CONVERGED_WIDTH_RATIO * ws) code = rising ? 'rising_wedge' : 'falling_wedge';
  else if (Math.abs(we - ws) <= PARALLEL_WIDTH_CHANGE * Math.max(ws, we)) code = rising ? 'ascending_channel' : 'descending_channel';
  // A close a break's worth outside the lines inside the run would have ended the pattern there.
  if (!code || !contained(ctx, first, last, upper, lower, BREAK_ATR * unit)) return null;
  return { code, pivots, upper, lower, fit: 1 - (upper.meanAbsResidual + lower.meanAbsResidual) / (2 * tol) };
}

/** Flat support and resistance, each touched twice or more, with every close in between. */
function range(ctx: ChartPatternContext, pivots: Pivot[], unit: number): Candidate | null {
  let top = Number.NEGATIVE_INFINITY;
  let bottom = Number.POSITIVE_INFINITY;
  for (const p of pivots) {
    if (p.type === 'high') top = Math.max(top, p.price);
    else bottom = Math.min(bottom, p.price);
  }
  const band = EQUAL_PEAKS_ATR * unit;
  const highs = pivots.filter((p) => p.type === 'high' && p.price >= top - band);
  const lows = pivots.filter((p) => p.type === 'low' && p.price <= bottom + band);
  // The range starts at its first touch; a run opening on a swing that touches neither line is a longer run's job.
  const opensOnTouch = highs[0] === pivots[0] || lows[0] === pivots[0];
  if (highs.length < 2 || lows.length < 2 || !opensOnTouch || top - bottom < MIN_HEIGHT_ATR * unit) return null;
  // Price must cross the range between touches at least three times (e.g. support, resistance,
  // support, resistance): a run that touches the bottom twice and then the top twice is a trend leg.
  const touches = [...highs, ...lows].sort((a, b) => a.index - b.index);
  let crossings = 0;
  for (let k = 1; k < touches.length; k++) if (touches[k].type !== touches[k - 1].type) crossings++;
  if (crossings < MIN_RANGE_CROSSINGS) return null;
  const resistance = highs.reduce((s, p) => s + p.price, 0) / highs.length;
  const support = lows.reduce((s, p) => s + p.price, 0) / lows.length;
  const upper = { slope: 0, intercept: resistance };
  const lower = { slope: 0, intercept: support };
  // The band already allows the touches' spread; a close beyond the extreme swing by a break's worth is a break.
  if (!contained(ctx, pivots[0].index, pivots[pivots.length - 1].index, { slope: 0, intercept: top }, { slope: 0, intercept: bottom }, BREAK_ATR * unit)) {
    return null;
  }
  const spread = (Math.max(...highs.map((p) => p.price)) - Math.min(...highs.map((p) => p.price)) + (Math.max(...lows.map((p) => p.price)) - Math.min(...lows.map((p) => p.price)))) / 2;
  return { code: 'rectangle', pivots: touches, upper, lower, fit: 1 - spread / band };
}

/** The candidate as a hit at t: confirmed by the first close through a line after its last swing. */
function toHit(ctx: ChartPatternContext, c: Candidate, unit: number, run: Pivot[]): ChartPatternHit | null {
  const first = c.pivots[0].index;
  const lastPivot = run[run.length - 1];
  // For a rectangle the lines are the touch levels; a break must clear the extreme swing, like the containment test.
  const rect = c.code === 'rectangle';
  const top = rect ? Math.max(...c.pivots.filter((p) => p.type === 'high').map((p) => p.price)) : 0;
  const bottom = rect ? Math.min(...c.pivots.filter((p) => p.type === 'low').map((p) => p.price)) : 0;
  const upAt = (i: number): number => (rect ? top : lineAt(c.upper, i)) + BREAK_ATR * unit;
  const downAt = (i: number): number => (rect ? bottom : lineAt(c.lower, i)) - BREAK_ATR * unit;
  let broke = -1;
  let sign: 1 | -1 = 1;
  for (let i = lastPivot.index + 1; i <= ctx.t && broke < 0; i++) {
    const close = ctx.candles[i].close;
    if (close > upAt(i)) broke = i;
    else if (close < downAt(i)) [broke, sign] = [i, -1];
  }
  const wedge = c.code === 'rising_wedge' || c.code === 'falling_wedge';
  if (wedge) {
    // A wedge resolves against its slope; leaving it the other way is a failed pattern, not a signal.
    if (broke >= 0 && sign === (c.code === 'rising_wedge' ? 1 : -1)) return null;
    // Past the apex without a break the lines no longer describe anything.
    if (broke < 0 && lineAt(c.upper, ctx.t) <= lineAt(c.lower, ctx.t)) return null;
  }
  const confirmed = broke >= 0;
  let direction: Direction = 'neutral';
  if (c.code === 'rising_wedge') direction = 'bearish';
  else if (c.code === 'falling_wedge') direction = 'bullish';
  else if (confirmed) direction = sign > 0 ? 'bullish' : 'bearish';
  const end = confirmed ? broke : ctx.t;
  // The line whose break matters: the wedge's exit side, the broken side, else the one a trend would lose.
  let useUpper: boolean;
  if (confirmed) useUpper = sign > 0;
  else if (c.code === 'rising_wedge' || c.code === 'ascending_channel') useUpper = false;
  else useUpper = true;
  const trigger = useUpper ? lineAt(c.upper, end) : lineAt(c.lower, end);
  const touches = Math.min(1, (c.pivots.length - 4) / 4);
  return hit(
    ctx,
    c.code,
    direction,
    first,
    end,
    0.5 * clamp01(c.fit) + 0.3 * touches + (confirmed ? 0.2 : 0),
    confirmed ? 'confirmed' : 'forming',
    c.pivots.map((p) => pointOf(p, p.type === 'high' ? 'upper' : 'lower')),
    trigger,
    confirmed ? Math.max(broke, lastPivot.knownAt) : lastPivot.knownAt,
  );
}

/**
 * Rising and falling wedges, ascending and descending channels, rectangles at bar t. One hit per
 * code: the longest run that fits, ending at the most recent pivot that gives one.
 */
export function trendlinePatterns(ctx: ChartPatternContext, seq: Pivot[], unit: number): ChartPatternHit[] {
  const found = new Map<ChartPatternType, ChartPatternHit>();
  for (let e = seq.length - 1; e >= Math.max(0, seq.length - ENDS_TRIED); e--) {
    const longest = new Map<ChartPatternType, { c: Candidate; run: Pivot[] }>();
    for (let s = e - MIN_RANGE_PIVOTS + 1; s >= 0; s--) {
      const run = seq.slice(s, e + 1);
      if (seq[e].index - seq[s].index < MIN_FORMATION_BARS) continue;
      const r = range(ctx, run, unit);
      if (r) longest.set(r.code, { c: r, run });
      const c = run.length >= MIN_SLOPED_PIVOTS ? sloped(ctx, run, unit) : null;
      if (c) longest.set(c.code, { c, run });
    }
    for (const [code, { c, run }] of longest) {
      if (found.has(code)) continue;
      const h = toHit(ctx, c, unit, run);
      if (h) found.set(code, h);
    }
  }
  return [...found.values()];
}

import type { Direction } from './candlestick-patterns.ts';
import {
  alternatingPivots,
  BREAK_ATR,
  type ChartPatternContext,
  type ChartPatternHit,
  type ChartPatternType,
  EQUAL_PEAKS_ATR,
  firstCloseBeyond,
  fitLine,
  FLAT_SLOPE_ATR,
  hit,
  knownPivots,
  MIN_DEPTH_ATR,
  MIN_SEPARATION_BARS,
  priceUnitAt,
} from './chart-patterns-shared.ts';
import { flagPatterns } from './chart-patterns-flags.ts';
import { CUP_LOOKBACK_BARS, cupAndHandle, roundingPatterns, tripleTops } from './chart-patterns-reversals.ts';
import { trendlinePatterns } from './chart-patterns-trendlines.ts';
import { computeLevels, DEFAULT_LEVEL_OPTIONS, type Level, nearestLevelsFinder } from './levels.ts';
import type { Pivot } from './pivots.ts';

export { CHART_PATTERN_LABELS, priceUnitAt } from './chart-patterns-shared.ts';
export type { ChartPatternContext, ChartPatternHit, ChartPatternType } from './chart-patterns-shared.ts';

const LOOKBACK_BARS = 120;
const TRIANGLE_BARS = 60;
const BREAKOUT_RECENT_BARS = 5;
const VOLUME_CONFIRM_RATIO = 1.5;

function doubleTops(ctx: ChartPatternContext, seq: Pivot[], unit: number): ChartPatternHit[] {
  const out: ChartPatternHit[] = [];
  for (let k = 0; k + 2 < seq.length; k++) {
    const [a, mid, b] = [seq[k], seq[k + 1], seq[k + 2]];
    if (a.type !== b.type || b.index - a.index < MIN_SEPARATION_BARS) continue;
    const top = a.type === 'high';
    const sign = top ? 1 : -1;
    const diff = Math.abs(a.price - b.price);
    const lowerPeak = top ? Math.min(a.price, b.price) : Math.max(a.price, b.price);
    const depth = sign * (lowerPeak - mid.price);
    if (diff > EQUAL_PEAKS_ATR * unit || depth < MIN_DEPTH_ATR * unit) continue;
    // A close beyond the peaks after the second one means the shape failed.
    const extreme = top ? Math.max(a.price, b.price) : Math.min(a.price, b.price);
    if (firstCloseBeyond(ctx.candles, b.index, ctx.t, () => extreme + sign * EQUAL_PEAKS_ATR * unit, sign) >= 0) continue;
    const broke = firstCloseBeyond(ctx.candles, b.index, ctx.t, () => mid.price, top ? -1 : 1);
    const quality = 0.4 * (1 - diff / (EQUAL_PEAKS_ATR * unit)) + 0.3 * Math.min(1, depth / (3 * unit)) + (broke >= 0 ? 0.3 : 0);
    const role = top ? 'top' : 'bottom';
    out.push(
      hit(
        ctx,
        top ? 'double_top' : 'double_bottom',
        top ? 'bearish' : 'bullish',
        a.index,
        broke >= 0 ? broke : b.index,
        quality,
        broke >= 0 ? 'confirmed' : 'forming',
        [
          { index: a.index, price: a.price, role: `${role}1` },
          { index: mid.index, price: mid.price, role: 'neckline' },
          { index: b.index, price: b.price, role: `${role}2` },
        ],
        mid.price,
        broke >= 0 ? broke : b.knownAt,
      ),
    );
  }
  return out;
}

function headAndShoulders(ctx: ChartPatternContext, seq: Pivot[], unit: number): ChartPatternHit[] {
  const out: ChartPatternHit[] = [];
  for (let k = 0; k + 4 < seq.length; k++) {
    const [l, n1, h, n2, r] = seq.slice(k, k + 5);
    const top = h.type === 'high';
    const sign = top ? 1 : -1;
    const shoulderDiff = Math.abs(l.price - r.price);
    const headLift = sign * (h.price - (top ? Math.max(l.price, r.price) : Math.min(l.price, r.price)));
    if (shoulderDiff > 2 * EQUAL_PEAKS_ATR * unit || headLift < 0.5 * unit) continue;
    // The shoulders must stand clear of the neckline, or the "shoulders" are just noise.
    const innerShoulder = top ? Math.min(l.price, r.price) : Math.max(l.price, r.price);
    const outerNeck = top ? Math.max(n1.price, n2.price) : Math.min(n1.price, n2.price);
    if (sign * (innerShoulder - outerNeck) < unit) continue;
    const slope = (n2.price - n1.price) / (n2.index - n1.index);
    const neckline = (i: number): number => n1.price + slope * (i - n1.index);
    if (firstCloseBeyond(ctx.candles, r.index, ctx.t, () => h.price, sign) >= 0) continue;
    const broke = firstCloseBeyond(ctx.candles, r.index, ctx.t, neckline, top ? -1 : 1);
    const quality =
      0.35 * (1 - shoulderDiff / (2 * EQUAL_PEAKS_ATR * unit)) + 0.35 * Math.min(1, headLift / (2 * unit)) + (broke >= 0 ? 0.3 : 0);
    out.push(
      hit(
        ctx,
        top ? 'head_and_shoulders' : 'inverse_head_and_shoulders',
        top ? 'bearish' : 'bullish',
        l.index,
        broke >= 0 ? broke : r.index,
        quality,
        broke >= 0 ? 'confirmed' : 'forming',
        [
          { index: l.index, price: l.price, role: 'left_shoulder' },
          { index: n1.index, price: n1.price, role: 'neckline1' },
          { index: h.index, price: h.price, role: 'head' },
          { index: n2.index, price: n2.price, role: 'neckline2' },
          { index: r.index, price: r.price, role: 'right_shoulder' },
        ],
        neckline(ctx.t),
        broke >= 0 ? broke : r.knownAt,
      ),
    );
  }
  return out;
}

function triangle(ctx: ChartPatternContext, unit: number): ChartPatternHit[] {
  const from = Math.max(0, ctx.t - TRIANGLE_BARS);
  const known = knownPivots(ctx.pivots, ctx.t, from);
  const highs = known.filter((p) => p.type === 'high');
  const lows = known.filter((p) => p.type === 'low');
  if (highs.length < 2 || lows.length < 2 || highs.length + lows.length < 5) return [];
  const upper = fitLine(highs);
  const lower = fitLine(lows);
  const up = upper.slope / unit;
  const lo = lower.slope / unit;
  const flat = (s: number): boolean => Math.abs(s) < FLAT_SLOPE_ATR;
  let code: ChartPatternType | null = null;
  if (flat(up) && lo >= FLAT_SLOPE_ATR) code = 'ascending_triangle';
  else if (flat(lo) && up <= -FLAT_SLOPE_ATR) code = 'descending_triangle';
  else if (up <= -FLAT_SLOPE_ATR && lo >= FLAT_SLOPE_ATR) code = 'symmetrical_triangle';
  if (!code) return [];
  const start = Math.min(highs[0].index, lows[0].index);
  const width = (i: number): number => upper.intercept + upper.slope * i - (lower.intercept + lower.slope * i);
  if (width(ctx.t) <= 0 || width(ctx.t) >= width(start)) return [];
  const close = ctx.candles[ctx.t].close;
  const upperNow = upper.intercept + upper.slope * ctx.t;
  const lowerNow = lower.intercept + lower.slope * ctx.t;
  const brokeUp = close > upperNow + BREAK_ATR * unit;
  const brokeDown = close < lowerNow - BREAK_ATR * unit;
  const fit = 1 - (upper.meanAbsResidual + lower.meanAbsResidual) / (2 * unit);
  const touches = Math.min(1, (highs.length + lows.length - 4) / 4);
  const direction: Direction = code === 'ascending_triangle' ? 'bullish' : code === 'descending_triangle' ? 'bearish' : 'neutral';
  const points = [...highs, ...lows]
    .sort((a, b) => a.index - b.index)
    .map((p) => ({ index: p.index, price: p.price, role: p.type === 'high' ? 'upper' : 'lower' }));
  return [
    hit(
      ctx,
      code,
      brokeUp ? 'bullish' : brokeDown ? 'bearish' : direction,
      start,
      ctx.t,
      0.6 * fit + 0.4 * touches,
      brokeUp || brokeDown ? 'confirmed' : 'forming',
      points,
      brokeDown ? lowerNow : upperNow,
      ctx.t,
    ),
  ];
}

/** The nearest support and resistance as of bar i (computeLevels' first of each side, default options). */
type NearestLevelsAt = (i: number) => { support: Level | undefined; resistance: Level | undefined };

/** Levels for the bars a breakout at t looks at, from computeLevels over the pivots that can matter there. */
function computedLevelsNear(ctx: ChartPatternContext): NearestLevelsAt {
  // Only the pivots computeLevels would keep for any bar below: the same levels, without rescanning history.
  const recent = knownPivots(ctx.pivots, ctx.t, ctx.t - BREAKOUT_RECENT_BARS - DEFAULT_LEVEL_OPTIONS.lookbackBars);
  return (i) => {
    const levels = computeLevels(recent, i, ctx.candles[i].close, priceUnitAt(ctx.candles, ctx.atr, i));
    return { support: levels.support[0], resistance: levels.resistance[0] };
  };
}

function breakouts(ctx: ChartPatternContext, levelsAt: NearestLevelsAt): ChartPatternHit[] {
  const out: ChartPatternHit[] = [];
  for (let j = Math.max(1, ctx.t - BREAKOUT_RECENT_BARS + 1); j <= ctx.t; j++) {
    const prev = ctx.candles[j - 1].close;
    const now = ctx.candles[j].close;
    const unit = priceUnitAt(ctx.candles, ctx.atr, j);
    const levels = levelsAt(j - 1);
    const vr = ctx.volumeRatio[j];
    const onVolume = vr !== null && vr >= VOLUME_CONFIRM_RATIO;
    const check = (level: Level | undefined, sign: 1 | -1): void => {
      if (!level) return;
      const crossed = sign * (prev - level.price) <= 0 && sign * (now - level.price) > BREAK_ATR * unit;
      if (!crossed) return;
      out.push(
        hit(
          ctx,
          'breakout',
          sign > 0 ? 'bullish' : 'bearish',
          j - 1,
          j,
          0.4 + 0.3 * Math.min(1, (level.touches - 1) / 2) + (onVolume ? 0.3 : 0),
          'confirmed',
          [{ index: j, price: now, role: onVolume ? 'close_on_volume' : 'close' }],
          level.price,
          j,
        ),
      );
    };
    check(levels.resistance, 1);
    check(levels.support, -1);
  }
  return out;
}

/**
 * Chart patterns visible at bar `t`: doubles and triples, head and shoulders, triangles, wedges,
 * channels, rectangles, flags and pennants, cup and handle, rounding tops and bottoms, breakouts.
 * Each detector reads a bounded window of bars and pivots before t, so the cost per bar does not
 * grow with the history.
 */
export function detectChartPatterns(ctx: ChartPatternContext): ChartPatternHit[] {
  return detectAt(ctx, computedLevelsNear(ctx));
}

/** Every detector at ctx.t; breakouts test against the levels `levelsAt` gives. */
function detectAt(ctx: ChartPatternContext, levelsAt: NearestLevelsAt): ChartPatternHit[] {
  if (ctx.t < 2) return [];
  const unit = priceUnitAt(ctx.candles, ctx.atr, ctx.t);
  const seq = alternatingPivots(ctx.pivots, ctx.t, Math.max(0, ctx.t - LOOKBACK_BARS));
  const cupSeq = alternatingPivots(ctx.pivots, ctx.t, Math.max(0, ctx.t - CUP_LOOKBACK_BARS));
  return [
    ...doubleTops(ctx, seq, unit),
    ...tripleTops(ctx, seq, unit),
    ...headAndShoulders(ctx, seq, unit),
    ...triangle(ctx, unit),
    ...trendlinePatterns(ctx, seq, unit),
    ...flagPatterns(ctx, seq, unit),
    ...cupAndHandle(ctx, cupSeq, unit),
    ...roundingPatterns(ctx, seq, unit),
    ...breakouts(ctx, levelsAt),
  ].sort((a, b) => a.endIndex - b.endIndex || a.code.localeCompare(b.code));
}

/** The key under which a later state of a pattern replaces an earlier one: its code and first bar. */
export const chartPatternKey = (hit: ChartPatternHit): string => `${hit.code}:${hit.startIndex}`;

/**
 * The chart patterns a window showed while it printed: the states at every `step`-th bar from
 * `from` (at least bar 2) up to, not including, `to`, a later state of a pattern (same code and
 * first bar) replacing an earlier one in place, so one that formed and resolved inside the window
 * is still listed. The same hits in the same order as calling detectChartPatterns at each of those
 * bars, in one pass that shares what those calls each redid: the support and resistance a breakout
 * is tested against come from pivots sorted by price once, not filtered and re-sorted per bar.
 */
export function chartPatternsOverWindow(ctx: Omit<ChartPatternContext, 't'>, from: number, to: number, step: number): Map<string, ChartPatternHit> {
  const nearest = nearestLevelsFinder(ctx.pivots);
  const levelsAt: NearestLevelsAt = (i) => nearest(i, ctx.candles[i].close, priceUnitAt(ctx.candles, ctx.atr, i));
  const seen = new Map<string, ChartPatternHit>();
  for (let bar = Math.max(from, 2); bar < to; bar += step) {
    for (const hit of detectAt({ ...ctx, t: bar }, levelsAt)) seen.set(chartPatternKey(hit), hit);
  }
  return seen;
}

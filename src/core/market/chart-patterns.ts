import { type Candle, formatCandleTime } from './candles.ts';
import type { Direction } from './candlestick-patterns.ts';
import { computeLevels, type Level } from './levels.ts';
import type { Pivot } from './pivots.ts';

export type ChartPatternType =
  | 'double_top'
  | 'double_bottom'
  | 'head_and_shoulders'
  | 'inverse_head_and_shoulders'
  | 'ascending_triangle'
  | 'descending_triangle'
  | 'symmetrical_triangle'
  | 'breakout';

export const CHART_PATTERN_LABELS: Record<ChartPatternType, string> = {
  double_top: 'Double Top',
  double_bottom: 'Double Bottom',
  head_and_shoulders: 'Head and Shoulders',
  inverse_head_and_shoulders: 'Inverse Head and Shoulders',
  ascending_triangle: 'Ascending Triangle',
  descending_triangle: 'Descending Triangle',
  symmetrical_triangle: 'Symmetrical Triangle',
  breakout: 'Breakout',
};

/** A multi-bar chart pattern found from swing pivots, with the points that define it. */
export interface ChartPatternHit {
  code: ChartPatternType;
  name: string;
  kind: 'chart';
  direction: Direction;
  startIndex: number;
  endIndex: number;
  startTime: string;
  endTime: string;
  /** 0..1: how cleanly the shape matches the textbook one. */
  quality: number;
  /** forming: the shape is there; confirmed: price has closed through its trigger line. */
  status: 'forming' | 'confirmed';
  points: { index: number; price: number; role: string }[];
  /** The price line that confirms the pattern (neckline, broken level...). */
  trigger: number | null;
  knownAt: number;
}

/** Inputs at bar `t`; only bars <= t and pivots known by t may be read. */
export interface ChartPatternContext {
  candles: readonly Candle[];
  pivots: readonly Pivot[];
  atr: readonly (number | null)[];
  volumeRatio: readonly (number | null)[];
  t: number;
}

const LOOKBACK_BARS = 120;
const TRIANGLE_BARS = 60;
const BREAKOUT_RECENT_BARS = 5;
/** Two tops within this many ATRs are "equal". */
const EQUAL_PEAKS_ATR = 0.75;
/** The trough between two tops must be at least this deep. */
const MIN_DEPTH_ATR = 1.5;
const MIN_SEPARATION_BARS = 5;
/** Trendline slope under this many ATRs per bar counts as flat. */
const FLAT_SLOPE_ATR = 0.02;
/** A close this many ATRs past a level counts as a break. */
const BREAK_ATR = 0.25;
const VOLUME_CONFIRM_RATIO = 1.5;

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** The price distance used as a unit at bar t: ATR14, or the mean range while ATR is warming up. */
export function priceUnitAt(candles: readonly Candle[], atr: readonly (number | null)[], t: number): number {
  const a = atr[t];
  if (a) return a;
  const from = Math.max(0, t - 13);
  let sum = 0;
  for (let i = from; i <= t; i++) sum += candles[i].high - candles[i].low;
  return sum / (t - from + 1) || candles[t].close * 0.01;
}

/** Known pivots in the window, merged so highs and lows alternate (the more extreme one wins). */
function alternatingPivots(pivots: readonly Pivot[], t: number, from: number): Pivot[] {
  const seq: Pivot[] = [];
  for (const p of pivots) {
    if (p.knownAt > t || p.index < from) continue;
    const last = seq.at(-1);
    if (last && last.type === p.type) {
      const moreExtreme = p.type === 'high' ? p.price >= last.price : p.price <= last.price;
      if (moreExtreme) seq[seq.length - 1] = p;
    } else {
      seq.push(p);
    }
  }
  return seq;
}

/** First bar after `from` (up to t) whose close is beyond `line(i)` in direction `sign`, or -1. */
function firstCloseBeyond(
  candles: readonly Candle[],
  from: number,
  t: number,
  line: (i: number) => number,
  sign: 1 | -1,
): number {
  for (let i = from + 1; i <= t; i++) if (sign * (candles[i].close - line(i)) > 0) return i;
  return -1;
}

function hit(
  ctx: ChartPatternContext,
  code: ChartPatternType,
  direction: Direction,
  start: number,
  end: number,
  quality: number,
  status: 'forming' | 'confirmed',
  points: ChartPatternHit['points'],
  trigger: number | null,
  knownAt: number,
): ChartPatternHit {
  return {
    code,
    name: CHART_PATTERN_LABELS[code],
    kind: 'chart',
    direction,
    startIndex: start,
    endIndex: end,
    startTime: formatCandleTime(ctx.candles[start].time),
    endTime: formatCandleTime(ctx.candles[end].time),
    quality: round3(clamp01(quality)),
    status,
    points,
    trigger: trigger === null ? null : round3(trigger),
    knownAt,
  };
}

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

function fitLine(points: readonly Pivot[]): { slope: number; intercept: number; meanAbsResidual: number } {
  const n = points.length;
  const xm = points.reduce((s, p) => s + p.index, 0) / n;
  const ym = points.reduce((s, p) => s + p.price, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.index - xm) * (p.price - ym);
    den += (p.index - xm) ** 2;
  }
  const slope = den === 0 ? 0 : num / den;
  const intercept = ym - slope * xm;
  const meanAbsResidual = points.reduce((s, p) => s + Math.abs(p.price - (intercept + slope * p.index)), 0) / n;
  return { slope, intercept, meanAbsResidual };
}

function triangle(ctx: ChartPatternContext, unit: number): ChartPatternHit[] {
  const from = Math.max(0, ctx.t - TRIANGLE_BARS);
  const known = ctx.pivots.filter((p) => p.knownAt <= ctx.t && p.index >= from);
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

function breakouts(ctx: ChartPatternContext): ChartPatternHit[] {
  const out: ChartPatternHit[] = [];
  for (let j = Math.max(1, ctx.t - BREAKOUT_RECENT_BARS + 1); j <= ctx.t; j++) {
    const prev = ctx.candles[j - 1].close;
    const now = ctx.candles[j].close;
    const unit = priceUnitAt(ctx.candles, ctx.atr, j);
    const levels = computeLevels(ctx.pivots, j - 1, prev, priceUnitAt(ctx.candles, ctx.atr, j - 1));
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
    check(levels.resistance[0], 1);
    check(levels.support[0], -1);
  }
  return out;
}

/** Chart patterns visible at bar `t`: doubles, head and shoulders, triangles, level breakouts. */
export function detectChartPatterns(ctx: ChartPatternContext): ChartPatternHit[] {
  if (ctx.t < 2) return [];
  const unit = priceUnitAt(ctx.candles, ctx.atr, ctx.t);
  const seq = alternatingPivots(ctx.pivots, ctx.t, Math.max(0, ctx.t - LOOKBACK_BARS));
  return [...doubleTops(ctx, seq, unit), ...headAndShoulders(ctx, seq, unit), ...triangle(ctx, unit), ...breakouts(ctx)].sort(
    (a, b) => a.endIndex - b.endIndex || a.code.localeCompare(b.code),
  );
}

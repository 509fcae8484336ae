import { type Candle, formatCandleTime } from './candles.ts';
import type { Direction } from './candlestick-patterns.ts';
import type { Pivot } from './pivots.ts';

export type ChartPatternType =
  | 'double_top'
  | 'double_bottom'
  | 'triple_top'
  | 'triple_bottom'
  | 'head_and_shoulders'
  | 'inverse_head_and_shoulders'
  | 'ascending_triangle'
  | 'descending_triangle'
  | 'symmetrical_triangle'
  | 'rising_wedge'
  | 'falling_wedge'
  | 'bull_flag'
  | 'bear_flag'
  | 'pennant'
  | 'rectangle'
  | 'ascending_channel'
  | 'descending_channel'
  | 'cup_and_handle'
  | 'rounding_top'
  | 'rounding_bottom'
  | 'breakout';

export const CHART_PATTERN_LABELS: Record<ChartPatternType, string> = {
  double_top: 'Double Top',
  double_bottom: 'Double Bottom',
  triple_top: 'Triple Top',
  triple_bottom: 'Triple Bottom',
  head_and_shoulders: 'Head and Shoulders',
  inverse_head_and_shoulders: 'Inverse Head and Shoulders',
  ascending_triangle: 'Ascending Triangle',
  descending_triangle: 'Descending Triangle',
  symmetrical_triangle: 'Symmetrical Triangle',
  rising_wedge: 'Rising Wedge',
  falling_wedge: 'Falling Wedge',
  bull_flag: 'Bull Flag',
  bear_flag: 'Bear Flag',
  pennant: 'Pennant',
  rectangle: 'Rectangle',
  ascending_channel: 'Ascending Channel',
  descending_channel: 'Descending Channel',
  cup_and_handle: 'Cup and Handle',
  rounding_top: 'Rounding Top',
  rounding_bottom: 'Rounding Bottom',
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

/**
 * Inputs at bar `t`; only bars <= t and pivots known by t may be read. `pivots` are in index order,
 * as findPivots returns them (the detectors find their window by binary search).
 */
export interface ChartPatternContext {
  candles: readonly Candle[];
  pivots: readonly Pivot[];
  atr: readonly (number | null)[];
  volumeRatio: readonly (number | null)[];
  t: number;
}

/** Two tops within this many ATRs are "equal". */
export const EQUAL_PEAKS_ATR = 0.75;
/** The trough between two tops must be at least this deep. */
export const MIN_DEPTH_ATR = 1.5;
export const MIN_SEPARATION_BARS = 5;
/** Trendline slope under this many ATRs per bar counts as flat. */
export const FLAT_SLOPE_ATR = 0.02;
/** A close this many ATRs past a level counts as a break. */
export const BREAK_ATR = 0.25;
/** A swing within half an ATR of a trendline touches it: the zone width levels.ts clusters touches in. */
export const TOUCH_ATR = 0.5;

export const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
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

/** Position of the first pivot with index >= from (pivots are in index order). */
function firstPivotFrom(pivots: readonly Pivot[], from: number): number {
  let lo = 0;
  let hi = pivots.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pivots[mid].index < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pivots with index >= from that are known by t, in index order. */
export function knownPivots(pivots: readonly Pivot[], t: number, from: number): Pivot[] {
  const out: Pivot[] = [];
  for (let k = firstPivotFrom(pivots, from); k < pivots.length && pivots[k].index <= t; k++) {
    if (pivots[k].knownAt <= t) out.push(pivots[k]);
  }
  return out;
}

/** Known pivots in the window, merged so highs and lows alternate (the more extreme one wins). */
export function alternatingPivots(pivots: readonly Pivot[], t: number, from: number): Pivot[] {
  const seq: Pivot[] = [];
  for (const p of knownPivots(pivots, t, from)) {
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
export function firstCloseBeyond(
  candles: readonly Candle[],
  from: number,
  t: number,
  line: (i: number) => number,
  sign: 1 | -1,
): number {
  for (let i = from + 1; i <= t; i++) if (sign * (candles[i].close - line(i)) > 0) return i;
  return -1;
}

export interface Line {
  slope: number;
  intercept: number;
}

export const lineAt = (line: Line, i: number): number => line.intercept + line.slope * i;

/** Least-squares line through (index, price) points, with its mean and largest absolute residual. */
export function fitLine(points: readonly { index: number; price: number }[]): Line & { meanAbsResidual: number; maxAbsResidual: number } {
  const n = points.length;
  let xs = 0;
  let ys = 0;
  for (const p of points) {
    xs += p.index;
    ys += p.price;
  }
  const xm = xs / n;
  const ym = ys / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.index - xm) * (p.price - ym);
    den += (p.index - xm) ** 2;
  }
  const slope = den === 0 ? 0 : num / den;
  const intercept = ym - slope * xm;
  let sum = 0;
  let max = 0;
  for (const p of points) {
    const r = Math.abs(p.price - (intercept + slope * p.index));
    sum += r;
    max = Math.max(max, r);
  }
  return { slope, intercept, meanAbsResidual: sum / n, maxAbsResidual: max };
}

export function hit(
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

/** A pivot as a hit point. */
export const pointOf = (p: Pivot, role: string): ChartPatternHit['points'][number] => ({ index: p.index, price: p.price, role });

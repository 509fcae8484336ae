/**
 * Pixel truth for chart-digitiser fixtures, and the scoring both the tests and bench/digitize-pixels
 * use: which truth bars were found, and how far the found OHLC pixels are from the truth.
 *
 * Pixel coordinates are continuous image coordinates with y down (row r spans [r, r + 1)), the
 * convention of the canvas, matplotlib and src/core/digitize alike.
 */
import type { PixelBar, Rect } from '../../src/core/digitize/types.ts';

export interface TruthBar {
  open: number;
  high: number;
  low: number;
  close: number;
  x: number;
  openY: number;
  highY: number;
  lowY: number;
  closeY: number;
  direction: 'up' | 'down' | 'flat';
}

export interface PixelTruth {
  name: string;
  /** The group a fixture is scored under (bench and tests report per style). */
  style: string;
  width: number;
  height: number;
  kind: 'candle' | 'ohlc' | 'line' | 'empty';
  hollow: boolean;
  priceLabels: 'left' | 'right';
  /** The background colour the chart was drawn on (CSS hex), when the fixture maker knows it. */
  background?: string;
  plot: Rect;
  volume: Rect | null;
  bars: TruthBar[];
}

export interface BarScore {
  truthBars: number;
  foundBars: number;
  /** Truth bars with a found bar within half a bar spacing (each found bar used once). */
  matched: number;
  /** Found bars that matched no truth bar. */
  extra: number;
  /** |found - truth| in px over the four values of every matched bar. */
  errors: number[];
  /** Matched bars whose direction disagrees with the truth (flat truth bars are not counted). */
  wrongDirection: number;
  /** Matched bars whose x is off by more than a quarter spacing. */
  xErrors: number[];
}

/** Median bar spacing of the truth, in px (Infinity for fewer than two bars). */
export function truthSpacing(bars: readonly TruthBar[]): number {
  if (bars.length < 2) return Number.POSITIVE_INFINITY;
  const d = bars.slice(1).map((b, i) => b.x - bars[i].x).sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)];
}

/** Match found bars to truth bars by x (greedy nearest, within half a spacing) and collect errors. */
export function scoreBars(found: readonly PixelBar[], truth: readonly TruthBar[]): BarScore {
  const half = truthSpacing(truth) / 2;
  const used = new Uint8Array(found.length);
  const errors: number[] = [];
  const xErrors: number[] = [];
  let matched = 0;
  let wrongDirection = 0;
  const sorted = found.map((b, i) => ({ b, i })).sort((p, q) => p.b.x - q.b.x);
  let j = 0;
  for (const t of truth) {
    while (j < sorted.length && sorted[j].b.x < t.x - half) j++;
    let best = -1;
    let bestD = half;
    for (let k = j; k < sorted.length && sorted[k].b.x <= t.x + half; k++) {
      const d = Math.abs(sorted[k].b.x - t.x);
      if (!used[sorted[k].i] && d < bestD) {
        best = k;
        bestD = d;
      }
    }
    if (best < 0) continue;
    const f = sorted[best].b;
    used[sorted[best].i] = 1;
    matched++;
    xErrors.push(bestD);
    errors.push(Math.abs(f.highY - t.highY), Math.abs(f.lowY - t.lowY), Math.abs(f.openY - t.openY), Math.abs(f.closeY - t.closeY));
    if (t.direction !== 'flat' && f.direction !== t.direction) wrongDirection++;
  }
  return { truthBars: truth.length, foundBars: found.length, matched, extra: found.length - matched, errors, wrongDirection, xErrors };
}

/** The q-quantile (0..1) of the values, 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Scores of several fixtures of one style, merged. */
export function mergeScores(scores: readonly BarScore[]): BarScore {
  return scores.reduce<BarScore>(
    (a, s) => ({
      truthBars: a.truthBars + s.truthBars,
      foundBars: a.foundBars + s.foundBars,
      matched: a.matched + s.matched,
      extra: a.extra + s.extra,
      errors: a.errors.concat(s.errors),
      wrongDirection: a.wrongDirection + s.wrongDirection,
      xErrors: a.xErrors.concat(s.xErrors),
    }),
    { truthBars: 0, foundBars: 0, matched: 0, extra: 0, errors: [], wrongDirection: 0, xErrors: [] },
  );
}

/** Intersection over union of two rects (0 when either is empty). */
export function rectIou(a: Rect, b: Rect): number {
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const area = (r: Rect): number => Math.max(0, r.right - r.left) * Math.max(0, r.bottom - r.top);
  return inter / (area(a) + area(b) - inter);
}

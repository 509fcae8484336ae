/**
 * The chart's style from its pixels: which colours are the bars (by the shape of their pixels,
 * not by a palette), which of them is "up" (by the bars' geometry first, hue last), the theme,
 * hollow up candles and candle vs OHLC bars.
 */
import { hueSat, luminance, type Classified } from './colours.ts';
import type { SlotProfile, SlotReading } from './columns.ts';
import type { Rgb } from './types.ts';

/**
 * How bar-like each label's pixels are: pixels in vertical runs (wicks, bodies, OHLC lines; 3+ px
 * and shorter than 90% of the pane, so not a vertical grid line) minus pixels that only continue
 * sideways (moving-average lines, grid remnants, text strokes). Index = label.
 */
export function barEvidence(c: Classified, w: number, x0: number, y0: number, x1: number, y1: number, labels: number): Float64Array {
  const score = new Float64Array(labels + 1);
  const maxRun = 0.9 * (y1 - y0);
  const solid = 128;
  for (let x = x0; x < x1; x++) {
    let runLabel = 0;
    let run = 0;
    for (let y = y0; y <= y1; y++) {
      const p = y * w + x;
      const l = y < y1 && c.alpha[p] >= solid ? c.label[p] : 0;
      if (l === runLabel && l !== 0) {
        run++;
        continue;
      }
      if (runLabel && run >= 3 && run <= maxRun) score[runLabel] += run;
      runLabel = l;
      run = l ? 1 : 0;
    }
  }
  for (let y = y0 + 1; y < y1 - 1; y++) {
    for (let x = x0 + 1; x < x1 - 1; x++) {
      const p = y * w + x;
      const l = c.label[p];
      if (!l || c.alpha[p] < solid) continue;
      const side = c.label[p - 1] === l || c.label[p + 1] === l;
      const vert = c.label[p - w] === l || c.label[p + w] === l;
      if (side && !vert) score[l] -= 1;
    }
  }
  return score;
}

export interface DirectionMap {
  /** Label (1-based) drawn for up bars and for down bars; equal for one-colour charts. */
  up: number;
  down: number;
  method: 'ticks' | 'hollow' | 'continuity' | 'hue' | 'single';
  /** The evidence for the mapping was weak. */
  ambiguous: boolean;
}

/** Up/down orientation of each candle by continuity: each bar opens near the previous close (Viterbi). */
export function orientByContinuity(readings: readonly (SlotReading | null)[]): (0 | 1 | -1)[] {
  // state 0: up (open at the body bottom), 1: down (open at the top).
  const n = readings.length;
  const out: (0 | 1 | -1)[] = new Array<0 | 1 | -1>(n).fill(-1);
  let i = 0;
  while (i < n) {
    // Runs of consecutive slots that all have a body.
    const has = (k: number): boolean => {
      const r = readings[k];
      return !!r && Number.isFinite(r.bodyTop) && Number.isFinite(r.bodyBottom);
    };
    if (!has(i)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < n && has(j + 1)) j++;
    const len = j - i + 1;
    const cost = [new Float64Array(len), new Float64Array(len)];
    const from = [new Uint8Array(len), new Uint8Array(len)];
    const open = (k: number, s: number): number => (s === 0 ? readings[k]!.bodyBottom : readings[k]!.bodyTop);
    const close = (k: number, s: number): number => (s === 0 ? readings[k]!.bodyTop : readings[k]!.bodyBottom);
    for (let k = 1; k < len; k++) {
      for (let s = 0; s < 2; s++) {
        let best = Infinity;
        let arg = 0;
        for (let t = 0; t < 2; t++) {
          const c = cost[t][k - 1] + Math.abs(close(i + k - 1, t) - open(i + k, s));
          if (c < best) {
            best = c;
            arg = t;
          }
        }
        cost[s][k] = best;
        from[s][k] = arg;
      }
    }
    let s = cost[0][len - 1] <= cost[1][len - 1] ? 0 : 1;
    for (let k = len - 1; k >= 0; k--) {
      // A body too short to tell its ends apart says nothing.
      const r = readings[i + k]!;
      out[i + k] = len > 1 && r.bodyBottom - r.bodyTop >= 1.5 ? (s as 0 | 1) : -1;
      if (k > 0) s = from[s][k];
    }
    i = j + 1;
  }
  return out;
}

/** Total |close(i) - open(i+1)| over adjacent bodies when `upLabel` is up (the other label down). */
function continuityCost(readings: readonly (SlotReading | null)[], upLabel: number): { cost: number; pairs: number } {
  let cost = 0;
  let pairs = 0;
  for (let k = 0; k + 1 < readings.length; k++) {
    const a = readings[k];
    const b = readings[k + 1];
    if (!a || !b || !Number.isFinite(a.bodyTop) || !Number.isFinite(b.bodyTop)) continue;
    const closeA = a.label === upLabel ? a.bodyTop : a.bodyBottom;
    const openB = b.label === upLabel ? b.bodyBottom : b.bodyTop;
    cost += Math.abs(closeA - openB);
    pairs++;
  }
  return { cost, pairs };
}

/** Which label is up: OHLC ticks, else hollow bodies, else open-near-previous-close, else hue. */
export function mapDirections(
  readings: readonly (SlotReading | null)[],
  labels: readonly number[],
  colours: readonly Rgb[],
  kind: 'candle' | 'ohlc',
): DirectionMap {
  if (labels.length === 1) return { up: labels[0], down: labels[0], method: 'single', ambiguous: false };
  const [a, b] = labels;
  const bars = readings.filter((r): r is SlotReading => r !== null);
  if (kind === 'ohlc') {
    const upShare = (l: number): { share: number; n: number } => {
      let up = 0;
      let n = 0;
      for (const r of bars) {
        if (r.label !== l || !Number.isFinite(r.openTick) || !Number.isFinite(r.closeTick) || Math.abs(r.openTick - r.closeTick) < 1) continue;
        n++;
        if (r.closeTick < r.openTick) up++;
      }
      return { share: n ? up / n : 0.5, n };
    };
    const sa = upShare(a);
    const sb = upShare(b);
    if (sa.n + sb.n >= 3 && Math.abs(sa.share - sb.share) >= 0.3) {
      return sa.share > sb.share ? { up: a, down: b, method: 'ticks', ambiguous: false } : { up: b, down: a, method: 'ticks', ambiguous: false };
    }
  } else {
    const hollowShare = (l: number): number => {
      const of = bars.filter((r) => r.label === l && Number.isFinite(r.bodyTop) && r.bodyBottom - r.bodyTop >= 6);
      return of.length ? of.filter((r) => r.hollow).length / of.length : 0;
    };
    const ha = hollowShare(a);
    const hb = hollowShare(b);
    // Hollow up candles are the convention (mplfinance, TradingView's hollow style).
    if (Math.abs(ha - hb) >= 0.5) return ha > hb ? { up: a, down: b, method: 'hollow', ambiguous: false } : { up: b, down: a, method: 'hollow', ambiguous: false };
    const ca = continuityCost(readings, a);
    const cb = continuityCost(readings, b);
    // Open near the previous close: the right mapping needs clearly fewer pixels of jump.
    if (ca.pairs >= 5 && Math.min(ca.cost, cb.cost) <= 0.75 * Math.max(ca.cost, cb.cost)) {
      return ca.cost < cb.cost ? { up: a, down: b, method: 'continuity', ambiguous: false } : { up: b, down: a, method: 'continuity', ambiguous: false };
    }
  }
  return { ...byHue(a, b, colours[a - 1], colours[b - 1]), method: 'hue', ambiguous: true };
}

/** Red-ish (hue within 40 degrees of red) is down; failing that, the lighter colour is up. */
function byHue(a: number, b: number, ca: Rgb, cb: Rgb): { up: number; down: number } {
  const reddish = (c: Rgb): boolean => {
    const { hue, sat } = hueSat(c);
    return sat > 0.25 && (hue <= 40 || hue >= 320);
  };
  const ra = reddish(ca);
  const rb = reddish(cb);
  if (ra !== rb) return ra ? { up: b, down: a } : { up: a, down: b };
  return luminance(ca) >= luminance(cb) ? { up: a, down: b } : { up: b, down: a };
}

/** Candle or OHLC: candles widen symmetrically around the wick, OHLC ticks reach to one side. */
export function voteKind(profiles: readonly (SlotProfile | null)[]): { kind: 'candle' | 'ohlc'; share: number } {
  let candle = 0;
  let ohlc = 0;
  for (const p of profiles) {
    if (!p) continue;
    if (p.leftOnly > 0 && p.rightOnly > 0 && p.leftOnly + p.rightOnly >= p.both) ohlc++;
    else if (p.both > 0) candle++;
  }
  const total = candle + ohlc;
  if (total === 0) return { kind: 'candle', share: 0 };
  return ohlc > candle ? { kind: 'ohlc', share: ohlc / total } : { kind: 'candle', share: candle / total };
}

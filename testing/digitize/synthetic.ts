/**
 * Synthetic chart images with exact pixel truth, for fast unit tests of the digitiser: bars drawn
 * as axis-aligned rectangles with exact anti-aliasing (each pixel takes the share of its area the
 * rectangle covers), on a plot with an optional frame, grid, moving-average line and volume pane.
 * Pure TypeScript, seeded: the same spec gives the same pixels.
 */
import type { Rect, Rgb, RgbaImage } from '../../src/core/digitize/types.ts';
import type { PixelTruth, TruthBar } from './truth.ts';

export interface SyntheticSpec {
  width: number;
  height: number;
  bars: number;
  seed: number;
  background: Rgb;
  up: Rgb;
  down: Rgb;
  kind?: 'candle' | 'ohlc';
  hollow?: boolean;
  /** Grid line colour (horizontal and vertical lines every ~1/6 of the plot), or none. */
  grid?: Rgb | null;
  /** Frame (axes spines) colour, or none. */
  frame?: Rgb | null;
  /** Moving-average line colour drawn over the bars, or none. */
  ma?: Rgb | null;
  /** A volume pane under the price pane (bars in the up/down colours at half strength). */
  volume?: boolean;
  /** Wick / OHLC line width in px. */
  wick?: number;
  /** Body width as a share of the bar spacing. */
  body?: number;
  /** Bars missing from the lattice (index list), e.g. holidays on a date axis. */
  gaps?: number[];
}

export interface SyntheticChart {
  image: RgbaImage;
  truth: PixelTruth;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** A blank RGBA image of one colour. */
export function blank(width: number, height: number, c: Rgb): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = c[0];
    data[i * 4 + 1] = c[1];
    data[i * 4 + 2] = c[2];
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** Composite a rectangle [x0, x1) x [y0, y1) with exact area coverage per pixel. */
export function fillRect(img: RgbaImage, x0: number, y0: number, x1: number, y1: number, c: Rgb, opacity = 1): void {
  if (x1 <= x0 || y1 <= y0) return;
  const xa = Math.max(0, Math.floor(x0));
  const xb = Math.min(img.width, Math.ceil(x1));
  const ya = Math.max(0, Math.floor(y0));
  const yb = Math.min(img.height, Math.ceil(y1));
  for (let y = ya; y < yb; y++) {
    const cy = Math.min(y + 1, y1) - Math.max(y, y0);
    for (let x = xa; x < xb; x++) {
      const cx = Math.min(x + 1, x1) - Math.max(x, x0);
      const a = cx * cy * opacity;
      if (a <= 0) continue;
      const i = (y * img.width + x) * 4;
      for (let k = 0; k < 3; k++) img.data[i + k] = Math.round(img.data[i + k] * (1 - a) + c[k] * a);
    }
  }
}

/** A polyline drawn as a run of small squares of side `width` (good enough for a moving average). */
export function polyline(img: RgbaImage, pts: [number, number][], c: Rgb, width = 1.5): void {
  for (let k = 0; k + 1 < pts.length; k++) {
    const [xa, ya] = pts[k];
    const [xb, yb] = pts[k + 1];
    const steps = Math.max(1, Math.ceil(Math.hypot(xb - xa, yb - ya) * 2));
    for (let s = 0; s < steps; s++) {
      const x = xa + ((xb - xa) * s) / steps;
      const y = ya + ((yb - ya) * s) / steps;
      fillRect(img, x - width / 2, y - width / 2, x + width / 2, y + width / 2, c, 0.35);
    }
  }
}

/** Draw a seeded random-walk chart and return it with its truth. */
export function syntheticChart(spec: SyntheticSpec): SyntheticChart {
  const { width, height, bars: n, background, up, down } = spec;
  const kind = spec.kind ?? 'candle';
  const rand = rng(spec.seed);
  const img = blank(width, height, background);
  const plot: Rect = { left: Math.round(width * 0.06), top: Math.round(height * 0.08), right: Math.round(width * 0.92), bottom: Math.round(height * (spec.volume ? 0.7 : 0.9)) };
  const volume: Rect | null = spec.volume ? { left: plot.left, top: Math.round(height * 0.74), right: plot.right, bottom: Math.round(height * 0.9) } : null;
  const spacing = (plot.right - plot.left) / (n + 1);
  const wick = spec.wick ?? 1;
  const bodyW = Math.max(1, (spec.body ?? 0.7) * spacing);
  // Prices in a random walk, scaled to the pane with a margin.
  const o: number[] = [];
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  let p = 100;
  for (let i = 0; i < n; i++) {
    const open = p + (rand() - 0.5) * 0.3;
    const close = open + (rand() - 0.5) * 4;
    o.push(open);
    c.push(close);
    h.push(Math.max(open, close) + rand() * 1.5);
    l.push(Math.min(open, close) - rand() * 1.5);
    p = close;
  }
  const lo = Math.min(...l);
  const hi = Math.max(...h);
  const pad = (hi - lo) * 0.06;
  const yOf = (v: number): number => plot.top + ((hi + pad - v) / (hi - lo + 2 * pad)) * (plot.bottom - plot.top);
  if (spec.grid) {
    for (let k = 1; k < 6; k++) {
      const gy = Math.round(plot.top + ((plot.bottom - plot.top) * k) / 6);
      fillRect(img, plot.left, gy, plot.right, gy + 1, spec.grid);
      const gx = Math.round(plot.left + ((plot.right - plot.left) * k) / 6);
      fillRect(img, gx, plot.top, gx + 1, plot.bottom, spec.grid);
      if (volume) fillRect(img, gx, volume.top, gx + 1, volume.bottom, spec.grid);
    }
  }
  if (spec.frame) {
    for (const r of volume ? [plot, volume] : [plot]) {
      fillRect(img, r.left - 1, r.top - 1, r.right + 1, r.top, spec.frame);
      fillRect(img, r.left - 1, r.bottom, r.right + 1, r.bottom + 1, spec.frame);
      fillRect(img, r.left - 1, r.top, r.left, r.bottom, spec.frame);
      fillRect(img, r.right, r.top, r.right + 1, r.bottom, spec.frame);
    }
  }
  const gaps = new Set(spec.gaps ?? []);
  const truthBars: TruthBar[] = [];
  for (let i = 0; i < n; i++) {
    if (gaps.has(i)) continue;
    const x = plot.left + spacing * (i + 1);
    const colour = c[i] >= o[i] ? up : down;
    const [yo, yh, yl, yc] = [yOf(o[i]), yOf(h[i]), yOf(l[i]), yOf(c[i])];
    const top = Math.min(yo, yc);
    const bottom = Math.max(yo, yc, top + 1);
    if (kind === 'ohlc') {
      fillRect(img, x - wick / 2, yh, x + wick / 2, yl, colour);
      fillRect(img, x - bodyW / 2, yo - wick / 2, x, yo + wick / 2, colour);
      fillRect(img, x, yc - wick / 2, x + bodyW / 2, yc + wick / 2, colour);
    } else if (spec.hollow && c[i] >= o[i]) {
      fillRect(img, x - wick / 2, yh, x + wick / 2, top, colour);
      fillRect(img, x - wick / 2, bottom, x + wick / 2, yl, colour);
      fillRect(img, x - bodyW / 2, top, x + bodyW / 2, top + 1, colour);
      fillRect(img, x - bodyW / 2, bottom - 1, x + bodyW / 2, bottom, colour);
      fillRect(img, x - bodyW / 2, top + 1, x - bodyW / 2 + 1, bottom - 1, colour);
      fillRect(img, x + bodyW / 2 - 1, top + 1, x + bodyW / 2, bottom - 1, colour);
    } else {
      fillRect(img, x - wick / 2, yh, x + wick / 2, yl, colour);
      fillRect(img, x - bodyW / 2, top, x + bodyW / 2, bottom, colour);
    }
    truthBars.push({ open: o[i], high: h[i], low: l[i], close: c[i], x, openY: yo, highY: yh, lowY: yl, closeY: yc, direction: c[i] > o[i] ? 'up' : c[i] < o[i] ? 'down' : 'flat' });
    if (volume) {
      const vh = (0.2 + 0.8 * rand()) * (volume.bottom - volume.top) * 0.9;
      fillRect(img, x - bodyW / 2, volume.bottom - vh, x + bodyW / 2, volume.bottom, colour, 0.5);
    }
  }
  if (spec.ma) {
    const pts: [number, number][] = [];
    for (let i = 9; i < n; i++) {
      let s = 0;
      for (let k = i - 9; k <= i; k++) s += c[k];
      pts.push([plot.left + spacing * (i + 1), yOf(s / 10)]);
    }
    polyline(img, pts, spec.ma);
  }
  return {
    image: img,
    truth: {
      name: `synthetic-${spec.seed}`,
      style: 'synthetic',
      width,
      height,
      kind,
      hollow: spec.hollow ?? false,
      priceLabels: 'right',
      plot,
      volume,
      bars: truthBars,
    },
  };
}

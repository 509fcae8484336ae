/**
 * Split the plot into stacked panes (price, volume, indicators). Panes are separated by a band of
 * rows that hold nothing but lines, with content spread across the width on both sides (a price
 * gap only empties rows between a left part and a right part, never the full width). The price
 * pane is the tallest; a volume pane is one whose bars rise from a common baseline.
 */
import { clampRect } from './colours.ts';
import type { LineSegment } from './lines.ts';
import { maskProfile } from './plot-area.ts';
import type { Rect, RgbaImage } from './types.ts';

export interface Panes {
  panes: Rect[];
  price: Rect;
  volume: Rect | null;
}

/** Content must reach this share of 20 column bins for a part to count as a pane's full width. */
const SPREAD = 0.6;

function spread(content: Uint8Array, w: number, x0: number, x1: number, y0: number, y1: number): number {
  const bins = 20;
  const hit = new Uint8Array(bins);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (content[y * w + x]) hit[Math.min(bins - 1, Math.floor(((x - x0) * bins) / (x1 - x0)))] = 1;
    }
  }
  let n = 0;
  for (let i = 0; i < bins; i++) n += hit[i];
  return n / bins;
}

/**
 * Bars rising from one baseline: most content columns end on the same row, and are solid from
 * their top down to it.
 */
export function isVolumeLike(content: Uint8Array, w: number, r: Rect, img: RgbaImage): boolean {
  const { x0, y0, x1, y1 } = clampRect(r, img);
  if (y1 - y0 < 4 || x1 - x0 < 10) return false;
  const bottoms = new Int32Array(x1 - x0).fill(-1);
  const tops = new Int32Array(x1 - x0).fill(-1);
  const filled = new Uint32Array(x1 - x0);
  for (let x = x0; x < x1; x++) {
    for (let y = y0; y < y1; y++) {
      if (!content[y * w + x]) continue;
      if (tops[x - x0] < 0) tops[x - x0] = y;
      bottoms[x - x0] = y;
      filled[x - x0]++;
    }
  }
  const hist = new Uint32Array(y1 - y0 + 1);
  let cols = 0;
  for (let i = 0; i < bottoms.length; i++) {
    if (bottoms[i] < 0) continue;
    hist[bottoms[i] - y0]++;
    cols++;
  }
  if (cols < 0.2 * (x1 - x0)) return false;
  let mode = 0;
  for (let i = 1; i < hist.length; i++) if (hist[i] + (hist[i - 1] ?? 0) > hist[mode] + (hist[mode - 1] ?? 0)) mode = i;
  const base = mode + y0;
  let onBase = 0;
  let solid = 0;
  for (let i = 0; i < bottoms.length; i++) {
    if (bottoms[i] < 0 || Math.abs(bottoms[i] - base) > 1) continue;
    onBase++;
    if (filled[i] >= 0.8 * (bottoms[i] - tops[i] + 1)) solid++;
  }
  // Most bars share the baseline (anti-aliased ends move it by one row at most) and are solid.
  return onBase >= 0.6 * cols && solid >= 0.8 * onBase;
}

/** Split `plot` into panes by full-width empty bands. `content` = visible pixels that are not lines. */
export function splitPanes(img: RgbaImage, content: Uint8Array, plot: Rect, vertical: readonly LineSegment[]): Panes {
  const w = img.width;
  const r = clampRect(plot, img);
  const { rows } = maskProfile(content, w, r);
  const n = rows.length;
  // Stray pixels (anti-aliased dust, a label's descender) do not fill a band.
  const emptyMax = Math.max(1, Math.floor(0.002 * (r.x1 - r.x0)));
  let firstContent = -1;
  let lastContent = -1;
  for (let i = 0; i < n; i++) {
    if (rows[i] > emptyMax) {
      if (firstContent < 0) firstContent = i;
      lastContent = i;
    }
  }
  const whole: Panes = { panes: [plot], price: plot, volume: null };
  if (firstContent < 0) return whole;
  const bands: [number, number][] = [];
  for (let i = firstContent; i <= lastContent; i++) {
    if (rows[i] > emptyMax) continue;
    let j = i;
    while (j + 1 <= lastContent && rows[j + 1] <= emptyMax) j++;
    bands.push([i, j]);
    i = j;
  }
  // Merge bands split by a thin or narrow island (tick marks under a pane's border, an axis
  // offset label like "1e6"): no pane is 6 rows tall, and a pane spans most of the width.
  for (let k = 0; k + 1 < bands.length; k++) {
    const i0 = bands[k][1] + 1;
    const i1 = bands[k + 1][0];
    if (i1 - i0 <= 6 || (i1 - i0 <= 0.05 * n && spread(content, w, r.x0, r.x1, r.y0 + i0, r.y0 + i1) < 0.35)) {
      bands.splice(k, 2, [bands[k][0], bands[k + 1][1]]);
      k--;
    }
  }
  // Accept bands whose parts on both sides span the width; parts are re-measured as bands merge.
  const cuts: { b0: number; b1: number }[] = [];
  let partTop = firstContent;
  for (let k = 0; k < bands.length; k++) {
    const [b0, b1] = bands[k];
    const nextTop = b1 + 1;
    const nextBottom = k + 1 < bands.length ? bands[k + 1][0] - 1 : lastContent;
    const above = spread(content, w, r.x0, r.x1, r.y0 + partTop, r.y0 + b0);
    const below = spread(content, w, r.x0, r.x1, r.y0 + nextTop, r.y0 + nextBottom + 1);
    // A 1-row band is a grid line nothing crosses; only a wider gap or a volume pane below counts.
    const lower: Rect = { left: plot.left, right: plot.right, top: r.y0 + nextTop, bottom: r.y0 + nextBottom + 1 };
    const wide = b1 - b0 + 1 >= 3;
    // A pane is at least 8% of the plot (volume panes are 15-25%); a strip of tick labels is not one.
    const tall = nextBottom + 1 - nextTop >= 0.08 * n && b0 - partTop >= 0.08 * n;
    if (tall && above >= SPREAD && below >= SPREAD && (wide || isVolumeLike(content, w, lower, img))) {
      cuts.push({ b0: r.y0 + b0, b1: r.y0 + b1 });
      partTop = nextTop;
    }
  }
  if (!cuts.length) return whole;
  const panes: Rect[] = [];
  let top = plot.top;
  for (const c of cuts) {
    // Frame lines that end (start) inside the band are the panes' own borders.
    const framing = vertical.filter((s) => s.grid === true || s.frame === true);
    const ends = framing.filter((s) => s.to >= c.b0 - 2 && s.to <= c.b1 + 2 && s.to - s.from > 0.3 * (c.b0 - top)).map((s) => s.to + 1);
    const starts = framing.filter((s) => s.from >= c.b0 - 2 && s.from <= c.b1 + 2).map((s) => s.from);
    const mid = (c.b0 + c.b1 + 1) / 2;
    // The median end: tick marks carry a border line a few px past the pane on one side.
    const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const bottomOfUpper = ends.length ? med(ends) : mid;
    const topOfLower = starts.length ? med(starts) : mid;
    panes.push({ left: plot.left, right: plot.right, top, bottom: bottomOfUpper });
    top = Math.max(bottomOfUpper, topOfLower);
  }
  panes.push({ left: plot.left, right: plot.right, top, bottom: plot.bottom });
  let pi = 0;
  for (let i = 1; i < panes.length; i++) if (panes[i].bottom - panes[i].top > panes[pi].bottom - panes[pi].top) pi = i;
  const below = panes[pi + 1];
  const volume = below && isVolumeLike(content, w, below, img) ? below : null;
  return { panes, price: panes[pi], volume };
}

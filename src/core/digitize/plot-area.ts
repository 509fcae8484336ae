/**
 * Where the plot is: the frame the long lines draw (axes spines, axis borders, grid extents), then
 * widened to the candles when the lines do not close it; and the strips beside and under it that
 * hold the axis labels.
 */
import { clampRect } from './colours.ts';
import { maskLine, type LineSegment, type Lines } from './lines.ts';
import type { Rect, RgbaImage } from './types.ts';

export interface Frame {
  rect: Rect;
  /** Which sides a line closes (the rest come from grid extents or the whole image). */
  closed: { left: boolean; right: boolean; top: boolean; bottom: boolean };
  /** The lines gave no frame at all. */
  fromLines: boolean;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
};

/** Adjacent parallel lines (an anti-aliased line over 2-3 px) as one, centred on their ink. */
interface Clustered {
  centre: number;
  colour: [number, number, number];
  members: LineSegment[];
}

function clusterLines(segs: LineSegment[]): Clustered[] {
  const sorted = [...segs].sort((a, b) => a.pos - b.pos);
  const out: Clustered[] = [];
  let cur: LineSegment[] = [];
  const flush = (): void => {
    if (!cur.length) return;
    // Weight by darkness/brightness spread: the strongest column of the cluster dominates.
    let sw = 0;
    let sp = 0;
    let best = cur[0];
    for (const m of cur) {
      const wgt = 1 + Math.max(...m.colour) - Math.min(...m.colour) + Math.abs(255 - m.colour[0]) + m.colour[0];
      sw += wgt;
      sp += (m.pos + 0.5) * wgt;
      if (m.coverage > best.coverage) best = m;
    }
    out.push({ centre: sp / sw, colour: best.colour, members: cur });
    cur = [];
  };
  for (const s of sorted) {
    if (cur.length && s.pos - cur[cur.length - 1].pos > 1) flush();
    cur.push(s);
  }
  flush();
  return out;
}

/** A line at the same distance from its neighbour as that neighbour from the next: a grid line. */
function continuesPeriod(s: Clustered, all: Clustered[]): boolean {
  const same = all.filter((o) => o !== s && Math.max(...o.colour.map((c, i) => Math.abs(c - s.colour[i]))) <= 16);
  for (const a of same) {
    const d = a.centre - s.centre;
    if (Math.abs(d) < 8) continue;
    if (same.some((b) => b !== a && Math.abs(b.centre - a.centre - d) <= 2)) return true;
  }
  return false;
}

/**
 * The smallest (dir -1) or largest (dir 1) value another value matches within 8 px (tick marks
 * stretch one border by a few px; a stray running into a legend goes further).
 */
function sharedExtreme(values: number[], dir: -1 | 1): number {
  const sorted = [...values].sort((a, b) => dir * (b - a));
  for (const v of sorted) if (values.filter((u) => Math.abs(u - v) <= 8).length >= 2) return v;
  return sorted[0];
}

/** How far inside a grid's extent a border line may sit: Chart.js ticks stick out 8 px, others ~10. */
const SNAP = 20;

/**
 * The frame the lines draw. Grid lines give the extents (horizontal lines span the plot's width,
 * vertical ones its height); a border line just inside an extent (ticks poke out past the border)
 * is the edge itself.
 */
export function frameFromLines(img: RgbaImage, lines: Lines): Frame {
  const { width: w, height: h } = img;
  const len = (s: LineSegment): number => s.to - s.from + 1;
  const hMax = Math.max(0, ...lines.horizontal.map(len));
  const longH = lines.horizontal.filter((s) => len(s) >= 0.5 * hMax);
  let left = 0;
  let right = w;
  let top = 0;
  let bottom = h;
  const closed = { left: false, right: false, top: false, bottom: false };
  if (longH.length) {
    left = median(longH.map((s) => s.from));
    right = median(longH.map((s) => s.to)) + 1;
  }
  const inX = lines.vertical.filter((s) => !longH.length || (s.pos >= left - SNAP && s.pos <= right + SNAP));
  // Pane borders: lines on the left/right edges the horizontal lines give; without horizontal
  // lines, the outermost vertical lines if they span alike (a pair of spines, not a lone wick).
  let edges: LineSegment[] = [];
  if (longH.length) {
    // The line nearest each edge (within its anti-aliased 2-3 columns), not every line near it.
    const nearestTo = (target: number, lo: number, hi: number): LineSegment[] => {
      const near = inX.filter((s) => s.pos >= lo && s.pos <= hi);
      if (!near.length) return [];
      const best = near.reduce((a, b) => (Math.abs(b.pos - target) < Math.abs(a.pos - target) ? b : a)).pos;
      return near.filter((s) => Math.abs(s.pos - best) <= 2);
    };
    edges = [...nearestTo(left, left - 3, left + 3), ...nearestTo(right - 1, right - 1 - SNAP, right + 2)];
  } else if (inX.length >= 2) {
    const minX = Math.min(...inX.map((s) => s.pos));
    const maxX = Math.max(...inX.map((s) => s.pos));
    const l = inX.filter((s) => s.pos <= minX + 2);
    const r = inX.filter((s) => s.pos >= maxX - 2);
    const from = (g: LineSegment[]): number => Math.min(...g.map((s) => s.from));
    const to = (g: LineSegment[]): number => Math.max(...g.map((s) => s.to));
    // Spines of one axes start and end together; ticks may stretch one end by a few px.
    const tol = 0.03 * h + 8;
    if (maxX - minX >= 0.25 * w && Math.abs(from(l) - from(r)) <= tol && Math.abs(to(l) - to(r)) <= tol) edges = [...l, ...r];
  }
  for (const e of edges) {
    e.frame = true;
    maskLine(img, lines, e, false);
  }
  // Grid sets and borders give the vertical extent, whatever their length (a volume pane's are
  // shorter than the price pane's); a lone long line may be a wick and gives none.
  const longV = inX.filter((s) => s.grid === true || edges.includes(s));
  if (longV.length) {
    // The outermost ends that two lines share (a grid's lines start and end together; one line
    // reaching further is a stray, e.g. a border running into the legend).
    top = sharedExtreme(longV.map((s) => s.from), -1);
    bottom = sharedExtreme(longV.map((s) => s.to), 1) + 1;
    if (!longH.length) {
      left = Math.min(...longV.map((s) => s.pos));
      right = Math.max(...longV.map((s) => s.pos)) + 1;
    }
  } else if (longH.length) {
    top = Math.min(...longH.map((s) => s.pos));
    bottom = Math.max(...longH.map((s) => s.pos)) + 1;
  }
  if (!longH.length && !longV.length) {
    return { rect: { left: 0, top: 0, right: w, bottom: h }, closed, fromLines: false };
  }
  // The extents of the grid bound the sides across it.
  if (longV.length) closed.top = closed.bottom = true;
  if (longH.length) closed.left = closed.right = true;
  // Snap each side to a border line lying on it, or just inside it where ticks poke out past the
  // border; a line that continues the grid's period is a grid line near the edge, not a border.
  const spanV = bottom - top;
  const spanH = right - left;
  const vert = clusterLines(lines.vertical.filter((s) => len(s) >= 0.5 * spanV));
  const horz = clusterLines(lines.horizontal.filter((s) => len(s) >= 0.5 * spanH));
  const snap = (segs: Clustered[], edge: number, inward: 1 | -1): Clustered | undefined =>
    segs
      .filter((s) => {
        const depth = (s.centre - edge) * inward;
        return depth >= -2 && depth <= SNAP && (depth <= 2 || !continuesPeriod(s, segs));
      })
      .sort((a, b) => Math.abs(a.centre - edge) - Math.abs(b.centre - edge))[0];
  const r = snap(vert, right, -1);
  const l = snap(vert, left, 1);
  const b = snap(horz, bottom, -1);
  const t = snap(horz, top, 1);
  if (r) {
    right = r.centre;
    for (const m of r.members) maskLine(img, lines, m, false);
  }
  if (l && (!r || l.centre < r.centre - 10)) {
    left = l.centre;
    for (const m of l.members) maskLine(img, lines, m, false);
  }
  if (b) bottom = b.centre;
  if (t && (!b || t.centre < b.centre - 10)) top = t.centre;
  return { rect: { left, top, right, bottom }, closed, fromLines: true };
}

/** Per-column and per-row counts of a mask inside a rect. */
export function maskProfile(mask: Uint8Array, w: number, r: { x0: number; y0: number; x1: number; y1: number }): { cols: Uint32Array; rows: Uint32Array } {
  const cols = new Uint32Array(r.x1 - r.x0);
  const rows = new Uint32Array(r.y1 - r.y0);
  for (let y = r.y0; y < r.y1; y++) {
    let n = 0;
    for (let x = r.x0; x < r.x1; x++) {
      if (mask[y * w + x]) {
        cols[x - r.x0]++;
        n++;
      }
    }
    rows[y - r.y0] = n;
  }
  return { cols, rows };
}

/**
 * The extent of ink next to an edge: starting within `reach` of `start` and walking away from the
 * plot while the gaps stay short. Returns [first, last] along the axis, or null.
 */
function inkRun(counts: Uint32Array, start: number, step: 1 | -1, reach: number, maxGap: number, minInk: number): [number, number] | null {
  let first = -1;
  let last = -1;
  let gap = 0;
  let total = 0;
  for (let i = start; i >= 0 && i < counts.length; i += step) {
    if (counts[i] > 0) {
      if (first < 0) first = i;
      last = i;
      gap = 0;
      total += counts[i];
    } else if (first < 0) {
      if (Math.abs(i - start) > reach) return null;
    } else if (++gap > maxGap) break;
  }
  if (first < 0 || total < minInk) return null;
  return step === 1 ? [first, last] : [last, first];
}

export interface LabelStrips {
  priceLabels: Rect | null;
  priceSide: 'left' | 'right' | null;
  timeLabels: Rect | null;
}

/**
 * The price label strip (left or right of the price pane, whichever holds more text) and the time
 * label strip (under the lowest pane). `ink` marks visible non-line pixels.
 */
export function labelStrips(img: RgbaImage, ink: Uint8Array, price: Rect, lowest: Rect, plot: Rect): LabelStrips {
  const { width: w, height: h } = img;
  // Labels centre on their tick, so they overhang the pane by half a text height.
  const pad = 10;
  const band = clampRect({ left: 0, top: price.top - pad, right: w, bottom: price.bottom + pad }, img);
  const { cols } = maskProfile(ink, w, band);
  // Labels sit within a tick's length plus a margin of the axis; text gaps stay under a glyph or two.
  const reach = 30;
  const rightRun = inkRun(cols, Math.min(w - 1, Math.ceil(plot.right) + 1), 1, reach, 14, 20);
  const leftRun = inkRun(cols, Math.max(0, Math.floor(plot.left) - 2), -1, reach, 14, 20);
  const sum = (run: [number, number] | null): number => {
    if (!run) return 0;
    let s = 0;
    for (let x = run[0]; x <= run[1]; x++) s += cols[x];
    return s;
  };
  let priceLabels: Rect | null = null;
  let priceSide: 'left' | 'right' | null = null;
  const rs = sum(rightRun);
  const ls = sum(leftRun);
  if (rightRun && rs >= ls) {
    priceLabels = { left: rightRun[0], top: band.y0, right: rightRun[1] + 1, bottom: band.y1 };
    priceSide = 'right';
  } else if (leftRun) {
    priceLabels = { left: leftRun[0], top: band.y0, right: leftRun[1] + 1, bottom: band.y1 };
    priceSide = 'left';
  }
  // Time labels: rows under the lowest pane, across the plot plus a label's overhang.
  const overhang = Math.round(0.05 * w);
  const tband = clampRect({ left: plot.left - overhang, top: lowest.bottom + 1, right: plot.right + overhang, bottom: h }, img);
  let timeLabels: Rect | null = null;
  if (tband.y1 > tband.y0) {
    const { rows } = maskProfile(ink, w, tband);
    const run = inkRun(rows, 0, 1, reach, 6, 20);
    if (run) timeLabels = { left: tband.x0, top: tband.y0 + run[0], right: tband.x1, bottom: tband.y0 + run[1] + 1 };
  }
  return { priceLabels, priceSide, timeLabels };
}

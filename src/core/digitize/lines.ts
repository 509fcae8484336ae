/**
 * Long straight lines: the axes frame, grid lines, pane separators, level and last-price lines.
 * A line pixel is "thin" across the line (a run of at most 2 similar pixels), and a line is a row
 * (or column) where thin pixels of one colour cover a long stretch. Candle bodies are never thin
 * across their height, so they do not form horizontal lines; a wick is thin but short and alone,
 * which is why vertical lines must come in a set (grid) or sit on the frame to be removed.
 */
import { chebyshev } from './colours.ts';
import type { Rgb, RgbaImage } from './types.ts';

export interface LineSegment {
  /** Row (horizontal line) or column (vertical line). */
  pos: number;
  /** First and last pixel of the stretch along the line (inclusive). */
  from: number;
  to: number;
  colour: Rgb;
  /** Share of the stretch covered by line pixels (dashes and occluding candles lower it). */
  coverage: number;
  /** Vertical lines only: part of a set of equal lines (a grid), so safe to remove. */
  grid?: boolean;
  /** Vertical lines only: a border of the plot (set by the plot-area step). */
  frame?: boolean;
}

export interface Lines {
  horizontal: LineSegment[];
  vertical: LineSegment[];
  /** 1 on the pixels of the lines that were accepted as grid/frame/level lines. */
  mask: Uint8Array;
  /** The background the lines were found against. */
  background: Rgb;
}

/** Faint grid lines are still lines: rgba(0,0,0,0.08) on white is 20 levels off the background. */
const LINE_CONTRAST = 8;
/** Two neighbours "continue" a pixel when no channel differs by more than this. */
const SIM = 10;
/** A line pixel may differ this much from the line's colour (JPEG, anti-aliasing). */
const LINE_COLOUR_TOL = 16;
/** Background gaps in a line are dashes or dots: a dash gap is a few px, never a plot's width. */
const MAX_BG_GAP = 8;

function similar(d: Uint8Array, i: number, j: number): boolean {
  return Math.abs(d[i] - d[j]) <= SIM && Math.abs(d[i + 1] - d[j + 1]) <= SIM && Math.abs(d[i + 2] - d[j + 2]) <= SIM;
}

/**
 * Thin flags: bit 1 = thin vertically (a horizontal-line pixel), bit 2 = thin horizontally (a
 * vertical-line pixel). "Thin" = the run of similar pixels through it, across the line, is <= 2.
 */
function thinFlags(img: RgbaImage, bg: Rgb): Uint8Array {
  const { width: w, height: h, data: d } = img;
  const flags = new Uint8Array(w * h);
  const row = w * 4;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (chebyshev(d, i, bg) < LINE_CONTRAST) continue;
      let f = 0;
      const up = y > 0 && similar(d, i, i - row);
      const dn = y < h - 1 && similar(d, i, i + row);
      const up2 = up && y > 1 && similar(d, i - row, i - 2 * row);
      const dn2 = dn && y < h - 2 && similar(d, i + row, i + 2 * row);
      if (!(up && dn) && !up2 && !dn2) f |= 1;
      const lf = x > 0 && similar(d, i, i - 4);
      const rt = x < w - 1 && similar(d, i, i + 4);
      const lf2 = lf && x > 1 && similar(d, i - 4, i - 8);
      const rt2 = rt && x < w - 2 && similar(d, i + 4, i + 8);
      if (!(lf && rt) && !lf2 && !rt2) f |= 2;
      flags[y * w + x] = f;
    }
  }
  return flags;
}

/**
 * The lines along one row or column: the most common colour among its thin pixels, then every
 * stretch of at least `minLen` pixels of that colour with gaps no longer than `maxGap` (a column
 * can hold a price pane's border and, below a gap, a volume pane's).
 */
function lineAlong(
  img: RgbaImage,
  flags: Uint8Array,
  bit: number,
  pos: number,
  horizontal: boolean,
  maxGap: number,
  hist: Uint32Array,
  idx: Int32Array,
  bg: Rgb,
  minLen: number,
): LineSegment[] {
  const { width: w, height: h, data: d } = img;
  const len = horizontal ? w : h;
  let n = 0;
  for (let t = 0; t < len; t++) {
    const p = horizontal ? pos * w + t : t * w + pos;
    if (flags[p] & bit) idx[n++] = t;
  }
  if (n === 0) return [];
  let bestKey = 0;
  let bestCount = 0;
  const keys: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = horizontal ? pos * w + idx[k] : idx[k] * w + pos;
    const i = p * 4;
    const key = ((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4);
    if (hist[key] === 0) keys.push(key);
    const c = ++hist[key];
    if (c > bestCount) {
      bestCount = c;
      bestKey = key;
    }
  }
  let sr = 0;
  let sg = 0;
  let sb = 0;
  let m = 0;
  for (let k = 0; k < n; k++) {
    const p = horizontal ? pos * w + idx[k] : idx[k] * w + pos;
    const i = p * 4;
    const key = ((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4);
    if (key !== bestKey) continue;
    sr += d[i];
    sg += d[i + 1];
    sb += d[i + 2];
    m++;
  }
  for (const key of keys) hist[key] = 0;
  const colour: Rgb = [Math.round(sr / m), Math.round(sg / m), Math.round(sb / m)];
  // Stretches of line-coloured thin pixels. A gap may be long where something is drawn over the
  // line (candles, volume bars) but only short where it is background (dashes, dots).
  const bgOf = horizontal ? (t: number): boolean => chebyshev(d, (pos * w + t) * 4, bg) < LINE_CONTRAST : (t: number): boolean => chebyshev(d, (t * w + pos) * 4, bg) < LINE_CONTRAST;
  const out: LineSegment[] = [];
  let hits: number[] = [];
  const flush = (): void => {
    if (hits.length < 2 || hits[hits.length - 1] - hits[0] + 1 < minLen) return;
    // A solid line that a background gap splits ended there (a tick, then a label below it);
    // only dashed lines may cross background. Keep the largest piece if it holds 80% of the hits.
    const pieces: number[][] = [[hits[0]]];
    for (let k = 1; k < hits.length; k++) {
      let bgRun = 0;
      for (let u = hits[k - 1] + 1; u < hits[k]; u++) if (bgOf(u)) bgRun++;
      if (bgRun >= 2) pieces.push([]);
      pieces[pieces.length - 1].push(hits[k]);
    }
    const big = pieces.reduce((a, b) => (b.length > a.length ? b : a));
    if (pieces.length > 1 && big.length >= 0.8 * hits.length) hits = big;
    if (hits[hits.length - 1] - hits[0] + 1 < minLen) return;
    // Trim ends where the hits thin out (anti-aliased text past a tick is not the line).
    const overall = hits.length / (hits[hits.length - 1] - hits[0] + 1);
    const WIN = 16;
    let a = 0;
    let b = hits.length - 1;
    const density = (i: number, dir: 1 | -1): number => {
      let c = 0;
      for (let j = i; j >= 0 && j < hits.length && Math.abs(hits[j] - hits[i]) < WIN; j += dir) c++;
      return c / WIN;
    };
    while (a < b && density(a, 1) < 0.5 * overall) a++;
    while (b > a && density(b, -1) < 0.5 * overall) b--;
    const from = hits[a];
    const to = hits[b];
    if (to - from + 1 >= minLen) out.push({ pos, from, to, colour, coverage: (b - a + 1) / (to - from + 1) });
  };
  let last = -1;
  for (let k = 0; k < n; k++) {
    const t = idx[k];
    const p = horizontal ? pos * w + t : t * w + pos;
    if (chebyshev(d, p * 4, colour) > LINE_COLOUR_TOL) continue;
    let join = hits.length > 0 && t - last <= maxGap;
    if (join && t - last > MAX_BG_GAP) {
      let bgRun = 0;
      for (let u = last + 1; u < t && join; u++) {
        if (bgOf(u)) {
          if (++bgRun > MAX_BG_GAP) join = false;
        } else bgRun = 0;
      }
    }
    if (!join) {
      flush();
      hits = [];
    }
    last = t;
    hits.push(t);
  }
  flush();
  return out;
}

/** Share of a line's pixels with background two pixels to either side across it (a line in the open, not a glyph stroke). */
function clearAround(img: RgbaImage, bg: Rgb, seg: LineSegment, horizontal: boolean): number {
  const { width: w, height: h, data: d } = img;
  let n = 0;
  let clear = 0;
  for (let t = seg.from; t <= seg.to; t++) {
    const p = horizontal ? seg.pos * w + t : t * w + seg.pos;
    if (chebyshev(d, p * 4, seg.colour) > LINE_COLOUR_TOL) continue;
    n++;
    const off = horizontal ? 2 * w : 2;
    const inA = horizontal ? seg.pos >= 2 : seg.pos >= 2;
    const inB = horizontal ? seg.pos < h - 2 : seg.pos < w - 2;
    const a = !inA || chebyshev(d, (p - off) * 4, bg) < LINE_CONTRAST;
    const b = !inB || chebyshev(d, (p + off) * 4, bg) < LINE_CONTRAST;
    if (a || b) clear++;
  }
  return n ? clear / n : 0;
}

/**
 * Mask a line's pixels: its colour, and its colour at part coverage over the background (the
 * anti-aliased ends of dashes, a half-covered row), which would otherwise read as bar ink when
 * a level line is drawn in a bar's colour.
 */
function markLine(img: RgbaImage, mask: Uint8Array, seg: LineSegment, horizontal: boolean, bg: Rgb): void {
  const { width: w, data: d } = img;
  const vx = seg.colour[0] - bg[0];
  const vy = seg.colour[1] - bg[1];
  const vz = seg.colour[2] - bg[2];
  const m2 = vx * vx + vy * vy + vz * vz;
  for (let t = seg.from; t <= seg.to; t++) {
    const p = horizontal ? seg.pos * w + t : t * w + seg.pos;
    const i = p * 4;
    if (chebyshev(d, i, seg.colour) <= LINE_COLOUR_TOL) {
      mask[p] = 1;
      continue;
    }
    if (m2 === 0) continue;
    const dr = d[i] - bg[0];
    const dg = d[i + 1] - bg[1];
    const db = d[i + 2] - bg[2];
    const a = (dr * vx + dg * vy + db * vz) / m2;
    if (a < 0.25 || a > 1.2) continue;
    const res = Math.hypot(dr - a * vx, dg - a * vy, db - a * vz);
    if (res <= 12 + 0.25 * Math.hypot(dr, dg, db)) mask[p] = 1;
  }
}

/** Find the long horizontal and vertical lines of an image and mask the ones that are safe to remove. */
export function findLines(img: RgbaImage, bg: Rgb): Lines {
  const { width: w, height: h } = img;
  const flags = thinFlags(img, bg);
  const rowCount = new Uint32Array(h);
  const colCount = new Uint32Array(w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const f = flags[y * w + x];
      if (f & 1) rowCount[y]++;
      if (f & 2) colCount[x]++;
    }
  }
  const hist = new Uint32Array(4096);
  const idx = new Int32Array(Math.max(w, h));
  const mask = new Uint8Array(w * h);
  const horizontal: LineSegment[] = [];
  // A grid line spans most of the plot; a quarter of the image is the least a plot can be.
  const minH = 0.25 * w;
  // Something drawn over a line (a wide candle, a volume bar) leaves a gap of up to a tenth of the
  // image; background gaps are only dashes (MAX_BG_GAP).
  const gapH = Math.max(24, Math.round(w / 10));
  for (let y = 0; y < h; y++) {
    if (rowCount[y] < 0.15 * w) continue;
    for (const seg of lineAlong(img, flags, 1, y, true, gapH, hist, idx, bg, minH)) {
      // Dotted lines (1 on, 2 off) cover a third; candles crossing a grid line cost some more.
      // And a line runs in the open: text strokes have ink right above or below them.
      if (seg.coverage >= 0.25 && clearAround(img, bg, seg, true) >= 0.5) {
        horizontal.push(seg);
        markLine(img, mask, seg, true, bg);
      }
    }
  }
  const candidates: LineSegment[] = [];
  // A volume pane can be an eighth of the image; its frame and grid still count as lines.
  const minV = 0.12 * h;
  const gapV = Math.max(24, Math.round(h / 10));
  for (let x = 0; x < w; x++) {
    if (colCount[x] < 0.1 * h) continue;
    // Vertical grid lines are usually solid; a long wick with its body is covered less.
    for (const seg of lineAlong(img, flags, 2, x, false, gapV, hist, idx, bg, minV)) {
      if (seg.coverage >= 0.5 && clearAround(img, bg, seg, false) >= 0.5) candidates.push(seg);
    }
  }
  // A wick can be as long as a grid line, but a grid comes as a set of 3+ lines of one colour with
  // the same ends; only those are removed here (frame borders are confirmed by the plot area).
  // Bars drawn over a grid line's end (volume bars) move one end, never both; lines shorter than a
  // quarter of the image (a lower pane's) must match at both ends, since wicks can share a high or
  // a low row but hardly both.
  const sameSet = (a: LineSegment, b: LineSegment): boolean =>
    Math.abs(a.pos - b.pos) > 2 &&
    (Math.abs(a.from - b.from) <= 3 || Math.abs(a.to - b.to) <= 3) &&
    (a.to - a.from >= 0.25 * h || (Math.abs(a.from - b.from) <= 3 && Math.abs(a.to - b.to) <= 3)) &&
    Math.max(Math.abs(a.colour[0] - b.colour[0]), Math.abs(a.colour[1] - b.colour[1]), Math.abs(a.colour[2] - b.colour[2])) <= 16;
  for (const seg of candidates) {
    // Count distinct x positions (an anti-aliased line occupies 2-3 adjacent columns).
    const xs = candidates.filter((o) => o === seg || sameSet(seg, o)).map((o) => o.pos).sort((a, b) => a - b);
    let sets = 1;
    for (let i = 1; i < xs.length; i++) if (xs[i] - xs[i - 1] > 2) sets++;
    seg.grid = sets >= 3;
    if (seg.grid) markLine(img, mask, seg, false, bg);
  }
  return { horizontal, vertical: candidates, mask, background: bg };
}

/** Mask one more line (a frame side confirmed later). */
export function maskLine(img: RgbaImage, lines: Lines, seg: LineSegment, horizontal: boolean): void {
  markLine(img, lines.mask, seg, horizontal, lines.background);
}

/**
 * The column scan. Bars sit on a regular lattice (an index time axis): the spacing comes from the
 * autocorrelation of the per-column ink, the phase and exact spacing from a fit of the bars'
 * centres. Each lattice slot is then read on its own: the wick (or OHLC line) is the vertical run
 * through the slot's centre, the body the rows where the ink is wider than the wick, the OHLC
 * ticks the rows where it reaches out to one side only. Sub-pixel ends come from the coverage of
 * the anti-aliased end rows.
 */
import type { Classified } from './colours.ts';

/** The classified pixels of one pane, with its integer bounds (x1/y1 exclusive). */
export interface PaneMasks extends Classified {
  width: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** 1 on removed line pixels (grid, frame, level lines). */
  lines: Uint8Array;
}

/** Flag in SlotScratch.occ: the row is a hollow body's inside (outline on both sides). */
const HOLLOW_ROW = 2;
/** Column ink ignores blends under a third: JPEG ringing around bars reaches 10-25%. */
const INK_FLOOR = 90;
/** A pixel counts as solid ink at half coverage or more. */
const SOLID = 128;
/** Ink down to this coverage still joins a row's segment (anti-aliased body edges). */
const EDGE = 77;

/**
 * Coverage-weighted ink of the given labels per column of the pane (label 0 = any label). Partial
 * pixels count in part, so a bar's column profile does not flip with its sub-pixel phase.
 */
export function columnInk(m: PaneMasks, only = 0): Float64Array {
  const out = new Float64Array(m.x1 - m.x0);
  for (let y = m.y0; y < m.y1; y++) {
    const row = y * m.width;
    for (let x = m.x0; x < m.x1; x++) {
      const l = m.label[row + x];
      if (l && (only === 0 || l === only) && m.alpha[row + x] >= INK_FLOOR) out[x - m.x0] += m.alpha[row + x] / 255;
    }
  }
  return out;
}

/**
 * The bar spacing in px from the autocorrelation of log(1 + ink) per column (high-passed): the smallest lag
 * whose peak is within 60% of the best (the fundamental, not a multiple), refined on harmonics;
 * plus fractions of it that also peak (candidates when pixel snapping favours two bars).
 */
export function estimateSpacing(ink: Float64Array): { spacing: number; subs: number[] } | null {
  const n = ink.length;
  if (n < 16) return null;
  const sig = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) sig[i] = Math.log1p(ink[i]);
  // High-pass: take out the slow swing of bar sizes along the price path (a local mean over
  // 7 columns), leaving the bar-to-gap alternation the spacing is read from.
  {
    const R = 3;
    const c = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) c[i + 1] = c[i] + sig[i];
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = Math.max(0, i - R);
      const b = Math.min(n, i + R + 1);
      out[i] = sig[i] - (c[b] - c[a]) / (b - a);
    }
    sig.set(out);
  }
  for (let i = 0; i < n; i++) mean += sig[i];
  mean /= n;
  for (let i = 0; i < n; i++) sig[i] -= mean;
  let r0 = 0;
  for (let i = 0; i < n; i++) r0 += sig[i] * sig[i];
  if (r0 === 0) return null;
  // At least 4 bars must fit in the pane for a spacing to mean anything.
  const maxLag = Math.floor(n / 4);
  if (maxLag < 3) return null;
  // Autocorrelation at quarter-pixel lags (linear interpolation): a spacing of 4.5 px peaks
  // between the integer lags 4 and 5, and would lose to its own harmonic at 9 px otherwise.
  const STEP = 0.25;
  const m = Math.floor(maxLag / STEP) + 2;
  const r = new Float64Array(m);
  const at = (tau: number): number => {
    const k = Math.floor(tau);
    const f = tau - k;
    let s = 0;
    for (let i = 0; i + k + 1 < n; i++) s += sig[i] * (sig[i + k] * (1 - f) + sig[i + k + 1] * f);
    return s / (n - k - 1) / (r0 / n);
  };
  for (let j = Math.round(2 / STEP) - 1; j < m; j++) r[j] = at(j * STEP);
  const j0 = Math.round(2 / STEP);
  let best = 0;
  for (let j = j0; j < m - 1; j++) if (r[j] > best) best = r[j];
  if (best <= 0.05) return null;
  let first = -1;
  for (let j = j0; j < m - 1; j++) {
    if (r[j] >= r[j - 1] && r[j] >= r[j + 1] && r[j] >= 0.6 * best) {
      first = j;
      break;
    }
  }
  if (first < 0) return null;
  const refine = (j: number): number => {
    const a = r[j - 1];
    const b = r[j];
    const c = r[j + 1];
    const den = a - 2 * b + c;
    return (den < 0 ? j + (0.5 * (a - c)) / den : j) * STEP;
  };
  let s = refine(first);
  // Walk out along the harmonics (2s, 4s, 8s, ...): each pins the spacing down further, and
  // stepping by doubling keeps every guess within reach of its true peak.
  for (let k = 2; k * s <= maxLag - 1; k *= 2) {
    const guess = Math.round((k * s) / STEP);
    let peak = -1;
    for (let j = Math.max(j0, guess - 6); j <= Math.min(m - 2, guess + 6); j++) if (peak < 0 || r[j] > r[peak]) peak = j;
    if (peak > j0 && peak < m - 2 && r[peak] >= r[peak - 1] && r[peak] >= r[peak + 1] && r[peak] > 0.3 * best) s = refine(peak) / k;
    else break;
  }
  // Pixel snapping (bars at alternating 4 and 5 px, say) makes a pattern that repeats every two
  // bars exactly, and that can beat the one-bar period. A positive peak at s/2 or s/3 is kept as
  // a candidate; the caller tells them apart by reading the slots.
  const subs: number[] = [];
  for (const d of [2, 3]) {
    const j = Math.round(s / d / STEP);
    if (s / d < 2 || j - 2 < 1 || j + 2 >= m) continue;
    let peak = j - 2;
    for (let q = j - 2; q <= j + 2; q++) if (r[q] > r[peak]) peak = q;
    // The harmonics fixed s precisely; s/d is more exact than a (flat, phase-blurred) sub-peak.
    if (r[peak] > 0.05 && r[peak] >= r[peak - 1] && r[peak] >= r[peak + 1]) subs.push(s / d);
  }
  return { spacing: s, subs };
}

/** Bar centres a first guess can be fitted to: isolated ink groups, else the tallest columns. */
export function centreCandidates(ink: Float64Array, spacing: number, x0: number): number[] {
  const out: number[] = [];
  const n = ink.length;
  let i = 0;
  let groups = 0;
  while (i < n) {
    if (ink[i] <= 0) {
      i++;
      continue;
    }
    let j = i;
    let sum = 0;
    let sx = 0;
    while (j < n && ink[j] > 0) {
      sum += ink[j];
      sx += ink[j] * j;
      j++;
    }
    groups++;
    if (j - i <= 1.4 * spacing) out.push(x0 + sx / sum + 0.5);
    i = j;
  }
  if (out.length >= Math.max(3, 0.3 * groups)) return out;
  // Touching bars: the wick or OHLC line is the tallest column of its bar.
  const peaks: number[] = [];
  const half = Math.max(1, Math.floor(spacing / 2));
  for (let x = 0; x < n; x++) {
    if (ink[x] <= 0) continue;
    let isMax = true;
    for (let k = Math.max(0, x - half); k <= Math.min(n - 1, x + half) && isMax; k++) if (ink[k] > ink[x] || (ink[k] === ink[x] && k < x)) isMax = false;
    if (isMax) peaks.push(x0 + x + 0.5);
  }
  return peaks;
}

/**
 * Fit centres to x = origin + spacing * k: the phase is the mode of the centres' phases (a
 * circular histogram, so stray candidates do not pull it), then least squares over the centres
 * within a quarter spacing of the lattice, repeated so a small spacing error cannot drift.
 */
export function fitLattice(centres: readonly number[], spacing: number): { origin: number; spacing: number } | null {
  if (centres.length < 2) return null;
  // The phase comes from the centres within 10 spacings of the middle one, where a spacing
  // error of a percent drifts by a tenth of a spacing at most.
  const sortedC = [...centres].sort((a, b) => a - b);
  const mid = sortedC[Math.floor(sortedC.length / 2)];
  const near = sortedC.filter((c) => Math.abs(c - mid) <= 10 * spacing);
  const BINS = 16;
  const hist = new Float64Array(BINS);
  for (const c of near) {
    const ph = (((c / spacing) % 1) + 1) % 1;
    hist[Math.floor(ph * BINS) % BINS]++;
  }
  let mode = 0;
  for (let b = 1; b < BINS; b++) if (hist[b - 1 < 0 ? BINS - 1 : b - 1] + hist[b] + hist[(b + 1) % BINS] > hist[(mode + BINS - 1) % BINS] + hist[mode] + hist[(mode + 1) % BINS]) mode = b;
  // Circular mean of the phases near the mode.
  let sc = 0;
  let ss = 0;
  for (const c of near) {
    const ph = (((c / spacing) % 1) + 1) % 1;
    let d = ph - (mode + 0.5) / BINS;
    d -= Math.round(d);
    if (Math.abs(d) > 1.5 / BINS) continue;
    sc += Math.cos(2 * Math.PI * ph);
    ss += Math.sin(2 * Math.PI * ph);
  }
  const phase = ((Math.atan2(ss, sc) / (2 * Math.PI)) % 1 + 1) % 1;
  let origin = phase * spacing;
  let s = spacing;
  // Grow the fit outwards from the middle, where a spacing error has drifted least.
  let reach = 10 * spacing;
  for (let iter = 0; iter < 8; iter++) {
    const ks: number[] = [];
    const vs: number[] = [];
    for (const x of centres) {
      if (Math.abs(x - mid) > reach) continue;
      const k = Math.round((x - origin) / s);
      if (Math.abs(x - origin - k * s) <= 0.25 * s) {
        ks.push(k);
        vs.push(x);
      }
    }
    reach *= 2;
    if (ks.length < 2) continue;
    const mk = ks.reduce((a, b) => a + b, 0) / ks.length;
    const mx = vs.reduce((a, b) => a + b, 0) / vs.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < ks.length; i++) {
      num += (ks[i] - mk) * (vs[i] - mx);
      den += (ks[i] - mk) ** 2;
    }
    if (den === 0) continue;
    const s2 = num / den;
    // The fit refines the spacing; it may not turn it into another one.
    if (!(s2 > 0.9 * spacing && s2 < 1.1 * spacing)) break;
    s = s2;
    origin = mx - s * mk;
  }
  return { origin, spacing: s };
}

/** Scratch rows reused across slots (one pane's height each). */
export interface SlotScratch {
  core: Float64Array;
  cov: Float64Array;
  ext: Int32Array;
  left: Int32Array;
  right: Int32Array;
  occ: Uint8Array;
  /** Coverage sticking out left / right of the wick (line) in each row: bodies and OHLC ticks. */
  lx: Float64Array;
  rx: Float64Array;
}

export function slotScratch(height: number): SlotScratch {
  return {
    core: new Float64Array(height),
    cov: new Float64Array(height),
    ext: new Int32Array(height),
    left: new Int32Array(height),
    right: new Int32Array(height),
    occ: new Uint8Array(height),
    lx: new Float64Array(height),
    rx: new Float64Array(height),
  };
}

/** A vertical run of rows through a slot's centre (pane-relative rows, inclusive). */
export interface SlotRun {
  r0: number;
  r1: number;
  /** The slot colour's coverage over the whole slot width in these rows, px. */
  mass: number;
  bridged: number;
  /** Share of the run's rows that look like a bar row (one stretch of ink), 0..1. */
  clean: number;
}

/** What one lattice slot holds, before the global decisions (kind, widths, colours). */
export interface SlotProfile {
  /** Lattice centre of the slot and the window read ([xa, xb] inclusive). */
  centre: number;
  xa: number;
  xb: number;
  /** The colour label (1-based) that dominates the slot, and its share of the slot's solid ink. */
  label: number;
  purity: number;
  /** The vertical run through the centre: first/last row (pane-relative, inclusive). */
  r0: number;
  r1: number;
  /** Share of the kept run's rows that look like bar rows (text scores low). */
  clean: number;
  /** Every run through the centre (the bar and, say, a label above it); r0/r1 is the one kept. */
  runs: SlotRun[];
  /** Rows bridged over occluders (moving averages, labels drawn over the bar). */
  bridged: number;
  /** Sub-pixel x of the bar's centre (coverage centroid of the run). */
  x: number;
  /** Narrowest and widest row extents in the run. */
  minExt: number;
  maxExt: number;
  /** Largest row coverage in the run, px (a body's full width as coverage). */
  maxCov: number;
  /** Solid ink of the slot's colour on its first and last column (a line chart's curve runs through every slot edge; bars leave gaps). */
  edgeLeft: number;
  edgeRight: number;
  /** The wick's coverage per row (a low percentile of the rows' coverage), px. */
  lineCov: number;
  /** Rows reaching out on both sides (a body) / only the left / only the right (OHLC ticks). */
  both: number;
  leftOnly: number;
  rightOnly: number;
}

/**
 * Profile a slot: the dominant colour, the vertical run through the centre (bridging short
 * occlusions), and per-row extents and coverage in `scratch` (indexed by pane row).
 */
export function profileSlot(
  m: PaneMasks,
  centre: number,
  spacing: number,
  scratch: SlotScratch,
  lineWidth?: number,
  pick?: { r0: number; r1: number },
): SlotProfile | null {
  const { width: w, label, alpha, other, lines } = m;
  let xa = Math.max(m.x0, Math.ceil(centre - spacing / 2));
  let xb = Math.min(m.x1 - 1, Math.ceil(centre + spacing / 2) - 1);
  if (xb < xa) return null;
  // The dominant label among the solid pixels of the slot's middle half.
  const counts = [0, 0, 0, 0, 0, 0, 0, 0];
  // (Exactly half a spacing wide: a wider count lets a neighbour's tall body outvote this bar.)
  const ma = Math.max(xa, Math.round(centre - spacing / 4));
  const mb = Math.min(xb, Math.max(ma, Math.round(centre + spacing / 4) - 1));
  let total = 0;
  for (let y = m.y0; y < m.y1; y++) {
    const row = y * w;
    for (let x = ma; x <= mb; x++) {
      const l = label[row + x];
      if (l && alpha[row + x] >= SOLID) {
        counts[l & 7]++;
        total++;
      }
    }
  }
  if (total === 0) return null;
  let lab = 1;
  for (let l = 2; l < 8; l++) if (counts[l] > counts[lab]) lab = l;
  // The core: where the wick/line can be, allowing the lattice a pixel of play.
  const hc = Math.max(1.5, 0.2 * spacing);
  const h = m.y1 - m.y0;
  const { core, occ } = scratch;
  let ca = 0;
  let cb = 0;
  /** Core coverage and occlusion per row around `cen`; returns the wick's coverage centroid. */
  const corePass = (cen: number): number => {
    ca = Math.max(xa, Math.round(cen - hc));
    cb = Math.min(xb, Math.round(cen + hc) - 1);
    // The wick's centre from the rows where the core holds a wick only (up to 2.5 px of ink):
    // body rows span the core and would pull the centre to the core's middle.
    let wsx = 0;
    let wsa = 0;
    let bsx = 0;
    let bsa = 0;
    for (let r = 0; r < h; r++) {
      const row = (m.y0 + r) * w;
      let s = 0;
      let sx = 0;
      let o = 0;
      for (let x = ca; x <= cb; x++) {
        const p = row + x;
        if (label[p] === lab) {
          s += alpha[p] / 255;
          sx += (x + 0.5) * (alpha[p] / 255);
        } else if (other[p] || lines[p] || label[p]) o = 1;
      }
      if (s >= 0.4 && s <= 2.5) {
        wsx += sx;
        wsa += s;
      } else if (s > 2.5) {
        bsx += sx;
        bsa += s;
      }
      core[r] = s;
      occ[r] = o;
    }
    return wsa > 0 ? wsx / wsa : bsa > 0 ? bsx / bsa : cen;
  };
  let wickX = corePass(centre);
  // Bars sit on the lattice to within pixel snapping; centre the window on the bar itself so a
  // body as wide as the slot keeps both its edges inside it.
  if (Math.abs(wickX - centre) > 0.25 && Math.abs(wickX - centre) <= 0.3 * spacing) {
    xa = Math.max(m.x0, Math.ceil(wickX - spacing / 2));
    xb = Math.min(m.x1 - 1, Math.ceil(wickX + spacing / 2) - 1);
    wickX = corePass(wickX);
  }
  // A hollow body's inside: outline ink at the same distance on both sides of an empty core
  // counts as present. The outline lies inside the slot (a touching neighbour's edge would sit
  // on the slot's boundary, half a spacing out).
  for (let r = 0; r < h; r++) {
    if (core[r] >= 0.4) continue;
    const row = (m.y0 + r) * w;
    let l = -1;
    let rr = -1;
    // Look half a spacing out from the wick, not just inside the window: the window follows the
    // lattice, which may sit a pixel off a bar whose body is nearly as wide as the slot.
    const lo = Math.max(m.x0, Math.floor(wickX - 0.5 * spacing));
    const hi = Math.min(m.x1 - 1, Math.ceil(wickX + 0.5 * spacing));
    for (let x = ca - 1; x >= lo && l < 0; x--) if (label[row + x] === lab && alpha[row + x] >= SOLID) l = x;
    for (let x = cb + 1; x <= hi && rr < 0; x++) if (label[row + x] === lab && alpha[row + x] >= SOLID) rr = x;
    const dl = wickX - (l + 0.5);
    const dr = rr + 0.5 - wickX;
    if (l >= 0 && rr >= 0 && Math.abs(dl - dr) <= 2 && Math.max(dl, dr) <= 0.47 * spacing) {
      core[r] = 0.4;
      occ[r] |= HOLLOW_ROW;
      scratch.left[r] = l;
      scratch.right[r] = rr;
    }
  }
  // Runs of present rows (core coverage >= 0.4 px), bridging <= 4 occluded rows. The run kept is
  // the caller's pick (see chooseRuns), else the one holding the most ink over the whole slot.
  const PRESENT = 0.4;
  const MAX_BRIDGE = 4;
  const runs: SlotRun[] = [];
  let r = 0;
  while (r < h) {
    if (core[r] < PRESENT) {
      r++;
      continue;
    }
    const r0 = r;
    let r1 = r;
    let bridged = 0;
    let k = r + 1;
    while (k < h) {
      if (core[k] >= PRESENT) {
        r1 = k;
        k++;
        continue;
      }
      let g = k;
      while (g < h && core[g] < PRESENT && occ[g] && g - k < MAX_BRIDGE) g++;
      if (g < h && core[g] >= PRESENT && g > k) {
        bridged += g - k;
        k = g;
        continue;
      }
      break;
    }
    // Mass, and how many rows are not bar-like: a bar row is one stretch of ink (two, for a
    // hollow body's sides around an empty core) short of the slot's edges; text has several
    // strokes side by side, a line runs through the slot.
    let mass = 0;
    let messy = 0;
    let maxA = 0;
    let interior = false;
    let crossRun = 0;
    for (let q = r0; q <= r1; q++) {
      const row = (m.y0 + q) * w;
      let segs = 0;
      let inSeg = false;
      let gap = 0;
      for (let x = xa; x <= xb; x++) {
        const p = row + x;
        if (label[p] === lab) {
          mass += alpha[p];
          if (alpha[p] > maxA) maxA = alpha[p];
          if (alpha[p] >= 153 && x > xa && label[p - 1] === lab && alpha[p - 1] >= 153) interior = true;
        }
        const ink = label[p] === lab && alpha[p] >= EDGE && x > xa && x < xb;
        if (ink) {
          if (!inSeg) segs++;
          inSeg = true;
          gap = 0;
        } else if (inSeg && (other[p] || lines[p]) && ++gap <= 2) {
          // through a pixel or two of something drawn over the bar
        } else inSeg = false;
      }
      // A row inked solidly from one edge of the slot to the other may be a line crossing it.
      const solid = (x: number): boolean => label[row + x] === lab && alpha[row + x] >= SOLID;
      const crossing = segs === 1 && xb - xa >= 3 && solid(xa) && solid(xa + 1) && solid(xb - 1) && solid(xb);
      if (segs >= 3 || (segs === 2 && !(occ[q] & HOLLOW_ROW))) messy++;
      else if (crossing) {
        crossRun++;
        continue;
      }
      // A crossing at most 3 rows tall is a line through the slot; a taller one is the bodies of
      // bars that touch their neighbours (dense charts), which is fine.
      if (crossRun > 0 && crossRun <= 3) messy += crossRun;
      crossRun = 0;
    }
    if (crossRun > 0 && crossRun <= 3) messy += crossRun;
    // Bars are drawn opaque: ink two pixels wide (so not just an anti-aliased 1-px line) that
    // never reaches 80% strength is a translucent overlay in the bar's colour (a level's label,
    // a mark), and counts as not bar-like.
    const opaque = !(interior && maxA < 204);
    runs.push({ r0, r1, mass: mass / 255, bridged, clean: (1 - messy / (r1 - r0 + 1)) * (opaque ? 1 : 0.25) });
    r = r1 + 1;
  }
  let best: SlotRun | null = null;
  if (pick && runs.length) {
    const d = (u: SlotRun): number => Math.max(0, u.r0 - pick.r1, pick.r0 - u.r1);
    best = runs.reduce((a, b) => (d(b) < d(a) || (d(b) === d(a) && b.mass > a.mass) ? b : a));
  } else {
    for (const u of runs) if (!best || u.mass * u.clean > best.mass * best.clean) best = u;
  }
  if (!best) return null;
  // Per-row extents: the segment of the label around the centre, through short occlusions.
  const { cov, ext, left, right } = scratch;
  let sx = 0;
  let sa = 0;
  for (let q = best.r0; q <= best.r1; q++) {
    const row = (m.y0 + q) * w;
    for (let x = ca; x <= cb; x++) {
      if (label[row + x] === lab) {
        sx += (x + 0.5) * alpha[row + x];
        sa += alpha[row + x];
      }
    }
  }
  const cx = sa > 0 ? sx / sa : centre;
  const ix = Math.min(xb, Math.max(xa, Math.floor(cx)));
  let minExt = Infinity;
  let maxExt = 0;
  let both = 0;
  let leftOnly = 0;
  let rightOnly = 0;
  for (let q = best.r0; q <= best.r1; q++) {
    const row = (m.y0 + q) * w;
    const ink = (x: number): boolean => label[row + x] === lab && alpha[row + x] >= EDGE;
    const passable = (x: number): boolean => ink(x) || other[row + x] === 1 || lines[row + x] === 1;
    if (occ[q] & HOLLOW_ROW) {
      // A hollow body's inside: the outline columns found above (possibly just past the window).
      ext[q] = right[q] - left[q] + 1;
      let c = 0;
      for (let x = Math.max(m.x0, left[q] - 1); x <= Math.min(m.x1 - 1, right[q] + 1); x++) if (label[row + x] === lab) c += alpha[row + x] / 255;
      cov[q] = c;
      if (ext[q] < minExt) minExt = ext[q];
      if (ext[q] > maxExt) maxExt = ext[q];
      continue;
    }
    // Seed: the inked column nearest the centre within the core.
    let seed = -1;
    for (let d = 0; d <= cb - ca + 1 && seed < 0; d++) {
      if (ix - d >= xa && ink(ix - d)) seed = ix - d;
      else if (ix + d <= xb && ink(ix + d)) seed = ix + d;
    }
    if (seed < 0) {
      ext[q] = 0;
      left[q] = ix;
      right[q] = ix;
      cov[q] = 0;
      continue;
    }
    let lo = seed;
    let hi = seed;
    // Walk out through ink, and through up to 2 occluding pixels if ink resumes after them.
    for (let x = seed - 1; x >= xa; x--) {
      if (ink(x)) lo = x;
      else if (!(passable(x) && x - 1 >= xa && (ink(x - 1) || (passable(x - 1) && x - 2 >= xa && ink(x - 2))))) break;
    }
    for (let x = seed + 1; x <= xb; x++) {
      if (ink(x)) hi = x;
      else if (!(passable(x) && x + 1 <= xb && (ink(x + 1) || (passable(x + 1) && x + 2 <= xb && ink(x + 2))))) break;
    }
    // A hollow body's inside row: outline ink on both sides of an empty middle.
    if (hi - lo <= 1) {
      let l2 = -1;
      let r2 = -1;
      for (let x = xa; x <= xb; x++) {
        if (ink(x)) {
          if (l2 < 0) l2 = x;
          r2 = x;
        }
      }
      if (l2 >= 0 && l2 < cx - 1 && r2 > cx && Math.abs(cx - l2 - (r2 + 1 - cx)) <= 2.5) {
        lo = l2;
        hi = r2;
      }
    }
    left[q] = lo;
    right[q] = hi;
    ext[q] = hi - lo + 1;
    let c = 0;
    for (let x = Math.max(xa, lo - 1); x <= Math.min(xb, hi + 1); x++) if (label[row + x] === lab) c += alpha[row + x] / 255;
    cov[q] = c;
    if (ext[q] < minExt) minExt = ext[q];
    if (ext[q] > maxExt) maxExt = ext[q];
  }
  if (!Number.isFinite(minExt)) minExt = 0;
  // The wick's width as coverage, from the narrowest rows, unless the caller knows it from all bars.
  const covs: number[] = [];
  const narrow: number[] = [];
  for (let q = best.r0; q <= best.r1; q++) {
    if (cov[q] <= 0) continue;
    covs.push(cov[q]);
    if (ext[q] <= minExt + 1 && !(occ[q] & HOLLOW_ROW)) narrow.push(cov[q]);
  }
  covs.sort((a, b) => a - b);
  narrow.sort((a, b) => a - b);
  // The median of the narrowest rows (the wick's); without such rows, the bar's lowest quarter.
  const lineCov = narrow.length >= 2 ? narrow[Math.floor(narrow.length / 2)] : covs.length ? covs[Math.floor(covs.length / 4)] : 1;
  const lw = lineWidth ?? lineCov;
  // What sticks out of a line of width lw centred on cx, per row and side: the coverage beyond
  // the line's own (analytic) anti-aliased profile.
  const { lx, rx } = scratch;
  const lineA = cx - lw / 2;
  const lineB = cx + lw / 2;
  const mid = Math.floor(cx);
  for (let q = best.r0; q <= best.r1; q++) {
    const row = (m.y0 + q) * w;
    let l = 0;
    let rr = 0;
    for (let x = Math.max(m.x0, left[q] - 1); x <= Math.min(m.x1 - 1, right[q] + 1); x++) {
      if (label[row + x] !== lab || x === mid) continue;
      const own = Math.max(0, Math.min(x + 1, lineB) - Math.max(x, lineA));
      const excess = alpha[row + x] / 255 - own;
      if (excess <= 0) continue;
      if (x < mid) l += excess;
      else rr += excess;
    }
    lx[q] = l;
    rx[q] = rr;
    // Half a pixel out on a side is a tick or a body edge; a quarter is anti-aliasing noise.
    if (l >= 0.5 && rr >= 0.5) both++;
    else if (l >= 0.5 && rr < 0.25) leftOnly++;
    else if (rr >= 0.5 && l < 0.25) rightOnly++;
  }
  let edgeLeft = 0;
  let edgeRight = 0;
  for (let q = 0; q < h; q++) {
    const row = (m.y0 + q) * w;
    if (label[row + xa] === lab && alpha[row + xa] >= SOLID) edgeLeft++;
    if (label[row + xb] === lab && alpha[row + xb] >= SOLID) edgeRight++;
  }
  return {
    centre,
    xa,
    edgeLeft,
    edgeRight,
    xb,
    label: lab,
    purity: counts[lab] / total,
    r0: best.r0,
    r1: best.r1,
    clean: best.clean,
    runs,
    bridged: best.bridged,
    x: cx,
    minExt,
    maxExt,
    maxCov: covs.length ? covs[covs.length - 1] : 0,
    lineCov,
    both,
    leftOnly,
    rightOnly,
  };
}

/** The widths every bar shares, measured over all slots. */
export interface BarWidths {
  /** Width of the wick / OHLC line in px. */
  wick: number;
  /** Width of a candle body (or the reach of an OHLC tick plus the line). */
  body: number;
  /** The same two as coverage per row, px (anti-aliased edges count in part). */
  lineCov: number;
  bodyCov: number;
}

/** What a slot reads as, in pane-relative continuous rows (add the pane's y0 for image rows). */
export interface SlotReading {
  x: number;
  label: number;
  high: number;
  low: number;
  /** Candle body top/bottom, or OHLC open/close tick rows; NaN when not seen. */
  bodyTop: number;
  bodyBottom: number;
  openTick: number;
  closeTick: number;
  hollow: boolean;
  /** The body is as wide as the bodies of other bars (or there is a tick on each side). */
  shapeOk: boolean;
  clipped: boolean;
  purity: number;
  bridged: number;
  clean: number;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * The sub-pixel top of a run of rows [t, ...] given each row's coverage fraction f: the first
 * full row's top minus what the rows just above it cover.
 */
function edgeTop(f: (q: number) => number, t: number, lo: number): number {
  return t + (1 - f(t)) - (t - 1 >= lo ? f(t - 1) : 0);
}

function edgeBottom(f: (q: number) => number, b: number, hi: number): number {
  return b + f(b) + (b + 1 <= hi ? f(b + 1) : 0);
}

/** Read a profiled slot as a candle (kind 'candle') or an OHLC bar (kind 'ohlc'). */
export function readSlot(p: SlotProfile, s: SlotScratch, widths: BarWidths, kind: 'candle' | 'ohlc', paneRows: number): SlotReading {
  const { core, cov, ext, left, right } = s;
  const { r0, r1 } = p;
  // The wick's own coverage per core row: the median over rows no wider than the wick.
  const wickRows: number[] = [];
  for (let q = r0; q <= r1; q++) if (ext[q] <= widths.wick + 1 && core[q] > 0) wickRows.push(core[q]);
  wickRows.sort((a, b) => a - b);
  const wickCov = wickRows.length >= 3 ? Math.max(0.6, wickRows[Math.floor(wickRows.length / 2)]) : Math.max(0.6, Math.min(widths.wick, 2));
  const fWick = (q: number): number => (q < 0 || q >= paneRows ? 0 : clamp01(core[q] / wickCov));
  // Extend the run by the anti-aliased rows just outside it.
  const high = edgeTop(fWick, r0, 0);
  const low = edgeBottom(fWick, r1, paneRows - 1);
  const clipped = r0 <= 0 || r1 >= paneRows - 1;
  let bodyTop = Number.NaN;
  let bodyBottom = Number.NaN;
  let openTick = Number.NaN;
  let closeTick = Number.NaN;
  let hollow = false;
  let shapeOk: boolean;
  if (kind === 'candle') {
    // Body rows: wider than halfway from the wick to the common body width.
    const thr = Math.max(widths.wick + 1, widths.wick + 0.5 * (widths.body - widths.wick));
    // The longest block of body rows, through up to 3 rows that are occluded (a moving average).
    let bt = -1;
    let bb = -1;
    let cur0 = -1;
    let cur1 = -1;
    let gap = 0;
    for (let q = r0; q <= r1 + 1; q++) {
      // A body row reaches out of the wick on both sides by half the body's excess over the
      // wick (coverage, so an anti-aliased 1-px wick spread over two columns is no body), or is a
      // hollow body's inside: outline ink on both sides.
      const out = q <= r1 ? s.lx[q] + s.rx[q] : 0;
      const isBody =
        q <= r1 &&
        ext[q] <= widths.body * 1.6 + 2 &&
        (out >= Math.max(0.6, 0.5 * (widths.bodyCov - widths.lineCov)) || (ext[q] >= thr && s.lx[q] >= 0.5 && s.rx[q] >= 0.5));
      if (isBody) {
        if (cur0 < 0) cur0 = q;
        cur1 = q;
        gap = 0;
      } else if (cur0 >= 0) {
        gap++;
        if (gap > 3 || q > r1) {
          if (bt < 0 || cur1 - cur0 > bb - bt) {
            bt = cur0;
            bb = cur1;
          }
          cur0 = -1;
          gap = 0;
        }
      }
    }
    if (bt >= 0) {
      let full = 0;
      let inside = 0;
      let insideExt = 0;
      for (let q = bt; q <= bb; q++) {
        if (cov[q] > full) full = cov[q];
        if (q > bt + 1 && q < bb - 1) {
          inside += cov[q];
          insideExt += ext[q];
        }
      }
      hollow = bb - bt >= 5 && insideExt > 0 && inside / insideExt < 0.6;
      const wickPart = Math.min(wickCov, full);
      const fBody = (q: number): number => (q < r0 || q > r1 ? 0 : clamp01((cov[q] - wickPart) / Math.max(0.5, full - wickPart)));
      bodyTop = edgeTop(fBody, bt, r0);
      bodyBottom = edgeBottom(fBody, bb, r1);
      const width = right[bt] - left[bt] + 1;
      shapeOk = Math.abs(Math.max(width, ext[bb]) - widths.body) <= Math.max(2, 0.35 * widths.body);
    } else {
      // No row wider than the wick: a bar drawn as a line only; its body is not seen.
      shapeOk = false;
    }
  } else {
    // OHLC: rows reaching out left of the line are the open tick, right of it the close tick;
    // each tick's row is the centroid of its rows, weighted by how far they reach.
    const { lx, rx } = s;
    let lmax = 0;
    let rmax = 0;
    for (let q = r0; q <= r1; q++) {
      lmax = Math.max(lmax, lx[q]);
      rmax = Math.max(rmax, rx[q]);
    }
    let lw = 0;
    let ly = 0;
    let rw = 0;
    let ry = 0;
    for (let q = r0; q <= r1; q++) {
      if (lmax >= 0.5 && lx[q] >= 0.5 * lmax) {
        lw += lx[q];
        ly += (q + 0.5) * lx[q];
      }
      if (rmax >= 0.5 && rx[q] >= 0.5 * rmax) {
        rw += rx[q];
        ry += (q + 0.5) * rx[q];
      }
    }
    if (lw > 0) openTick = ly / lw;
    if (rw > 0) closeTick = ry / rw;
    shapeOk = lw > 0 && rw > 0;
  }
  return {
    x: p.x,
    label: p.label,
    high,
    low,
    bodyTop,
    bodyBottom,
    openTick,
    closeTick,
    hollow,
    shapeOk,
    clipped,
    purity: p.purity,
    bridged: p.bridged,
    clean: p.clean,
  };
}

/**
 * Pick one run per slot so the bars form a continuous price path: prices move bar to bar, so a
 * bar's range meets or nearly meets its neighbours', while a label or bracket drawn above or
 * below the bars sits apart from them, and text is not one stretch of ink per row. Viterbi over
 * the slots: cost = 3 x (1 - (mass x clean rows) share of the run in its slot) + the vertical gap
 * to the previous slot's run in typical bar heights (at most 4).
 */
/** A run that is nothing like a bar costs as much as a jump of this many typical bar heights. */
const EMIT_WEIGHT = 3;
/** A price jump costs at most this much: real gaps happen, and must not pull a chain onto labels. */
const MAX_GAP_COST = 4;

export function chooseRuns(profiles: readonly (SlotProfile | null)[]): ({ r0: number; r1: number } | null)[] {
  const out: ({ r0: number; r1: number } | null)[] = profiles.map(() => null);
  const heights = profiles.filter((p): p is SlotProfile => p !== null).map((p) => p.r1 - p.r0 + 1).sort((a, b) => a - b);
  const typ = Math.max(3, heights.length ? heights[Math.floor(heights.length / 2)] : 3);
  let i = 0;
  while (i < profiles.length) {
    if (!profiles[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < profiles.length && profiles[j + 1]) j++;
    const cost: Float64Array[] = [];
    const from: Int32Array[] = [];
    for (let k = i; k <= j; k++) {
      const runs = profiles[k]!.runs;
      const maxMass = Math.max(...runs.map((u) => u.mass * u.clean), 1e-9);
      const c = new Float64Array(runs.length);
      const f = new Int32Array(runs.length);
      runs.forEach((u, a) => {
        const emit = EMIT_WEIGHT * (1 - (u.mass * u.clean) / maxMass);
        if (k === i) {
          c[a] = emit;
          return;
        }
        const prev = profiles[k - 1]!.runs;
        let best = Infinity;
        prev.forEach((v, b) => {
          const gap = Math.min(MAX_GAP_COST, Math.max(0, u.r0 - v.r1, v.r0 - u.r1) / typ);
          const t = cost[k - 1 - i][b] + gap;
          if (t < best) {
            best = t;
            f[a] = b;
          }
        });
        c[a] = best + emit;
      });
      cost.push(c);
      from.push(f);
    }
    let a = 0;
    const last = cost[cost.length - 1];
    for (let q = 1; q < last.length; q++) if (last[q] < last[a]) a = q;
    for (let k = j; k >= i; k--) {
      const u = profiles[k]!.runs[a];
      out[k] = { r0: u.r0, r1: u.r1 };
      a = from[k - i][a];
    }
    i = j + 1;
  }
  return out;
}

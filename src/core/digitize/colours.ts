/**
 * Colour maths on RgbaImage pixels: the background, colour families (a colour and its blends with
 * the background: anti-aliased edges and transparent fills), and per-pixel classification into
 * chosen colours with a coverage (alpha). Everything works on typed arrays, one pass per step.
 */
import type { Rect, Rgb, RgbaImage } from './types.ts';

/** 5 bits per channel: fine enough to keep chart colours apart, coarse enough to pool JPEG noise. */
const BITS = 5;
const BINS = 1 << (3 * BITS);
const SHIFT = 8 - BITS;

const binOf = (r: number, g: number, b: number): number => ((r >> SHIFT) << (2 * BITS)) | ((g >> SHIFT) << BITS) | (b >> SHIFT);

export const luminance = (c: Rgb): number => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

/** Largest per-channel difference: what the eye calls "visibly different" on flat chart colours. */
export function chebyshev(data: Uint8Array, i: number, c: Rgb): number {
  return Math.max(Math.abs(data[i] - c[0]), Math.abs(data[i + 1] - c[1]), Math.abs(data[i + 2] - c[2]));
}

export function clampRect(r: Rect, img: RgbaImage): { x0: number; y0: number; x1: number; y1: number } {
  return {
    x0: Math.max(0, Math.ceil(r.left)),
    y0: Math.max(0, Math.ceil(r.top)),
    x1: Math.min(img.width, Math.floor(r.right)),
    y1: Math.min(img.height, Math.floor(r.bottom)),
  };
}

/** The most common colour of a rect (5-bit bins, refined to the mean of the winning bin). */
export function dominantColour(img: RgbaImage, r: Rect, exclude: Uint8Array | null = null): Rgb {
  const { x0, y0, x1, y1 } = clampRect(r, img);
  const counts = new Uint32Array(BINS);
  const d = img.data;
  const w = img.width;
  // Every other row and column is plenty for a colour that covers most of the rect.
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const p = y * w + x;
      if (exclude && exclude[p]) continue;
      const i = p * 4;
      counts[binOf(d[i], d[i + 1], d[i + 2])]++;
    }
  }
  let best = 0;
  for (let b = 1; b < BINS; b++) if (counts[b] > counts[best]) best = b;
  let n = 0;
  let sr = 0;
  let sg = 0;
  let sb = 0;
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const i = (y * w + x) * 4;
      if (binOf(d[i], d[i + 1], d[i + 2]) !== best) continue;
      n++;
      sr += d[i];
      sg += d[i + 1];
      sb += d[i + 2];
    }
  }
  if (n === 0) return [255, 255, 255];
  return [Math.round(sr / n), Math.round(sg / n), Math.round(sb / n)];
}

export interface ColourFamily {
  /** The family's full-strength colour (its blends with the background are lighter/darker). */
  colour: Rgb;
  /** Pixels in the family. */
  weight: number;
}

/**
 * Group the visible non-background pixels of a rect by their direction from the background: a
 * colour and every blend of it with the background (anti-aliasing, transparency) share a
 * direction, so one family stands for "green candles" whatever their coverage. Families are
 * returned heaviest first.
 */
export function colourFamilies(img: RgbaImage, bg: Rgb, r: Rect, exclude: Uint8Array | null, minContrast: number): ColourFamily[] {
  const { x0, y0, x1, y1 } = clampRect(r, img);
  const counts = new Uint32Array(BINS);
  const sums = new Float64Array(BINS * 3);
  const d = img.data;
  const w = img.width;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * w + x;
      if (exclude && exclude[p]) continue;
      const i = p * 4;
      if (chebyshev(d, i, bg) < minContrast) continue;
      const b = binOf(d[i], d[i + 1], d[i + 2]);
      counts[b]++;
      sums[b * 3] += d[i];
      sums[b * 3 + 1] += d[i + 1];
      sums[b * 3 + 2] += d[i + 2];
    }
  }
  const bins: number[] = [];
  for (let b = 0; b < BINS; b++) if (counts[b] >= 2) bins.push(b);
  bins.sort((a, b) => counts[b] - counts[a]);
  interface Fam {
    dir: [number, number, number];
    weight: number;
    members: { c: Rgb; n: number; mag: number }[];
  }
  const fams: Fam[] = [];
  // Two colours whose directions from the background are within ~10 degrees are one family: blends
  // keep their direction exactly, and distinct chart colours (green/teal, red/orange) differ more.
  const COS_SAME = 0.985;
  for (const b of bins) {
    const n = counts[b];
    const c: Rgb = [sums[b * 3] / n, sums[b * 3 + 1] / n, sums[b * 3 + 2] / n];
    const v: [number, number, number] = [c[0] - bg[0], c[1] - bg[1], c[2] - bg[2]];
    const mag = Math.hypot(v[0], v[1], v[2]);
    if (mag === 0) continue;
    let fam: Fam | undefined;
    for (const f of fams) {
      if ((v[0] * f.dir[0] + v[1] * f.dir[1] + v[2] * f.dir[2]) / mag >= COS_SAME) {
        fam = f;
        break;
      }
    }
    if (!fam) {
      if (fams.length >= 24) continue;
      fam = { dir: [v[0] / mag, v[1] / mag, v[2] / mag], weight: 0, members: [] };
      fams.push(fam);
    }
    fam.weight += n;
    fam.members.push({ c, n, mag });
  }
  return fams
    .map((f) => ({ colour: fullStrength(f.members), weight: f.weight }))
    .sort((a, b) => b.weight - a.weight);
}

/** The mean colour of the strongest quarter of a family's pixels: its unblended colour. */
function fullStrength(members: { c: Rgb; n: number; mag: number }[]): Rgb {
  const total = members.reduce((s, m) => s + m.n, 0);
  const sorted = [...members].sort((a, b) => b.mag - a.mag);
  let n = 0;
  const acc = [0, 0, 0];
  for (const m of sorted) {
    acc[0] += m.c[0] * m.n;
    acc[1] += m.c[1] * m.n;
    acc[2] += m.c[2] * m.n;
    n += m.n;
    if (n >= total / 4) break;
  }
  return [Math.round(acc[0] / n), Math.round(acc[1] / n), Math.round(acc[2] / n)];
}

/** Per-pixel classification: which chosen colour (1-based, 0 for none) and with what coverage. */
export interface Classified {
  /** 0 = background or none of the colours; k = colours[k - 1]. */
  label: Uint8Array;
  /** Coverage 0..255 of the label's colour over the background (255 = full strength). */
  alpha: Uint8Array;
  /** 1 where the pixel is visibly not background but none of the colours (an occluder). */
  other: Uint8Array;
}

/**
 * Classify each pixel of a rect as a blend bg + a * (colour - bg) of one of the colours. A pixel
 * matches when its residual off that blend line is small next to its distance from the
 * background (JPEG chroma smearing and anti-aliasing against other colours stay within it).
 * Pixels set in `exclude` (grid lines) count as occluders.
 */
export function classify(img: RgbaImage, bg: Rgb, colours: readonly Rgb[], r: Rect, exclude: Uint8Array | null, minContrast: number): Classified {
  const n = img.width * img.height;
  const label = new Uint8Array(n);
  const alpha = new Uint8Array(n);
  const other = new Uint8Array(n);
  const { x0, y0, x1, y1 } = clampRect(r, img);
  const d = img.data;
  const w = img.width;
  const k = colours.length;
  const vx = new Float64Array(k);
  const vy = new Float64Array(k);
  const vz = new Float64Array(k);
  const inv = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    vx[j] = colours[j][0] - bg[0];
    vy[j] = colours[j][1] - bg[1];
    vz[j] = colours[j][2] - bg[2];
    const m2 = vx[j] * vx[j] + vy[j] * vy[j] + vz[j] * vz[j];
    inv[j] = m2 > 0 ? 1 / m2 : 0;
  }
  const [br, bgc, bb] = bg;
  // Blends weaker than this are treated as background: faint watermarks and AA dust.
  const MIN_ALPHA = 0.18;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * w + x;
      const i = p * 4;
      const dr = d[i] - br;
      const dg = d[i + 1] - bgc;
      const db = d[i + 2] - bb;
      const cheb = Math.max(Math.abs(dr), Math.abs(dg), Math.abs(db));
      if (cheb < 6) continue;
      if (exclude && exclude[p]) {
        other[p] = 1;
        continue;
      }
      const dist = Math.sqrt(dr * dr + dg * dg + db * db);
      let best = -1;
      let bestRes = Infinity;
      let bestA = 0;
      for (let j = 0; j < k; j++) {
        let a = (dr * vx[j] + dg * vy[j] + db * vz[j]) * inv[j];
        if (a <= 0) continue;
        if (a > 1.25) a = 1.25;
        const ex = dr - a * vx[j];
        const ey = dg - a * vy[j];
        const ez = db - a * vz[j];
        const res = Math.sqrt(ex * ex + ey * ey + ez * ez);
        if (res < bestRes) {
          bestRes = res;
          best = j;
          bestA = a;
        }
      }
      if (best >= 0 && bestRes <= 10 + 0.3 * dist && bestA >= MIN_ALPHA) {
        label[p] = best + 1;
        alpha[p] = Math.min(255, Math.round(bestA * 255));
      } else if (cheb >= minContrast) {
        other[p] = 1;
      }
    }
  }
  return { label, alpha, other };
}

/** Hue in degrees (0 red, 120 green, 240 blue) and saturation 0..1 of a colour. */
export function hueSat(c: Rgb): { hue: number; sat: number } {
  const [r, g, b] = c.map((v) => v / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const delta = max - min;
  if (delta === 0) return { hue: 0, sat: 0 };
  let h: number;
  if (max === r) h = ((g - b) / delta) % 6;
  else if (max === g) h = (b - r) / delta + 2;
  else h = (r - g) / delta + 4;
  h *= 60;
  if (h < 0) h += 360;
  return { hue: h, sat: max === 0 ? 0 : delta / max };
}

export const colourDistance = (a: Rgb, b: Rgb): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

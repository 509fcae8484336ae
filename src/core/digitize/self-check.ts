/**
 * Checks the digitiser runs on its own answer, all pure: OHLC invariants, colour vs direction,
 * regular bar spacing (missing or merged bars), and a re-render of the recovered bars compared
 * with the input's candle pixels (IoU).
 */
import { classify, clampRect } from './colours.ts';
import type { ChartStyle, PixelBar, Rect, RgbaImage } from './types.ts';

/** Indexes of bars whose wick does not span their body (y grows down), beyond `tol` px. */
export function invariantViolations(bars: readonly PixelBar[], tol = 1): number[] {
  const out: number[] = [];
  bars.forEach((b, i) => {
    const top = Math.min(b.openY, b.closeY);
    const bottom = Math.max(b.openY, b.closeY);
    if (b.highY > top + tol || b.lowY < bottom - tol || b.highY > b.lowY) out.push(i);
  });
  return out;
}

/** Share of bars whose direction agrees with their open/close (up: close above open). */
export function directionAgreement(bars: readonly PixelBar[], minBody = 1): number {
  let n = 0;
  let ok = 0;
  for (const b of bars) {
    if (b.direction === 'flat' || Math.abs(b.openY - b.closeY) < minBody) continue;
    n++;
    if ((b.direction === 'up') === b.closeY < b.openY) ok++;
  }
  return n ? ok / n : 1;
}

export interface SpacingCheck {
  /** Median distance between neighbouring bars, px. */
  spacing: number;
  /** Slots with no bar between found bars: (after bar index, missing slots). */
  gaps: { after: number; missing: number }[];
  /** Neighbour distances well off a whole number of spacings (merged or split bars). */
  irregular: number[];
}

/** Is the bar spacing regular? Flags missing slots and distances that fit no lattice. */
export function spacingCheck(bars: readonly PixelBar[]): SpacingCheck {
  const xs = bars.map((b) => b.x).sort((a, b) => a - b);
  const d = xs.slice(1).map((x, i) => x - xs[i]);
  if (d.length === 0) return { spacing: 0, gaps: [], irregular: [] };
  const sorted = [...d].sort((a, b) => a - b);
  const spacing = sorted[Math.floor(sorted.length / 2)];
  const gaps: { after: number; missing: number }[] = [];
  const irregular: number[] = [];
  d.forEach((v, i) => {
    const k = Math.round(v / spacing);
    // A quarter spacing off a lattice point is more than pixel snapping explains.
    if (k < 1 || Math.abs(v - k * spacing) > 0.25 * spacing) irregular.push(i);
    else if (k >= 2) gaps.push({ after: i, missing: k - 1 });
  });
  return { spacing, gaps, irregular };
}

/** Draw bars as the style says (wick + body, or line + ticks) on the style's background. */
export function renderPixelBars(bars: readonly PixelBar[], style: ChartStyle, width: number, height: number, bodyWidth: number, wickWidth = 1): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  const [br, bgc, bb] = style.background;
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = br;
    data[i * 4 + 1] = bgc;
    data[i * 4 + 2] = bb;
    data[i * 4 + 3] = 255;
  }
  const fill = (x0: number, y0: number, x1: number, y1: number, c: readonly number[]): void => {
    const xa = Math.max(0, Math.round(x0));
    const xb = Math.min(width, Math.round(x1));
    const ya = Math.max(0, Math.round(y0));
    const yb = Math.min(height, Math.round(y1));
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        const i = (y * width + x) * 4;
        data[i] = c[0];
        data[i + 1] = c[1];
        data[i + 2] = c[2];
      }
    }
  };
  const ww = Math.max(1, wickWidth);
  for (const b of bars) {
    const colour = b.direction === 'down' ? style.down : style.up;
    fill(b.x - ww / 2, b.highY, b.x + ww / 2, b.lowY, colour);
    const top = Math.min(b.openY, b.closeY);
    const bottom = Math.max(b.openY, b.closeY, top + 1);
    if (style.kind === 'ohlc') {
      fill(b.x - bodyWidth / 2, b.openY - 0.5, b.x, b.openY + 0.5, colour);
      fill(b.x, b.closeY - 0.5, b.x + bodyWidth / 2, b.closeY + 0.5, colour);
    } else if (style.hollow && b.direction === 'up') {
      fill(b.x - bodyWidth / 2, top, b.x + bodyWidth / 2, top + 1, colour);
      fill(b.x - bodyWidth / 2, bottom - 1, b.x + bodyWidth / 2, bottom, colour);
      fill(b.x - bodyWidth / 2, top, b.x - bodyWidth / 2 + 1, bottom, colour);
      fill(b.x + bodyWidth / 2 - 1, top, b.x + bodyWidth / 2, bottom, colour);
    } else {
      fill(b.x - bodyWidth / 2, top, b.x + bodyWidth / 2, bottom, colour);
    }
  }
  return { width, height, data };
}

/** Pixels of a rect drawn in the style's up or down colour at half coverage or more. */
export function barColourMask(img: RgbaImage, style: ChartStyle, rect: Rect): Uint8Array {
  const colours = style.up.join() === style.down.join() ? [style.up] : [style.up, style.down];
  const c = classify(img, style.background, colours, rect, null, 24);
  const out = new Uint8Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) if (c.label[i] && c.alpha[i] >= 128) out[i] = 1;
  return out;
}

/** Intersection over union of two masks inside a rect (1 when both are empty). */
export function maskIou(a: Uint8Array, b: Uint8Array, width: number, rect: Rect, height = a.length / width): number {
  const { x0, y0, x1, y1 } = clampRect(rect, { width, height, data: a });
  let inter = 0;
  let union = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * width + x;
      if (a[p] || b[p]) union++;
      if (a[p] && b[p]) inter++;
    }
  }
  return union ? inter / union : 1;
}

/** Mark the pixels the bars would cover (wick, body or ticks) in a mask, as renderPixelBars draws them. */
export function barFootprint(bars: readonly PixelBar[], style: ChartStyle, width: number, height: number, bodyWidth: number, wickWidth = 1): Uint8Array {
  const mask = new Uint8Array(width * height);
  const fill = (x0: number, y0: number, x1: number, y1: number): void => {
    const xa = Math.max(0, Math.round(x0));
    const xb = Math.min(width, Math.round(x1));
    const ya = Math.max(0, Math.round(y0));
    const yb = Math.min(height, Math.round(y1));
    for (let y = ya; y < yb; y++) mask.fill(1, y * width + xa, y * width + Math.max(xa, xb));
  };
  const ww = Math.max(1, wickWidth);
  for (const b of bars) {
    fill(b.x - ww / 2, b.highY, b.x + ww / 2, b.lowY);
    const top = Math.min(b.openY, b.closeY);
    const bottom = Math.max(b.openY, b.closeY, top + 1);
    if (style.kind === 'ohlc') {
      fill(b.x - bodyWidth / 2, b.openY - 0.5, b.x, b.openY + 0.5);
      fill(b.x, b.closeY - 0.5, b.x + bodyWidth / 2, b.closeY + 0.5);
    } else if (style.hollow && b.direction === 'up') {
      fill(b.x - bodyWidth / 2, top, b.x + bodyWidth / 2, top + 1);
      fill(b.x - bodyWidth / 2, bottom - 1, b.x + bodyWidth / 2, bottom);
      fill(b.x - bodyWidth / 2, top, b.x - bodyWidth / 2 + 1, bottom);
      fill(b.x + bodyWidth / 2 - 1, top, b.x + bodyWidth / 2, bottom);
    } else {
      fill(b.x - bodyWidth / 2, top, b.x + bodyWidth / 2, bottom);
    }
  }
  return mask;
}

/**
 * Re-render the recovered bars and compare them with the input's bar-coloured pixels in the price
 * pane: IoU near 1 means the bars explain the candle pixels; a low IoU means bars are missing,
 * invented or misplaced. `inputMask` may pass the input's bar pixels when already known.
 */
export function reRenderIou(
  img: RgbaImage,
  bars: readonly PixelBar[],
  style: ChartStyle,
  price: Rect,
  bodyWidth: number,
  wickWidth = 1,
  inputMask?: Uint8Array,
): number {
  const input = inputMask ?? barColourMask(img, style, price);
  return maskIou(input, barFootprint(bars, style, img.width, img.height, bodyWidth, wickWidth), img.width, price, img.height);
}

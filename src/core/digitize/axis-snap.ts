import type { AxisLabel, Rect, Rgb, RgbaImage } from './types.ts';

/**
 * Price labels are printed centred on their tick, but the text's own centre can sit a pixel off
 * the tick (font metrics differ by renderer). Where a grid line or a tick mark is drawn at a label,
 * that line is exactly the label's value, so the label is moved onto it. Pure pixel maths.
 */

/** A row is ink when a channel differs from the background by more than this (faint grids are ~20). */
const INK = 12;
/** How far (px) from a label's centre its tick or grid line may be. */
const SEARCH_PX = 3;
/** A grid line crosses most of the pane; candles and wicks never fill half a row alone. */
const GRID_SHARE = 0.5;

function contrast(img: RgbaImage, x: number, y: number, bg: Rgb): number {
  const i = (y * img.width + x) * 4;
  const d = img.data;
  return Math.max(Math.abs(d[i] - bg[0]), Math.abs(d[i + 1] - bg[1]), Math.abs(d[i + 2] - bg[2]));
}

/** Per row of [y0, y1], the share of columns [x0, x1) that are ink. */
function inkProfile(img: RgbaImage, x0: number, x1: number, y0: number, y1: number, bg: Rgb): number[] {
  const out: number[] = [];
  for (let y = y0; y <= y1; y++) {
    let n = 0;
    for (let x = x0; x < x1; x++) if (contrast(img, x, y, bg) > INK) n++;
    out.push(n / Math.max(1, x1 - x0));
  }
  return out;
}

/**
 * The centre (continuous y) of a thin line near `y` in the given columns, where one covers at least
 * `share` of them: the ink-weighted centre of the strongest run of rows (anti-aliased lines spread
 * over two), or null when there is none.
 */
function lineNear(img: RgbaImage, x0: number, x1: number, y: number, bg: Rgb, share: number, limits: { top: number; bottom: number }): number | null {
  const y0 = Math.max(limits.top, Math.floor(y - SEARCH_PX));
  const y1 = Math.min(limits.bottom - 1, Math.ceil(y + SEARCH_PX));
  if (y1 <= y0 || x1 - x0 < 3) return null;
  const p = inkProfile(img, x0, x1, y0, y1, bg);
  let best = -1;
  for (let k = 0; k < p.length; k++) if (p[k] >= share && (best < 0 || p[k] > p[best])) best = k;
  if (best < 0) return null;
  // A line is thin: the rows two away from its peak must be mostly clear (a body is not a line).
  const clear = (k: number): boolean => k < 0 || k >= p.length || p[k] < share / 2;
  if (!clear(best - 2) || !clear(best + 2)) return null;
  let w = 0;
  let sum = 0;
  for (const k of [best - 1, best, best + 1]) {
    if (k < 0 || k >= p.length || p[k] < share / 4) continue;
    w += p[k];
    sum += p[k] * (y0 + k + 0.5);
  }
  return w > 0 ? sum / w : null;
}

/**
 * Move each label onto the grid line or tick mark it labels, when one is drawn within a few pixels:
 * a grid line across the price pane, or a tick between the pane and the label strip.
 */
export function snapLabelsToTicks(img: RgbaImage, labels: readonly AxisLabel[], pane: Rect, strip: Rect, bg: Rgb): AxisLabel[] {
  const right = strip.left >= pane.right - 1;
  // Ticks sit in the gap between the pane's edge and the strip's text (or just inside the pane).
  const tickX0 = Math.max(0, Math.floor(right ? pane.right - 4 : strip.right));
  const tickX1 = Math.min(img.width, Math.ceil(right ? strip.left : pane.left + 4));
  const limits = { top: Math.max(0, Math.floor(pane.top)), bottom: Math.min(img.height, Math.ceil(pane.bottom) + 1) };
  return labels.map((l) => {
    const grid = lineNear(img, Math.ceil(pane.left) + 1, Math.floor(pane.right) - 1, l.at, bg, GRID_SHARE, limits);
    const at = grid ?? lineNear(img, tickX0, tickX1, l.at, bg, 0.6, limits);
    return at === null ? l : { ...l, at };
  });
}

import type { Rect, RgbaImage } from '../../src/core/digitize/types.ts';

/**
 * The plot of a chartlens chart from its pixels (the same rules as tests/integration/ocr-charts):
 * the y axis border is the rightmost column differing from the background over half the height,
 * gridlines are rows differing across nearly the whole plot, the last the x axis; panes share the
 * plot by stack weight (price 4, volume 1, RSI and MACD 1.2).
 */
export function chartlensGeometry(img: RgbaImage, priceShare: number): { plot: Rect; priceBottom: number; gridRows: number[] } | null {
  const { width: w, height: h, data } = img;
  const bgAt = ((h - 1) * w + (w - 1)) * 4;
  const bg = [data[bgAt], data[bgAt + 1], data[bgAt + 2]];
  const differs = (x: number, y: number): boolean => {
    const i = (y * w + x) * 4;
    return Math.max(Math.abs(data[i] - bg[0]), Math.abs(data[i + 1] - bg[1]), Math.abs(data[i + 2] - bg[2])) > 3;
  };
  let border = -1;
  let top = 0;
  for (let x = Math.floor(w / 2); x < w; x++) {
    let run = 0;
    let best = 0;
    let start = 0;
    let bestStart = 0;
    for (let y = 0; y < h; y++) {
      if (!differs(x, y)) {
        run = 0;
        continue;
      }
      if (run === 0) start = y;
      run++;
      if (run > best) [best, bestStart] = [run, start];
    }
    if (best >= 0.5 * h) [border, top] = [x, bestStart];
  }
  if (border < 0) return null;
  const gridRows: number[] = [];
  for (let y = top; y < h; y++) {
    let n = 0;
    for (let x = 0; x < border; x++) if (differs(x, y)) n++;
    if (n >= 0.85 * border) gridRows.push(y);
  }
  if (gridRows.length < 2) return null;
  const bottom = gridRows.at(-1)!;
  let left = 0;
  while (left < border && !differs(left, gridRows[0])) left++;
  return { plot: { left, top, right: border + 1, bottom: bottom + 1 }, priceBottom: Math.round(top + (bottom - top) * priceShare), gridRows };
}

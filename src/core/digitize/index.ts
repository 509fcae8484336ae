/**
 * Read a chart's pixels: layout (plot, panes, label strips), style (theme, bar colours, hollow,
 * candle/OHLC) and the bars in pixel coordinates. Pure: an RgbaImage in, numbers out.
 *
 *   1. background = the most common colour; long thin lines (frame, grid, levels) found and masked
 *   2. plot = the frame the lines draw; panes split on full-width empty bands; price = tallest pane
 *   3. colour families in the price pane; bar colours = the families whose pixels form vertical runs
 *   4. per-pixel classification into bar colours with coverage; column ink -> bar spacing -> lattice
 *   5. each lattice slot read: wick run, body rows or OHLC ticks, sub-pixel ends
 *   6. up/down from OHLC ticks, hollow bodies or open-near-previous-close, hue last
 *   7. self-checks: invariants, spacing, re-render IoU -> warnings and per-bar confidence
 *
 * Pixel coordinates are continuous with y down: row r spans [r, r + 1), so a 1-px line drawn on
 * row r is at r + 0.5, the convention of the canvas and of matplotlib.
 */
import { toPixelBars } from './bars.ts';
import { chebyshev, clampRect, classify, colourFamilies, dominantColour, luminance, type Classified } from './colours.ts';
import {
  centreCandidates,
  chooseRuns,
  columnInk,
  estimateSpacing,
  fitLattice,
  profileSlot,
  readSlot,
  slotScratch,
  type BarWidths,
  type PaneMasks,
  type SlotProfile,
  type SlotReading,
} from './columns.ts';
import { findLines } from './lines.ts';
import { splitPanes } from './panes.ts';
import { frameFromLines, labelStrips } from './plot-area.ts';
import { directionAgreement, invariantViolations, reRenderIou, spacingCheck } from './self-check.ts';
import { barEvidence, mapDirections, orientByContinuity, voteKind } from './style.ts';
import type { ChartLayout, ChartStyle, PixelBar, Rect, Rgb, RgbaImage } from './types.ts';

export type { ChartLayout, ChartStyle, PixelBar, Rect, Rgb, RgbaImage } from './types.ts';
export { invariantViolations, directionAgreement, spacingCheck, reRenderIou, renderPixelBars, maskIou, barColourMask } from './self-check.ts';

export interface PixelReading {
  layout: ChartLayout;
  style: ChartStyle;
  bars: PixelBar[];
  warnings: string[];
}

/** What the steps measured on the way, for benches and tests. */
export interface PixelDetails {
  spacing: number | null;
  widths: BarWidths | null;
  /** How the up colour was told from the down colour. */
  directionMethod: string | null;
  /** Re-render IoU of the bars against the pane's bar-coloured pixels (null without bars). */
  iou: number | null;
  priceSide: 'left' | 'right' | null;
}

/** Visibly not background: JPEG noise stays well under this, a thin anti-aliased wick above it. */
const MIN_CONTRAST = 24;

function inkMask(img: RgbaImage, bg: Rgb, bg0: Rgb, exclude: Uint8Array): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (exclude[p]) continue;
    const i = p * 4;
    if (chebyshev(img.data, i, bg) >= MIN_CONTRAST && chebyshev(img.data, i, bg0) >= MIN_CONTRAST) out[p] = 1;
  }
  return out;
}

/** Grow a pane's top (and bottom, when no pane is below) to bar-coloured rows the lines did not enclose. */
function widenToBars(c: Classified, w: number, h: number, pane: Rect, up: boolean, down: boolean): Rect {
  const x0 = Math.max(0, Math.ceil(pane.left));
  const x1 = Math.min(w, Math.floor(pane.right));
  const rowHas = (y: number): boolean => {
    for (let x = x0; x < x1; x++) if (c.label[y * w + x] && c.alpha[y * w + x] >= 128) return true;
    return false;
  };
  // An empty band this tall ends the bars (a title or axis sits past a margin).
  const STOP = 4;
  let { top, bottom } = pane;
  if (up) {
    let gap = 0;
    for (let y = Math.ceil(pane.top) - 1; y >= 0; y--) {
      if (rowHas(y)) {
        top = y;
        gap = 0;
      } else if (++gap >= STOP) break;
    }
  }
  if (down) {
    let gap = 0;
    for (let y = Math.floor(pane.bottom); y < h; y++) {
      if (rowHas(y)) {
        bottom = y + 1;
        gap = 0;
      } else if (++gap >= STOP) break;
    }
  }
  return { ...pane, top, bottom };
}

/**
 * Narrow a classification to the bar colours (renumbered 1..k in `keep` order): pixels of another
 * colour become occluders, except colours so close to a bar colour that they are the same ink
 * split apart (JPEG chroma noise makes a near twin of a saturated colour), which join it with
 * their coverage measured against it.
 */
function relabel(img: RgbaImage, bg: Rgb, c: Classified, colours: readonly Rgb[], keep: number[], r: { x0: number; y0: number; x1: number; y1: number }): Classified {
  const w = img.width;
  const n = c.label.length;
  const map = new Uint8Array(256);
  keep.forEach((l, i) => (map[l] = i + 1));
  const dir = (x: Rgb): [number, number, number] => [x[0] - bg[0], x[1] - bg[1], x[2] - bg[2]];
  colours.forEach((col, j) => {
    if (map[j + 1]) return;
    const v = dir(col);
    const mv = Math.hypot(...v);
    keep.forEach((l, i) => {
      const u = dir(colours[l - 1]);
      const mu = Math.hypot(...u);
      const cos = (v[0] * u[0] + v[1] * u[1] + v[2] * u[2]) / (mv * mu || 1);
      // Twins: within ~18 degrees and of like strength (not a faint blend such as a volume fill).
      if (!map[j + 1] && cos >= 0.95 && mv >= 0.6 * mu && mv <= 1.6 * mu) map[j + 1] = i + 1;
    });
  });
  const label = new Uint8Array(n);
  const alpha = new Uint8Array(n);
  const other = new Uint8Array(n);
  const d = img.data;
  for (let y = r.y0; y < r.y1; y++) {
    for (let p = y * w + r.x0; p < y * w + r.x1; p++) {
      const l = c.label[p];
      const k = l ? map[l] : 0;
      if (!k) {
        if (l || c.other[p]) other[p] = 1;
        continue;
      }
      label[p] = k;
      if (keep[k - 1] === l) {
        alpha[p] = c.alpha[p];
        continue;
      }
      const u = dir(colours[keep[k - 1] - 1]);
      const i = p * 4;
      const a = ((d[i] - bg[0]) * u[0] + (d[i + 1] - bg[1]) * u[1] + (d[i + 2] - bg[2]) * u[2]) / (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
      alpha[p] = Math.max(0, Math.min(255, Math.round(a * 255)));
    }
  }
  return { label, alpha, other };
}

/** The bounding box of the solid bar-coloured pixels of a rect, 2 px wider each way (anti-aliased ends). */
function solidBox(c: Classified, w: number, r: Rect): Rect | null {
  const h = c.label.length / w;
  const x0 = Math.max(0, Math.ceil(r.left));
  const x1 = Math.min(w, Math.floor(r.right));
  const y0 = Math.max(0, Math.ceil(r.top));
  const y1 = Math.min(h, Math.floor(r.bottom));
  let l = Infinity;
  let t = Infinity;
  let rr = -1;
  let b = -1;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * w + x;
      if (!c.label[p] || c.alpha[p] < 128) continue;
      if (x < l) l = x;
      if (x > rr) rr = x;
      if (y < t) t = y;
      b = y;
    }
  }
  if (rr < 0) return null;
  return { left: Math.max(0, l - 2), top: Math.max(0, t - 2), right: Math.min(w, rr + 3), bottom: Math.min(h, b + 3) };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
};

function emptyAnswer(layout: ChartLayout, bg: Rgb, warnings: string[]): PixelReading & { details: PixelDetails } {
  return {
    layout,
    style: { theme: luminance(bg) >= 128 ? 'light' : 'dark', background: bg, up: bg, down: bg, hollow: false, kind: 'candle' },
    bars: [],
    warnings,
    details: { spacing: null, widths: null, directionMethod: null, iou: null, priceSide: null },
  };
}

/** readPixels plus what the steps measured. */
export function readPixelsDetailed(img: RgbaImage): PixelReading & { details: PixelDetails } {
  const { width: w, height: h } = img;
  const whole: Rect = { left: 0, top: 0, right: w, bottom: h };
  const noLayout: ChartLayout = { price: whole, volume: null, priceLabels: null, timeLabels: null };
  if (!(w > 0 && h > 0) || img.data.length !== w * h * 4) {
    return emptyAnswer(noLayout, [255, 255, 255], [`not an RGBA image: ${w}x${h} with ${img.data.length} bytes`]);
  }
  const warnings: string[] = [];
  // 1. Background and lines.
  const bg0 = dominantColour(img, whole);
  const lines = findLines(img, bg0);
  const frame = frameFromLines(img, lines);
  const bg = dominantColour(img, frame.rect, lines.mask);
  const ink = inkMask(img, bg, bg0, lines.mask);
  // 2. Panes.
  const panes = splitPanes(img, ink, frame.rect, lines.vertical);
  let price = panes.price;
  // 3. Bar colours: families of the price pane, ranked by how bar-like their pixels are.
  const families = colourFamilies(img, bg, price, lines.mask, MIN_CONTRAST);
  const totalWeight = families.reduce((s, f) => s + f.weight, 0);
  // Families under 0.2% of the pane's ink are specks (text dust, anti-aliasing between colours),
  // and bars are drawn to be seen: a colour within 60 levels of the background is a grid, a
  // watermark or JPEG ringing, not a bar.
  const visible = (c: Rgb): boolean => Math.max(Math.abs(c[0] - bg[0]), Math.abs(c[1] - bg[1]), Math.abs(c[2] - bg[2])) >= 60;
  const candidates = families.filter((f) => f.weight >= Math.max(20, 0.002 * totalWeight) && visible(f.colour)).slice(0, 6);
  const layoutOf = (p: Rect): ChartLayout => {
    const lowest = panes.volume ?? panes.panes[panes.panes.length - 1] ?? p;
    const strips = labelStrips(img, ink, p, lowest.bottom > p.bottom ? lowest : p, frame.rect);
    return { price: p, volume: panes.volume, priceLabels: strips.priceLabels, timeLabels: strips.timeLabels };
  };
  if (!candidates.length) return emptyAnswer(layoutOf(price), bg, ['no bars: the plot holds nothing but background and lines']);
  const pr = clampRect(price, img);
  const cls0 = classify(img, bg, candidates.map((f) => f.colour), price, lines.mask, MIN_CONTRAST);
  const evidence = barEvidence(cls0, w, pr.x0, pr.y0, pr.x1, pr.y1, candidates.length);
  const ranked = candidates.map((f, i) => ({ f, score: evidence[i + 1] })).sort((a, b) => b.score - a.score);
  // Bars must leave a few hundred px of vertical runs; a second colour at least 4% of the first.
  const MIN_EVIDENCE = 150;
  if (ranked[0].score < MIN_EVIDENCE) {
    return emptyAnswer(layoutOf(price), bg, ['no bars: nothing in the plot is drawn as vertical wicks or bodies (a line chart, or an empty plot)']);
  }
  const picked = [ranked[0]];
  if (ranked[1] && ranked[1].score >= Math.max(MIN_EVIDENCE / 3, 0.04 * ranked[0].score)) picked.push(ranked[1]);
  const chosen = picked.map((p) => p.f.colour);
  // 4. Keep only the bar colours (a pixel of any other candidate colour becomes an occluder),
  // then the lattice.
  let cls = relabel(img, bg, cls0, candidates.map((f) => f.colour), picked.map((p) => candidates.indexOf(p.f) + 1), pr);
  if (!frame.fromLines) {
    // No lines at all: the plot is where the bars are.
    const box = solidBox(cls, w, price);
    if (box) {
      price = box;
      cls = classify(img, bg, chosen, price, lines.mask, MIN_CONTRAST);
    }
  } else if (!frame.closed.top || (!frame.closed.bottom && !panes.volume)) {
    const wider = widenToBars(classify(img, bg, chosen, whole, lines.mask, MIN_CONTRAST), w, h, price, !frame.closed.top, !frame.closed.bottom && !panes.volume);
    if (wider.top < price.top || wider.bottom > price.bottom) {
      price = wider;
      cls = classify(img, bg, chosen, price, lines.mask, MIN_CONTRAST);
    }
  }
  const { x0, y0, x1, y1 } = clampRect(price, img);
  const masks: PaneMasks = { ...cls, width: w, x0, y0, x1, y1, lines: lines.mask };
  const colInk = columnInk(masks);
  const est = estimateSpacing(colInk);
  const layout = layoutOf(price);
  if (!est) return emptyAnswer(layout, bg, ['no bars: the bar-coloured pixels show no regular bar spacing']);
  const scratch = slotScratch(y1 - y0);
  const slotCentres = (lat: { origin: number; spacing: number }): number[] => {
    const out: number[] = [];
    const k0 = Math.ceil((x0 - lat.origin) / lat.spacing);
    for (let k = k0; lat.origin + k * lat.spacing < x1; k++) out.push(lat.origin + k * lat.spacing);
    return out;
  };
  // 5a. First pass: profile every slot; refit the lattice to the measured centres.
  const firstPass = (s: number): { lattice: { origin: number; spacing: number }; centres: number[]; profiles: (SlotProfile | null)[] } => {
    let lat = fitLattice(centreCandidates(colInk, s, x0), s) ?? { origin: x0 + s / 2, spacing: s };
    let cs = slotCentres(lat);
    let ps = cs.map((c) => profileSlot(masks, c, lat.spacing, scratch));
    const refit = fitLattice(
      ps.filter((p): p is SlotProfile => p !== null && p.r1 - p.r0 >= 2).map((p) => p.x),
      lat.spacing,
    );
    // Re-read only if the refit moves some slot centre by a noticeable fraction of a pixel.
    const moved = refit ? Math.max(Math.abs(refit.origin + refit.spacing * ((x0 - lat.origin) / lat.spacing) - x0), Math.abs(refit.origin + refit.spacing * ((x1 - lat.origin) / lat.spacing) - x1)) : 0;
    if (refit && moved > 0.2) {
      lat = refit;
      cs = slotCentres(lat);
      ps = cs.map((c) => profileSlot(masks, c, lat.spacing, scratch));
    } else if (refit) lat = refit;
    return { lattice: lat, centres: cs, profiles: ps };
  };
  // Pick among the candidate spacings the lattice whose slot centres are inked and whose slot
  // edges are empty: a spacing of half the true one puts every other centre on a gap, one of
  // twice the true one puts the slot edges on bars.
  const contrast = (s: number): number => {
    const lat = fitLattice(centreCandidates(colInk, s, x0), s) ?? { origin: x0 + s / 2, spacing: s };
    const at = (p: number): number => {
      const j = p - x0 - 0.5;
      const k = Math.floor(j);
      if (k < 0 || k + 1 >= colInk.length) return 0;
      return colInk[k] * (1 - (j - k)) + colInk[k + 1] * (j - k);
    };
    let sum = 0;
    let n = 0;
    for (const c of slotCentres(lat)) {
      const mid = at(c);
      const edge = (at(c - lat.spacing / 2) + at(c + lat.spacing / 2)) / 2;
      if (mid + edge <= 0) continue;
      sum += (mid - edge) / (mid + edge);
      n++;
    }
    return n ? sum / n : -1;
  };
  let spacing = est.spacing;
  let latticeContrast = contrast(spacing);
  for (const sub of est.subs) {
    const q = contrast(sub);
    if (q > latticeContrast + 0.1) {
      latticeContrast = q;
      spacing = sub;
    }
  }
  const pass = firstPass(spacing);
  const { lattice, centres, profiles } = pass;
  const real = profiles.filter((p): p is SlotProfile => p !== null);
  const wick = Math.max(1, median(real.filter((p) => p.r1 - p.r0 >= 2).map((p) => p.minExt)));
  const bodied = real.filter((p) => p.maxExt >= wick + 2);
  const lineWidth = Math.max(0.6, median(real.filter((p) => p.r1 - p.r0 >= 2).map((p) => p.lineCov)));
  const widths: BarWidths = {
    wick,
    body: bodied.length ? median(bodied.map((p) => p.maxExt)) : wick,
    lineCov: lineWidth,
    bodyCov: bodied.length ? median(bodied.map((p) => p.maxCov)) : lineWidth,
  };
  // A line chart's curve runs through both edges of nearly every slot and inks slot centres no
  // more than slot edges; bars leave a gap between them (unless their bodies fill the slot) and
  // ink their centres (wick, body, OHLC line) far more than their edges.
  const through = real.filter((p) => p.edgeLeft > 0 && p.edgeRight > 0).length;
  if (real.length && through >= 0.6 * real.length && widths.body < lattice.spacing - 1 && latticeContrast < 0.12) {
    return emptyAnswer(layout, bg, [`no bars: a curve runs through ${through} of ${real.length} bar positions (a line chart, not candles or OHLC bars)`]);
  }
  const { kind } = voteKind(profiles);
  // 5b. Second pass: read each slot with the shared widths and kind.
  const picks = chooseRuns(profiles);
  const readings: (SlotReading | null)[] = centres.map((c, i) => {
    const p = profileSlot(masks, c, lattice.spacing, scratch, lineWidth, picks[i] ?? undefined);
    return p ? readSlot(p, scratch, widths, kind, y1 - y0) : null;
  });
  // 6. Up and down.
  const labels = chosen.map((_, i) => i + 1);
  const map = mapDirections(readings, labels, chosen, kind);
  const orientation = kind === 'candle' ? orientByContinuity(readings) : [];
  const upReadings = readings.filter((r): r is SlotReading => r !== null && r.label === map.up && Number.isFinite(r.bodyTop) && r.bodyBottom - r.bodyTop >= 6);
  // Hollow style: a good share of the up colour's tall bodies are hollow (a third: in one-colour
  // charts the up colour is also the down colour, whose filled bodies count against it).
  const hollowShare = upReadings.length ? upReadings.filter((r) => r.hollow).length / upReadings.length : 0;
  const hollow = kind === 'candle' && hollowShare >= (map.method === 'single' ? 0.2 : 0.5);
  let bars = toPixelBars(readings, { kind, y0, map, widths, spacing: lattice.spacing, centres, orientation, hollowStyle: hollow });
  const style: ChartStyle = {
    theme: luminance(bg) >= 128 ? 'light' : 'dark',
    background: bg,
    up: chosen[map.up - 1],
    down: chosen[map.down - 1],
    hollow,
    kind,
  };
  if (map.ambiguous) {
    warnings.push(`up/down colours assigned by hue: the bars' geometry did not decide (up rgb(${style.up.join(',')}), down rgb(${style.down.join(',')}))`);
  }
  if (map.method === 'single') warnings.push('bars are drawn in one colour: directions come from hollow bodies, OHLC ticks or open-near-previous-close');
  // 7. Self-checks.
  // A slot whose shape is nothing like the others' (no body, a line only) at low confidence is dropped.
  bars = bars.filter((b) => b.confidence >= 0.2);
  const badShape = readings.filter((r) => r && !r.shapeOk).length;
  const read = readings.filter((r) => r !== null).length;
  if (read > 0 && badShape > 0.5 * read) {
    return emptyAnswer(layout, bg, [`no bars: ${badShape} of ${read} bar positions do not look like ${kind === 'ohlc' ? 'OHLC bars' : 'candles'} (a line or area chart?)`]);
  }
  const bad = invariantViolations(bars);
  if (bad.length) warnings.push(`${bad.length} bars broke high >= max(open, close) >= min(open, close) >= low by more than 1 px before clamping`);
  const regularity = spacingCheck(bars);
  const missing = regularity.gaps.reduce((s, g) => s + g.missing, 0);
  if (missing > 0) warnings.push(`${missing} empty bar positions between bars (gaps in the time axis, or bars not found)`);
  if (regularity.irregular.length > 0.05 * bars.length) warnings.push(`${regularity.irregular.length} neighbour distances fit no regular bar spacing (merged or split bars?)`);
  const agreement = directionAgreement(bars);
  if (agreement < 0.9) warnings.push(`direction agrees with open/close on only ${Math.round(agreement * 100)}% of bars`);
  const solid = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (cls.label[y * w + x] && cls.alpha[y * w + x] >= 128) solid[y * w + x] = 1;
  const iou = bars.length ? reRenderIou(img, bars, style, price, widths.body, widths.wick, solid) : null;
  if (iou !== null && iou < 0.5) warnings.push(`re-rendered bars cover the chart's bar pixels poorly (IoU ${iou.toFixed(2)})`);
  const priceSide = layout.priceLabels ? (layout.priceLabels.left >= price.right - 1 ? 'right' : 'left') : null;
  return { layout, style, bars, warnings, details: { spacing: lattice.spacing, widths, directionMethod: map.method, iou, priceSide } };
}

/** Read a chart image's layout, style and bars (pixel coordinates); warnings say what was doubtful. */
export function readPixels(img: RgbaImage): PixelReading {
  const { layout, style, bars, warnings } = readPixelsDetailed(img);
  return { layout, style, bars, warnings };
}

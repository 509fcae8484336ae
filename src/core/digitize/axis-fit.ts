/**
 * The text side of the digitiser, step two: the price scale from the price labels read off the
 * axis. A label is a value printed at a pixel row; the scale is price = a·y + b (linear) or
 * price = exp(a·y + b) (log). Pure.
 *
 * Robust to what OCR gets wrong: every pair of labels proposes a scale, the one most labels agree
 * with wins (an exhaustive RANSAC: axis strips hold a handful to a few dozen labels), ties go to
 * the falling scale, then to the one whose tick step is a round number (so even three labels with
 * one misread resolve right), and least squares on the agreeing labels gives the final scale.
 * Agreement is measured in pixels (how far a label's centre is from where the scale puts its
 * value), so linear and log scales compete on one footing; log wins only when it fits clearly
 * better, which a log axis spanning a wide range does and a linear one never does.
 */
import { type DecimalMark, inferDecimalMark, parseLabelNumber } from './axis-labels.ts';
import type { AxisLabel, PriceAxisFit } from './types.ts';

export interface PriceAxisFitOptions {
  /**
   * The rows bounding the visible price range (the price pane's top and bottom): maxErrorOfRange
   * is relative to the prices there. Default: the range of the labels used.
   */
  span?: { top: number; bottom: number };
  /** The axis's decimal mark; default inferred from the labels ("2,5" or "1.234,50" prove ","). */
  mark?: DecimalMark;
  /** How far (px) a label's centre may be from where the scale puts its value; default max(1.5, 12% of the label spacing). */
  tolerancePx?: number;
  /** Labels the OCR engine was less sure of (0..100) are rejected; default 20. */
  minConfidence?: number;
}

export type PriceAxisResult =
  | {
      ok: true;
      fit: PriceAxisFit;
      /**
       * The tick step when the labels used are evenly spaced (consecutive differences equal, a
       * missing label allowed): a difference for a linear scale, a ratio for a log one; else null.
       */
      tickStep: number | null;
      /** Pixel residuals of the labels used: largest and root mean square. */
      maxResidualPx: number;
      rmsResidualPx: number;
    }
  | { ok: false; reason: string; rejected: PriceAxisFit['rejected'] };

interface Point {
  text: string;
  y: number;
  value: number;
  /** value, or ln(value) for the log model */
  t: number;
}

interface Line {
  a: number;
  b: number;
}

interface Candidate {
  scale: 'linear' | 'log';
  line: Line;
  inliers: Point[];
  outliers: Point[];
  residuals: number[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** How far (px) a point is from where the line puts its value. */
function residualPx(line: Line, p: Point): number {
  return Math.abs(p.y - (p.t - line.b) / line.a);
}

/** Least squares of t on y. */
function leastSquares(points: readonly Point[]): Line | null {
  const n = points.length;
  if (n < 2) return null;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  let syy = 0;
  let syt = 0;
  for (const p of points) {
    syy += (p.y - my) ** 2;
    syt += (p.y - my) * (p.t - mt);
  }
  if (syy === 0 || syt === 0) return null;
  const a = syt / syy;
  return { a, b: mt - a * my };
}

/** A step is round when its mantissa is 1, 2, 2.5 or 5 (the steps axis tick pickers choose). */
function isRound(step: number): boolean {
  if (!(step > 0) || !Number.isFinite(step)) return false;
  const m = step / 10 ** Math.floor(Math.log10(step));
  return [1, 2, 2.5, 5, 10].some((r) => Math.abs(m - r) <= 0.02 * r);
}

function split(line: Line, points: readonly Point[], tol: number): { inliers: Point[]; outliers: Point[]; residuals: number[] } {
  const inliers: Point[] = [];
  const outliers: Point[] = [];
  const residuals: number[] = [];
  for (const p of points) {
    const r = residualPx(line, p);
    if (r <= tol) {
      inliers.push(p);
      residuals.push(r);
    } else outliers.push(p);
  }
  return { inliers, outliers, residuals };
}

/** The best scale of one kind: exhaustive pairs, then least squares on the agreeing labels. */
function robustFit(scale: 'linear' | 'log', points: readonly Point[], tol: number, gapPx: number): Candidate | null {
  let best: { line: Line; count: number; falling: boolean; round: boolean; cost: number } | null = null;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const p = points[i];
      const q = points[j];
      if (Math.abs(p.y - q.y) < 1 || p.t === q.t) continue;
      const a = (q.t - p.t) / (q.y - p.y);
      const line = { a, b: p.t - a * p.y };
      let count = 0;
      let cost = 0;
      for (const r of points) {
        const d = residualPx(line, r);
        if (d <= tol) count++;
        cost += Math.min(d, tol) ** 2;
      }
      const falling = a < 0;
      const step = scale === 'linear' ? Math.abs(a) * gapPx : Math.exp(Math.abs(a) * gapPx);
      const round = scale === 'linear' ? isRound(step) : isRound(step) || isRound(step - 1);
      const better =
        !best ||
        count > best.count ||
        (count === best.count &&
          (falling !== best.falling ? falling : round !== best.round ? round : cost < best.cost));
      if (better) best = { line, count, falling, round, cost };
    }
  }
  if (!best) return null;
  // Refine: least squares on the agreeing labels, twice (the refit may admit or drop a label).
  let line = best.line;
  let parts = split(line, points, tol);
  for (let k = 0; k < 2; k++) {
    const refit = leastSquares(parts.inliers);
    if (!refit) break;
    const next = split(refit, points, tol);
    if (next.inliers.length < 2) break;
    line = refit;
    parts = next;
  }
  return { scale, line, ...parts };
}

/**
 * Consecutive differences (or ratios) of the used labels all equal: one step, or two or three
 * where labels went unread, with most gaps a single step.
 */
function tickStep(scale: 'linear' | 'log', used: readonly Point[]): number | null {
  if (used.length < 3) return null;
  const byY = [...used].sort((p, q) => p.y - q.y);
  const steps: number[] = [];
  for (let k = 1; k < byY.length; k++) steps.push(Math.abs(byY[k - 1].t - byY[k].t));
  const unit = median(steps);
  if (!(unit > 0)) return null;
  let single = 0;
  for (const s of steps) {
    const n = Math.round(s / unit);
    if (n < 1 || n > 3 || Math.abs(s / unit - n) > 0.01 * n) return null;
    if (n === 1) single++;
  }
  if (single * 2 < steps.length) return null;
  return scale === 'linear' ? Number(unit.toPrecision(12)) : Number(Math.exp(unit).toPrecision(12));
}

function format(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

/**
 * Fits the price scale to the labels read off a price axis. Labels that do not read as numbers,
 * that the engine was unsure of, or that disagree with the scale most labels share, are rejected
 * with the reason. Fails when fewer than two labels agree on a scale.
 */
export function fitPriceAxis(labels: readonly AxisLabel[], options: PriceAxisFitOptions = {}): PriceAxisResult {
  const minConfidence = options.minConfidence ?? 20;
  const mark = options.mark ?? inferDecimalMark(labels.map((l) => l.text));
  const rejected: PriceAxisFit['rejected'] = [];
  const read: (Point & { percent: boolean })[] = [];
  for (const l of labels) {
    const r = parseLabelNumber(l.text, mark);
    if (!r.ok) rejected.push({ text: l.text, y: l.at, reason: `unreadable: ${r.reason}` });
    else if (l.confidence < minConfidence) rejected.push({ text: l.text, y: l.at, reason: `low OCR confidence (${Math.round(l.confidence)})` });
    else read.push({ text: l.text, y: l.at, value: r.value, t: r.value, percent: r.percent });
  }
  // One axis prints one unit: a lone "%" among plain numbers (or the reverse) is not a tick.
  const percents = read.filter((p) => p.percent).length;
  const percentAxis = percents * 2 > read.length;
  const points: Point[] = [];
  for (const p of read) {
    if (p.percent === percentAxis) points.push({ text: p.text, y: p.y, value: p.value, t: p.value });
    else rejected.push({ text: p.text, y: p.y, reason: percentAxis ? 'unit differs: no % sign' : 'unit differs: % sign' });
  }
  if (points.length < 2) return { ok: false, reason: `${points.length} readable price label(s); a scale needs two`, rejected };

  const ys = points.map((p) => p.y).sort((p, q) => p - q);
  const gaps = ys.slice(1).map((y, k) => y - ys[k]).filter((g) => g >= 1);
  const gapPx = gaps.length > 0 ? median(gaps) : 1;
  const tol = options.tolerancePx ?? Math.max(1.5, 0.12 * gapPx);

  const linear = robustFit('linear', points, tol, gapPx);
  const logPoints = points.every((p) => p.value > 0) ? points.map((p) => ({ ...p, t: Math.log(p.value) })) : null;
  const log = logPoints ? robustFit('log', logPoints, tol, gapPx) : null;
  const maxOf = (c: Candidate): number => Math.max(...c.residuals);
  let chosen: Candidate | null = linear;
  if (log && (!linear || log.inliers.length > linear.inliers.length || (log.inliers.length === linear.inliers.length && maxOf(linear) > 1 && maxOf(log) < 0.5 * maxOf(linear)))) {
    chosen = log;
  }
  if (!chosen || chosen.inliers.length < 2) return { ok: false, reason: 'no two price labels agree on a scale', rejected };

  const { a, b } = chosen.line;
  const at = (y: number): number => (chosen.scale === 'log' ? Math.exp(a * y + b) : a * y + b);
  const used = [...chosen.inliers].sort((p, q) => p.y - q.y);
  for (const p of chosen.outliers) rejected.push({ text: p.text, y: p.y, reason: `outlier: the scale puts ${format(at(p.y))} here` });
  rejected.sort((p, q) => p.y - q.y);
  const fitted = used.map((p) => ({ text: p.text, value: p.value, y: p.y, fitted: at(p.y) }));
  const range = options.span
    ? Math.abs(at(options.span.top) - at(options.span.bottom))
    : Math.max(...used.map((p) => p.value)) - Math.min(...used.map((p) => p.value));
  const maxError = Math.max(...fitted.map((l) => Math.abs(l.fitted - l.value)));
  const falling = used.every((p, k) => k === 0 || p.value < used[k - 1].value);
  const fit: PriceAxisFit = {
    scale: chosen.scale,
    a,
    b,
    labels: fitted,
    rejected,
    maxErrorOfRange: range > 0 ? maxError / range : maxError === 0 ? 0 : Infinity,
    // Falling prices as y grows, agreed on by at least half of the labels that read as numbers.
    monotone: a < 0 && falling && used.length * 2 >= points.length,
  };
  const residuals = chosen.residuals;
  return {
    ok: true,
    fit,
    tickStep: tickStep(chosen.scale, used),
    maxResidualPx: Math.max(...residuals),
    rmsResidualPx: Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length),
  };
}

/** The price at a pixel row under a fitted scale. */
export function priceAt(fit: Pick<PriceAxisFit, 'scale' | 'a' | 'b'>, y: number): number {
  return fit.scale === 'log' ? Math.exp(fit.a * y + fit.b) : fit.a * y + fit.b;
}

import type { Candle } from '../market/candles.ts';

/**
 * Reading the dates a model writes for a claim ("2020/03/20", "20 March 2020", "Mar 10") and
 * placing them on the chart's bars. Ambiguity is resolved against the chart itself: a day/month
 * order or a missing year is taken from the reading that falls on a bar the chart shows. A date
 * that cannot be placed is reported as such; it is never widened to the whole chart.
 */

const DAY_MS = 86_400_000;

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10,
  nov: 11, november: 11, dec: 12, december: 12,
};

/** One way to read a date: a calendar day (UTC) and, when the text gave one, a time of day. */
interface Reading {
  y: number | null;
  m: number;
  d: number;
  /** ms after midnight UTC when the text carries a time (intraday charts). */
  timeOfDay: number | null;
}

/** Where a claimed date lies relative to the chart the analyzer saw. */
export type DatePlacement =
  | { kind: 'bar'; index: number }
  | { kind: 'after_chart'; text: string }
  | { kind: 'before_chart'; text: string }
  | { kind: 'unresolved'; reason: string };

/** The bars a claim can be placed on: the chart's window [from..to] of `candles`. */
export interface ChartBars {
  candles: readonly Candle[];
  from: number;
  to: number;
}

const validDay = (y: number, m: number, d: number): boolean =>
  m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Time of day from "14:30", "14:30:05", "T14:30:00.000Z" (a stated offset is applied). */
function timeOfDay(rest: string): { ms: number | null; offsetMs: number } | null {
  const t = /^(?:[T\s]+)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(rest);
  if (!t) return rest.trim() === '' ? { ms: null, offsetMs: 0 } : null;
  const [h, mi, s] = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return null;
  let offsetMs = 0;
  if (t[4] && t[4].toUpperCase() !== 'Z') {
    const sign = t[4].startsWith('-') ? -1 : 1;
    const digits = t[4].replace(/[^\d]/g, '');
    offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return { ms: ((h * 60 + mi) * 60 + s) * 1000, offsetMs };
}

/** Every plausible reading of a date text, or a reason none exists. */
export function readDate(text: string): Reading[] | string {
  const raw = text.trim();
  if (raw === '') return 'no date was given';
  // Weekday names say nothing a date does not ("Tue 24 Mar 2020"), and "24-Mar-2020" is "24 Mar 2020".
  const s = raw
    .replace(/,/g, ' ')
    .replace(/\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|sday|nesday|rsday|urday)?\.?(?=\s|$)/gi, ' ')
    .replace(/(?<=[A-Za-z])[-.](?=\d)|(?<=\d)[-.](?=[A-Za-z])/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  let m: RegExpExecArray | null;
  // 2020-03-20, 2020/3/20, 2020.03.20, optionally with a time.
  if ((m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(.*)$/.exec(s))) {
    const tod = timeOfDay(m[4]);
    if (!tod) return `cannot read the time in "${raw}"`;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!validDay(y, mo, d)) return `"${raw}" is not a calendar date`;
    if (tod.offsetMs !== 0 && tod.ms !== null) return withOffset(y, mo, d, tod.ms - tod.offsetMs);
    return [{ y, m: mo, d, timeOfDay: tod.ms }];
  }
  // 20200320
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return validDay(y, mo, d) ? [{ y, m: mo, d, timeOfDay: null }] : `"${raw}" is not a calendar date`;
  }
  // 03/20/2020 or 20/03/2020 (or 20-03-2020): both orders are candidates.
  if ((m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?![\d])(.*)$/.exec(s))) {
    const tod = timeOfDay(m[4]);
    if (!tod) return `cannot read the time in "${raw}"`;
    const y = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    const [a, b] = [Number(m[1]), Number(m[2])];
    const readings: Reading[] = [];
    if (validDay(y, a, b)) readings.push({ y, m: a, d: b, timeOfDay: tod.ms });
    if (a !== b && validDay(y, b, a)) readings.push({ y, m: b, d: a, timeOfDay: tod.ms });
    return readings.length > 0 ? readings : `"${raw}" is not a calendar date in either day/month order`;
  }
  // 20 March 2020, March 20 2020, Mar 10, 10 Mar (no year).
  const words = s.toLowerCase().split(' ');
  const monthAt = words.findIndex((w) => MONTHS[w.replace(/\.$/, '')] !== undefined);
  if (monthAt >= 0) {
    const month = MONTHS[words[monthAt].replace(/\.$/, '')];
    const others = words.filter((_, i) => i !== monthAt).map((w) => w.replace(/(st|nd|rd|th)$/, ''));
    const nums = others.filter((w) => /^\d+$/.test(w)).map(Number);
    if (nums.length !== others.length || nums.length === 0 || nums.length > 2) return `cannot read "${raw}" as a date`;
    const year = nums.find((n) => n >= 1000) ?? null;
    const day = nums.find((n) => n < 1000);
    if (day === undefined) return `"${raw}" names no day`;
    if (year !== null && !validDay(year, month, day)) return `"${raw}" is not a calendar date`;
    if (year === null && !validDay(2000, month, day)) return `"${raw}" is not a calendar date`;
    return [{ y: year, m: month, d: day, timeOfDay: null }];
  }
  return `cannot read "${raw}" as a date`;
}

function withOffset(y: number, m: number, d: number, msAfterMidnightUtc: number): Reading[] {
  const at = new Date(Date.UTC(y, m - 1, d) + msAfterMidnightUtc);
  const dayStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  return [{ y: at.getUTCFullYear(), m: at.getUTCMonth() + 1, d: at.getUTCDate(), timeOfDay: at.getTime() - dayStart }];
}

/** The bar of the window on the same UTC day (daily and slower bars) or nearest in time (intraday). */
function barFor(ms: number, withTime: boolean, bars: ChartBars): number | null {
  const { candles, from, to } = bars;
  let best = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let i = from; i <= to; i++) {
    const distance = Math.abs(candles[i].time - ms);
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  if (best < 0) return null;
  const spacing = medianSpacing(bars);
  // A calendar date names a bar when one printed that day (a daily bar's stamp may sit at any
  // hour of it); a date-time names the nearest bar within one bar's spacing.
  if (!withTime) {
    const day = Math.floor(ms / DAY_MS);
    for (let i = from; i <= to; i++) if (Math.floor(candles[i].time / DAY_MS) === day) return i;
    // Weekly and monthly bars: a date inside the bar's period names it.
    if (spacing > DAY_MS * 1.5) {
      for (let i = to; i >= from; i--) if (candles[i].time <= ms && ms < candles[i].time + spacing) return i;
    }
    return null;
  }
  // Daily and slower bars: a date-time names the bar of its day, whatever the hour.
  if (spacing >= DAY_MS * 0.9) return barFor(Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), new Date(ms).getUTCDate()), false, bars);
  return bestDistance <= spacing ? best : null;
}

function medianSpacing(bars: ChartBars): number {
  const gaps: number[] = [];
  for (let i = Math.max(bars.from, 1); i <= bars.to; i++) gaps.push(bars.candles[i].time - bars.candles[i - 1].time);
  if (gaps.length === 0) return DAY_MS;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}

function utcMs(r: Reading, year: number): number {
  return Date.UTC(year, r.m - 1, r.d) + (r.timeOfDay ?? 0);
}

/**
 * Place a claimed date on the chart. Each reading (day/month order, and for a date without a year
 * each year the chart spans) is tried; the readings that land on a bar the chart shows win. One
 * winner places the claim; several are ambiguous; none leaves the date after or before the chart,
 * or between its bars (a weekend, a holiday), where nothing can be checked.
 */
export function placeDate(text: string, bars: ChartBars): DatePlacement {
  const readings = readDate(text);
  if (typeof readings === 'string') return { kind: 'unresolved', reason: readings };
  const first = bars.candles[bars.from].time;
  const last = bars.candles[bars.to].time;
  const spacing = medianSpacing(bars);
  const years = new Set<number>();
  for (let y = new Date(first).getUTCFullYear(); y <= new Date(last).getUTCFullYear(); y++) years.add(y);
  const candidates: { ms: number; withTime: boolean }[] = [];
  for (const r of readings) {
    for (const y of r.y !== null ? [r.y] : [...years]) {
      if (validDay(y, r.m, r.d)) candidates.push({ ms: utcMs(r, y), withTime: r.timeOfDay !== null });
    }
  }
  const onBars = [...new Set(candidates.map((c) => barFor(c.ms, c.withTime, bars)).filter((i): i is number => i !== null))];
  if (onBars.length === 1) return { kind: 'bar', index: onBars[0] };
  if (onBars.length > 1) return { kind: 'unresolved', reason: `"${text}" is ambiguous: it can be read as more than one date on the chart` };
  // A date is after the chart when every reading starts after the last bar's period ends.
  const lastEnds = last + Math.max(spacing, DAY_MS) - 1;
  const dayOf = (c: { ms: number; withTime: boolean }): number => (c.withTime ? c.ms : c.ms + DAY_MS - 1);
  if (candidates.length > 0 && candidates.every((c) => c.ms > lastEnds)) return { kind: 'after_chart', text };
  if (candidates.length > 0 && candidates.every((c) => dayOf(c) < first)) return { kind: 'before_chart', text };
  return { kind: 'unresolved', reason: `no bar of the chart falls on "${text}"` };
}

/** A claimed span [start..end] placed on the chart, or why it cannot be. */
export type SpanPlacement =
  | { kind: 'span'; from: number; to: number }
  | { kind: 'after_chart'; text: string }
  | { kind: 'before_chart'; text: string }
  | { kind: 'unresolved'; reason: string };

/** Place a claimed span; one given end stands for both (a one-bar pattern, or a pattern ending there). */
export function placeSpan(start: string | null, end: string | null, bars: ChartBars): SpanPlacement {
  const given = [start, end].filter((v): v is string => v !== null && v.trim() !== '');
  if (given.length === 0) return { kind: 'unresolved', reason: 'the claim gives no date, so it cannot be located on the chart' };
  const placed = given.map((g) => placeDate(g, bars));
  const after = placed.find((p) => p.kind === 'after_chart');
  if (after) return after;
  const unresolved = placed.find((p) => p.kind === 'unresolved');
  if (unresolved) return unresolved;
  const onBars = placed.filter((p): p is { kind: 'bar'; index: number } => p.kind === 'bar').map((p) => p.index);
  const before = placed.find((p) => p.kind === 'before_chart');
  // A pattern that began before the chart's first bar and ends on it shows its end: keep that part.
  if (before && onBars.length === 0) return before;
  const idx = before ? [bars.from, ...onBars] : onBars;
  return { kind: 'span', from: Math.min(...idx), to: Math.max(...idx) };
}

/**
 * The text side of the digitiser, step three: the time axis. Reads the time labels as dates
 * where they are legible ("2020-03-06", "2020-03", "Mar", "Mar 2020", "Jan '20", "2019",
 * "15:30", "Apr 17", "17"), fills in what a label leaves to its neighbours (the year of "Mar",
 * the month of "17"), and gives each bar a time by interpolating between those anchors. When the
 * labels do not read as dates there are no anchors, and bars keep only their index. Pure; times
 * are epoch milliseconds, UTC (chartlens's candle times).
 */
import type { AxisLabel } from './types.ts';

export type TimePrecision = 'year' | 'month' | 'day' | 'minute';

/** A time label read as a point in time, at the column of its centre. */
export interface TimeAnchor {
  x: number;
  /** Epoch ms UTC: the start of the year, month, day or minute the label names. */
  time: number;
  precision: TimePrecision;
  text: string;
}

export interface TimeAxisRead {
  /** Left to right, strictly increasing in time; empty when fewer than two labels read as times. */
  anchors: TimeAnchor[];
  /**
   * False when the labels only name times of day ("09:30", "12:00"): the anchors are then on
   * 1970-01-01 (and the days after it, when the clock wraps), for spacing only.
   */
  dateKnown: boolean;
  rejected: { text: string; x: number; reason: string }[];
}

export interface ReadTimeOptions {
  /** The year to assume when no label names one ("Mar", "Apr 17"); without it such labels are not dates. */
  year?: number;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** What one label states by itself. */
interface Parts {
  year?: number;
  month?: number; // 1..12
  day?: number;
  minutes?: number; // since midnight
}

/** OCR letters inside digit tokens (O→0, l/I→1, S→5), only when the token is otherwise digits. */
function fixDigits(token: string): string {
  if (!/\d/.test(token) || !/^[\dOoIl|Ss:./-]+$/.test(token)) return token;
  return token.replace(/[Oo]/g, '0').replace(/[Il|]/g, '1').replace(/[Ss]/g, '5');
}

/** A month name, forgiving OCR digits inside it ("0ct", "Ju1", "5ep"). */
function monthOf(token: string): number | null {
  const t = token.toLowerCase().replace(/\.$/, '').replace(/0/g, 'o').replace(/1/g, 'l').replace(/5/g, 's');
  if (!/^[a-z]{3,9}$/.test(t)) return null;
  const short = MONTHS.indexOf(t);
  if (short >= 0) return short + 1;
  if (t === 'sept') return 9;
  const full = FULL_MONTHS.indexOf(t);
  return full >= 0 ? full + 1 : null;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const t = Date.UTC(y, m - 1, d);
  return new Date(t).getUTCDate() === d;
}

function plausibleYear(y: number): boolean {
  return y >= 1900 && y <= 2100;
}

/** The parts one label states, or a reason it is not a time label. `dayFirst` decides "03/04/2020". */
export function parseTimeLabel(text: string, dayFirst = false): Parts | string {
  const s = text
    .normalize('NFKC')
    .replace(/[\u2212\u2010-\u2015]/g, '-')
    .replace(/[’‘`´]/g, "'")
    .replace(/,/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (s === '') return 'empty';
  const parts: Parts = {};
  const set = (key: keyof Parts, value: number): boolean => {
    if (parts[key] !== undefined) return false;
    parts[key] = value;
    return true;
  };
  const bareNumbers: number[] = [];
  for (const raw of s.split(' ')) {
    const token = fixDigits(raw);
    let m: RegExpExecArray | null;
    if ((m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T(\d{1,2}):(\d{2}))?$/.exec(token))) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      if (!plausibleYear(y) || !validDate(y, mo, d)) return `no such date: ${raw}`;
      if (!set('year', y) || !set('month', mo) || !set('day', d)) return 'the date twice';
      if (m[4] !== undefined && !set('minutes', Number(m[4]) * 60 + Number(m[5]))) return 'the time twice';
    } else if ((m = /^(\d{4})[-/.](\d{1,2})$/.exec(token))) {
      const [y, mo] = [Number(m[1]), Number(m[2])];
      if (!plausibleYear(y) || mo < 1 || mo > 12) return `no such month: ${raw}`;
      if (!set('year', y) || !set('month', mo)) return 'the date twice';
    } else if ((m = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})$/.exec(token))) {
      // 03/04/2020: month first with "/" unless the axis says otherwise; 03.04.2020 is day first.
      const first = Number(m[1]);
      const second = Number(m[3]);
      const y = m[4].length === 2 ? 2000 + Number(m[4]) : Number(m[4]);
      const df = m[2] === '.' || dayFirst;
      const [d, mo] = df ? [first, second] : [second, first];
      if (!plausibleYear(y) || !validDate(y, mo, d)) return `no such date: ${raw}`;
      if (!set('year', y) || !set('month', mo) || !set('day', d)) return 'the date twice';
    } else if ((m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(token))) {
      const [h, mi] = [Number(m[1]), Number(m[2])];
      if (h > 24 || mi > 59) return `no such time: ${raw}`;
      if (!set('minutes', (h % 24) * 60 + mi)) return 'the time twice';
    } else if ((m = /^'(\d{2})$/.exec(token))) {
      const yy = Number(m[1]);
      if (!set('year', yy < 70 ? 2000 + yy : 1900 + yy)) return 'the year twice';
    } else if (/^\d{4}$/.test(token)) {
      const y = Number(token);
      if (!plausibleYear(y)) return `not a year: ${raw}`;
      if (!set('year', y)) return 'the year twice';
    } else if (/^\d{1,2}$/.test(token)) {
      bareNumbers.push(Number(token));
    } else {
      // "Mar-20", "Mar'20" glue a month and a year or day.
      const glued = /^([A-Za-z015]{3,9})\.?[-']?(\d{2})$/.exec(raw);
      const month = monthOf(glued ? glued[1] : raw);
      if (month === null) return `not a date: ${raw}`;
      if (!set('month', month)) return 'the month twice';
      if (glued) {
        const n = Number(glued[2]);
        if (raw.includes("'") || raw.includes('-')) {
          if (!set('year', 2000 + n)) return 'the year twice';
        } else bareNumbers.push(n);
      }
    }
  }
  for (const n of bareNumbers) {
    // "Apr 17", "17 Apr", "17": a day of the month.
    if (n < 1 || n > 31 || !set('day', n)) return `not a day of the month: ${n}`;
  }
  if (parts.day !== undefined && parts.month !== undefined && parts.year !== undefined && !validDate(parts.year, parts.month, parts.day)) {
    return 'no such date';
  }
  if (parts.day !== undefined && parts.month === undefined && bareNumbers.length === 0) return 'a day without a month';
  return parts;
}

function precisionOf(p: Parts): TimePrecision {
  if (p.minutes !== undefined) return 'minute';
  if (p.day !== undefined) return 'day';
  if (p.month !== undefined) return 'month';
  return 'year';
}

/** Longest run of labels increasing in time, in their left-to-right order (O(n^2), n is small). */
function longestIncreasing<T>(items: readonly T[], key: (t: T) => number): Set<number> {
  const n = items.length;
  const len = new Array<number>(n).fill(1);
  const prev = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (key(items[j]) < key(items[i]) && len[j] + 1 > len[i]) {
        len[i] = len[j] + 1;
        prev[i] = j;
      }
    }
  }
  let end = 0;
  for (let i = 1; i < n; i++) if (len[i] > len[end]) end = i;
  const keep = new Set<number>();
  for (let i = n > 0 ? end : -1; i >= 0; i = prev[i]) keep.add(i);
  return keep;
}

/**
 * The time labels as anchors. A label that names no year takes it from its neighbours (the year
 * rolls over when the months wrap), one that names only a day takes the month likewise, one that
 * names only a time takes the date; labels that are not times, or break the left-to-right order,
 * are rejected.
 */
export function readTimeLabels(labels: readonly AxisLabel[], options: ReadTimeOptions = {}): TimeAxisRead {
  const sorted = [...labels].sort((a, b) => a.at - b.at);
  const rejected: TimeAxisRead['rejected'] = [];
  // "03/04/2020" is day first when some label on the axis could not be month first.
  const dayFirst = sorted.some((l) => {
    const m = /(?:^|\s)(\d{1,2})\/(\d{1,2})\/\d{2,4}/.exec(l.text);
    return m !== null && Number(m[1]) > 12;
  });
  const read: { label: AxisLabel; parts: Parts }[] = [];
  for (const l of sorted) {
    const p = parseTimeLabel(l.text, dayFirst);
    if (typeof p === 'string') rejected.push({ text: l.text, x: l.at, reason: p });
    else read.push({ label: l, parts: p });
  }
  const none = (reason: string): TimeAxisRead => ({
    anchors: [],
    dateKnown: false,
    rejected: [...rejected, ...read.map((r) => ({ text: r.label.text, x: r.label.at, reason }))].sort((a, b) => a.x - b.x),
  });
  if (read.length < 2) return none('too few time labels');

  const resolved = read.map((r) => ({ ...r, full: { ...r.parts }, precision: precisionOf(r.parts) }));
  const hasDates = resolved.some((r) => r.parts.year !== undefined || r.parts.month !== undefined || r.parts.day !== undefined);

  // A missing month (year) from the left neighbour, one more when the day (month) falls below the
  // neighbour's; labels before the first that has one take it from the right, one less when the
  // day (month) is above it. Months wrap 12 -> 1 here; the year pass then counts the wrap.
  const fill = (key: 'month' | 'year', child: 'day' | 'month', wrap: number): void => {
    let last: { value: number; child: number } | null = null;
    for (const r of resolved) {
      if (r.full[key] !== undefined) last = { value: r.full[key], child: r.full[child] ?? 1 };
      else if (last && r.full[child] !== undefined) {
        let value: number = last.value;
        if (r.full[child] < last.child) value = value + 1;
        if (key === 'month' && value > wrap) value = 1; // the year rolls in the year pass
        r.full[key] = value;
        last = { value, child: r.full[child] };
      }
    }
    let next: { value: number; child: number } | null = null;
    for (let k = resolved.length - 1; k >= 0; k--) {
      const r = resolved[k];
      if (r.full[key] !== undefined) next = { value: r.full[key], child: r.full[child] ?? 1 };
      else if (next && r.full[child] !== undefined) {
        let value: number = next.value;
        if (r.full[child] > next.child) value = value - 1;
        if (key === 'month' && value < 1) value = wrap;
        r.full[key] = value;
        next = { value, child: r.full[child] };
      }
    }
  };
  if (hasDates) {
    fill('month', 'day', 12);
    fill('year', 'month', 0);
    if (options.year !== undefined) {
      // No label named a year: the last one is in `year`, earlier ones roll back as months wrap.
      let year = options.year;
      let laterMonth = 13;
      for (let k = resolved.length - 1; k >= 0; k--) {
        const r = resolved[k];
        if (r.full.year !== undefined || r.full.month === undefined) continue;
        if (r.full.month > laterMonth) year--;
        r.full.year = year;
        laterMonth = r.full.month;
      }
    }
  }

  // Times of day take the date of the last dated label on their left (the next day when the
  // clock wraps); those before the first dated label are on the days before it.
  const dayOf = (f: Parts): number | null =>
    f.year !== undefined && f.month !== undefined && f.day !== undefined && validDate(f.year, f.month, f.day) ? Date.UTC(f.year, f.month - 1, f.day) : null;
  const timeOnly = (f: Parts): boolean => f.minutes !== undefined && f.year === undefined && f.month === undefined && f.day === undefined;
  const times = new Array<number | null>(resolved.length).fill(null);
  const firstDay = resolved.findIndex((r) => dayOf(r.full) !== null);
  let base = firstDay >= 0 ? dayOf(resolved[firstDay].full)! : 0;
  let lastMinutes = firstDay >= 0 ? (resolved[firstDay].full.minutes ?? 0) : Infinity;
  for (let k = firstDay - 1; k >= 0; k--) {
    const f = resolved[k].full;
    if (!timeOnly(f)) continue;
    if (f.minutes! >= lastMinutes) base -= DAY;
    lastMinutes = f.minutes!;
    times[k] = base + f.minutes! * MINUTE;
  }
  base = firstDay >= 0 ? dayOf(resolved[firstDay].full)! : 0;
  lastMinutes = -1;
  for (let k = 0; k < resolved.length; k++) {
    const f = resolved[k].full;
    const day = dayOf(f);
    if (k < firstDay && timeOnly(f)) continue; // done above
    if (day !== null) {
      base = day;
      lastMinutes = f.minutes ?? -1;
      times[k] = day + (f.minutes ?? 0) * MINUTE;
    } else if (timeOnly(f)) {
      if (f.minutes! <= lastMinutes) base += DAY;
      lastMinutes = f.minutes!;
      times[k] = base + f.minutes! * MINUTE;
    } else if (f.year !== undefined) {
      times[k] = Date.UTC(f.year, (f.month ?? 1) - 1, 1);
    }
  }
  const anchors: TimeAnchor[] = [];
  resolved.forEach((r, k) => {
    const time = times[k];
    if (time === null) rejected.push({ text: r.label.text, x: r.label.at, reason: r.full.year === undefined ? 'no year on the axis' : 'no such date' });
    else anchors.push({ x: r.label.at, time, precision: r.precision, text: r.label.text });
  });
  const dateKnown = hasDates;
  const keep = longestIncreasing(anchors, (a) => a.time);
  const ordered = anchors.filter((a, k) => {
    if (!keep.has(k)) rejected.push({ text: a.text, x: a.x, reason: 'out of order with the other labels' });
    return keep.has(k);
  });
  rejected.sort((a, b) => a.x - b.x);
  if (ordered.length < 2) return { anchors: [], dateKnown: false, rejected };
  return { anchors: ordered, dateKnown, rejected };
}

// ---------------------------------------------------------------------------------------------
// Bars -> times

export type BarPeriod =
  | { unit: 'minute'; minutes: number }
  /** `business`: Monday to Friday only (stock markets); otherwise every day (crypto). */
  | { unit: 'day'; business: boolean }
  /** Bars dated on Mondays. */
  | { unit: 'week' }
  /** Bars dated on the 1st. */
  | { unit: 'month' };

export interface AssignOptions {
  /**
   * Which weekdays daily stock bars are assumed closed on where no label says otherwise (before
   * the first and after the last anchor, and to choose which weekdays between two anchors had no
   * bar): 'us' (NYSE holidays, the default: most charts are US stocks), 'major' (New Year,
   * Good Friday, Christmas only) or 'none'.
   */
  holidays?: 'us' | 'major' | 'none';
}

export interface BarTimes {
  period: BarPeriod;
  /** Epoch ms UTC per bar, strictly increasing; bars between anchors are interpolated. */
  times: number[];
  /** 'index': bars evenly spaced (no gaps for closed days); 'time': x proportional to time. */
  axis: 'index' | 'time';
}

const INTRADAY_STEPS = [1, 2, 3, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720];

function isWeekend(t: number): boolean {
  const d = new Date(t).getUTCDay();
  return d === 0 || d === 6;
}

/** The slots bars of a period sit on: the first at or after t, and stepping. */
function slots(period: BarPeriod): { ceil: (t: number) => number; next: (t: number) => number; prev: (t: number) => number; round: (t: number) => number } {
  switch (period.unit) {
    case 'minute': {
      const step = period.minutes * MINUTE;
      return { ceil: (t) => Math.ceil(t / step) * step, next: (t) => t + step, prev: (t) => t - step, round: (t) => Math.round(t / step) * step };
    }
    case 'day': {
      const business = period.business;
      const next = (t: number): number => {
        let u = t + DAY;
        while (business && isWeekend(u)) u += DAY;
        return u;
      };
      const prev = (t: number): number => {
        let u = t - DAY;
        while (business && isWeekend(u)) u -= DAY;
        return u;
      };
      const ceil = (t: number): number => {
        let u = Math.ceil(t / DAY) * DAY;
        while (business && isWeekend(u)) u += DAY;
        return u;
      };
      const round = (t: number): number => {
        const u = Math.round(t / DAY) * DAY;
        if (!business || !isWeekend(u)) return u;
        const fwd = ceil(u);
        const back = prev(u + DAY);
        return fwd - t <= t - back ? fwd : back;
      };
      return { ceil, next, prev, round };
    }
    case 'week': {
      // 1970-01-05 was a Monday.
      const monday = 4 * DAY;
      const week = 7 * DAY;
      return {
        ceil: (t) => Math.ceil((t - monday) / week) * week + monday,
        next: (t) => t + week,
        prev: (t) => t - week,
        round: (t) => Math.round((t - monday) / week) * week + monday,
      };
    }
    case 'month': {
      const add = (t: number, n: number): number => {
        const d = new Date(t);
        return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
      };
      const ceil = (t: number): number => {
        const start = add(t, 0);
        return start === t ? t : add(t, 1);
      };
      return {
        ceil,
        next: (t) => add(t, 1),
        prev: (t) => add(ceil(t), -1),
        round: (t) => {
          const a = add(t, 0);
          const b = add(t, 1);
          return t - a <= b - t ? a : b;
        },
      };
    }
  }
}

/** The period of bars that take `daysPerBar` days each, or null when it is none of the usual ones. */
function periodOf(daysPerBar: number): BarPeriod | null {
  if (daysPerBar < 0.8) {
    const minutes = daysPerBar * 1440;
    const step = INTRADAY_STEPS.find((s) => Math.abs(minutes - s) <= 0.2 * s);
    return step ? { unit: 'minute', minutes: step } : null;
  }
  if (daysPerBar <= 1.15) return { unit: 'day', business: false };
  if (daysPerBar <= 1.7) return { unit: 'day', business: true };
  if (daysPerBar >= 5 && daysPerBar <= 9) return { unit: 'week' };
  if (daysPerBar >= 25 && daysPerBar <= 35) return { unit: 'month' };
  return null;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * A time for every bar, from the anchors and the bars' centre columns (left to right). Two kinds
 * of time axis are handled: bars evenly spaced (the usual "index" axis, where closed days leave no
 * gap), where bars between two anchors take the period's slots between the anchors' dates in
 * order; and x proportional to time (a date axis with gaps for weekends), where each bar takes
 * the slot nearest the time at its column. The period (minutes, business or calendar days, weeks,
 * months) is inferred from how much time the anchors span per bar. Null when there are fewer than
 * two anchors, the bars fit neither kind of axis, or the period is none of those.
 */
export function assignBarTimes(anchors: readonly TimeAnchor[], barXs: readonly number[], options: AssignOptions = {}): BarTimes | null {
  const n = barXs.length;
  if (anchors.length < 2 || n < 2) return null;
  for (let k = 1; k < n; k++) if (!(barXs[k] > barXs[k - 1])) return null;
  const dx: number[] = [];
  for (let k = 1; k < n; k++) dx.push(barXs[k] - barXs[k - 1]);
  const step = median(dx);
  const regular = dx.filter((d) => Math.abs(d - step) <= 0.25 * step).length >= 0.9 * dx.length;
  const minScore = { us: 2, major: 3, none: Infinity }[options.holidays ?? 'us'];
  return regular ? indexAxis(anchors, barXs, step, minScore) : timeAxis(anchors, barXs, step);
}

/** Easter Sunday (Gregorian, the anonymous computus), as epoch ms. */
function easter(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/** The n-th (1-based; -1 = last) given weekday of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = Date.UTC(year, month - 1, 1);
    return first + (((weekday - new Date(first).getUTCDay() + 7) % 7) + 7 * (n - 1)) * DAY;
  }
  const last = Date.UTC(year, month, 0);
  return last - ((new Date(last).getUTCDay() - weekday + 7) % 7) * DAY;
}

/** A fixed-date holiday as observed on a weekday (Saturday -> Friday, Sunday -> Monday). */
function observed(t: number): number {
  const d = new Date(t).getUTCDay();
  return d === 6 ? t - DAY : d === 0 ? t + DAY : t;
}

/**
 * How likely a weekday is a market holiday: 3 for days nearly every exchange closes (New Year,
 * Christmas, Good Friday), 2 for the other NYSE holidays, 0 otherwise. A prior for where bars
 * are missing where no label says; a wrong guess costs a day on the bars after it.
 */
function holidayScore(t: number): number {
  const year = new Date(t).getUTCFullYear();
  const major = [observed(Date.UTC(year, 0, 1)), observed(Date.UTC(year, 11, 25)), easter(year) - 2 * DAY];
  if (major.includes(t)) return 3;
  const us = [
    nthWeekday(year, 1, 1, 3), // Martin Luther King Jr. Day
    nthWeekday(year, 2, 1, 3), // Presidents' Day
    nthWeekday(year, 5, 1, -1), // Memorial Day
    observed(Date.UTC(year, 6, 4)),
    nthWeekday(year, 9, 1, 1), // Labor Day
    nthWeekday(year, 11, 4, 4), // Thanksgiving
  ];
  if (year >= 2022) us.push(observed(Date.UTC(year, 5, 19)));
  return us.includes(t) ? 2 : 0;
}

/** `count` items of `interior` to leave out: likely holidays first, then evenly spread. */
function slotsToSkip(interior: readonly number[], count: number, business: boolean, minScore: number): Set<number> {
  const skip = new Set<number>();
  if (count <= 0) return skip;
  if (business) {
    const ranked = interior.map((t, k) => ({ k, score: holidayScore(t) })).filter((r) => r.score >= minScore);
    ranked.sort((p, q) => q.score - p.score || p.k - q.k);
    for (const r of ranked.slice(0, count)) skip.add(r.k);
  }
  const rest = interior.map((_, k) => k).filter((k) => !skip.has(k));
  const left = count - skip.size;
  for (let j = 0; j < left; j++) skip.add(rest[Math.floor(((j + 0.5) * rest.length) / left)]);
  return skip;
}

function nearestBar(barXs: readonly number[], x: number): number {
  let best = 0;
  for (let k = 1; k < barXs.length; k++) if (Math.abs(barXs[k] - x) < Math.abs(barXs[best] - x)) best = k;
  return best;
}

function indexAxis(anchors: readonly TimeAnchor[], barXs: readonly number[], step: number, minScore: number): BarTimes | null {
  // Anchors on bars; anchors outside the bars (or on the same bar as a finer one) are dropped.
  const rank: Record<TimePrecision, number> = { minute: 3, day: 2, month: 1, year: 0 };
  const onBars: { bar: number; a: TimeAnchor }[] = [];
  for (const a of anchors) {
    const bar = nearestBar(barXs, a.x);
    if (Math.abs(barXs[bar] - a.x) > 0.75 * step) continue;
    const last = onBars.at(-1);
    if (last && last.bar === bar) {
      if (rank[a.precision] > rank[last.a.precision]) onBars[onBars.length - 1] = { bar, a };
      continue;
    }
    if (last && a.time <= last.a.time) continue;
    onBars.push({ bar, a });
  }
  if (onBars.length < 2) return null;
  const perBar: number[] = [];
  for (let k = 1; k < onBars.length; k++) {
    perBar.push((onBars[k].a.time - onBars[k - 1].a.time) / DAY / (onBars[k].bar - onBars[k - 1].bar));
  }
  const period = periodOf(median(perBar));
  if (!period) return null;
  const s = slots(period);
  const business = period.unit === 'day' && period.business;
  // Likely holidays are stepped over where there is no label to go by.
  const open = (t: number): boolean => !business || holidayScore(t) < minScore;
  const next = (t: number): number => {
    let u = s.next(t);
    while (!open(u)) u = s.next(u);
    return u;
  };
  const prev = (t: number): number => {
    let u = s.prev(t);
    while (!open(u)) u = s.prev(u);
    return u;
  };
  const times = new Array<number>(barXs.length).fill(NaN);
  // A month or year label sits on the first bar of its month or year.
  const anchorSlot = onBars.map(({ a }) => (a.precision === 'minute' || a.precision === 'day' ? s.round(a.time) : open(s.ceil(a.time)) ? s.ceil(a.time) : next(s.ceil(a.time))));
  for (let k = 0; k < onBars.length; k++) times[onBars[k].bar] = anchorSlot[k];
  for (let k = 1; k < onBars.length; k++) {
    const i0 = onBars[k - 1].bar;
    const i1 = onBars[k].bar;
    const t0 = anchorSlot[k - 1];
    const t1 = anchorSlot[k];
    const between: number[] = [t0];
    while (between.at(-1)! < t1 && between.length <= 4 * (i1 - i0) + 2) between.push(s.next(between.at(-1)!));
    if (between.at(-1) === t1 && between.length >= i1 - i0 + 1) {
      // As many slots as bars, or more (holidays, market breaks): leave the extra ones out.
      const interior = between.slice(1, -1);
      const skip = slotsToSkip(interior, between.length - (i1 - i0 + 1), business, minScore);
      const kept = interior.filter((_, k) => !skip.has(k));
      for (let i = i0 + 1; i < i1; i++) times[i] = kept[i - i0 - 1];
    } else {
      // Fewer slots than bars, or far more: the period is off here; interpolate plainly.
      for (let i = i0 + 1; i < i1; i++) times[i] = Math.round(t0 + ((i - i0) / (i1 - i0)) * (t1 - t0));
    }
  }
  for (let i = onBars[0].bar - 1; i >= 0; i--) times[i] = prev(times[i + 1]);
  for (let i = onBars.at(-1)!.bar + 1; i < barXs.length; i++) times[i] = next(times[i - 1]);
  return { period, times, axis: 'index' };
}

function timeAxis(anchors: readonly TimeAnchor[], barXs: readonly number[], step: number): BarTimes | null {
  // time = alpha * x + beta through the anchors; it must hold to a fraction of a bar.
  const n = anchors.length;
  const mx = anchors.reduce((s, a) => s + a.x, 0) / n;
  const mt = anchors.reduce((s, a) => s + a.time, 0) / n;
  let sxx = 0;
  let sxt = 0;
  for (const a of anchors) {
    sxx += (a.x - mx) ** 2;
    sxt += (a.x - mx) * (a.time - mt);
  }
  if (sxx === 0 || sxt <= 0) return null;
  const alpha = sxt / sxx;
  const beta = mt - alpha * mx;
  // The smallest bar gap is one period (consecutive trading days).
  const minGap = Math.min(...barXs.slice(1).map((x, k) => x - barXs[k]));
  const periodMs = alpha * Math.min(minGap, step);
  const worst = Math.max(...anchors.map((a) => Math.abs(a.time - (alpha * a.x + beta))));
  if (worst > 0.5 * periodMs + 0.02 * (anchors.at(-1)!.time - anchors[0].time) / Math.max(1, barXs.length)) return null;
  const base = periodOf(periodMs / DAY);
  if (!base) return null;
  const raw = barXs.map((x) => alpha * x + beta);
  const period: BarPeriod = base.unit === 'day' ? { unit: 'day', business: raw.every((t) => !isWeekend(Math.round(t / DAY) * DAY)) } : base;
  const s = slots(period);
  const times: number[] = [];
  for (const t of raw) {
    let u = s.round(t);
    if (times.length > 0 && u <= times.at(-1)!) u = s.next(times.at(-1)!);
    times.push(u);
  }
  return { period, times, axis: 'time' };
}

/**
 * The text side of the digitiser, step one: turn the words an OCR engine read off an axis label
 * strip into AxisLabel values (text + pixel position), and read price label texts as numbers.
 * Pure: the OCR itself is a port (ports/ocr.ts); this only interprets what it returned.
 */
import type { AxisLabel, Rect, RgbaImage } from './types.ts';

/**
 * A box in the pixel coordinates of the image the OCR engine was given (its crop, before any
 * upscaling): continuous coordinates, `x1`/`y1` exclusive, so text filling rows 10..19 has y0 10
 * and y1 20, and its centre row is (y0 + y1) / 2 - 0.5 = 14.5 as a row index.
 */
export interface TextBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** One word (or line) an OCR engine read. */
export interface OcrText {
  text: string;
  /** 0..100, as the engine reports it. */
  confidence: number;
  box: TextBox;
}

/** Characters price labels are printed with: digits, separators, signs, units and magnitudes. */
export const PRICE_LABEL_WHITELIST = '0123456789.,-+%$kKmMB';

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Characters time labels are printed with: digits, date and time separators, `'` (for "Jan '20")
 * and the letters of the month names as charts print them ("Mar", "March"; not "MAR", whose
 * capitals O, I, S, B would compete with the digits).
 */
export const TIME_LABEL_WHITELIST = [...new Set(`0123456789-:/.,'${MONTH_NAMES.join('')}`)].join('');

// ---------------------------------------------------------------------------------------------
// Words -> labels

const height = (b: TextBox): number => b.y1 - b.y0;
const width = (b: TextBox): number => b.x1 - b.x0;

function union(a: TextBox, b: TextBox): TextBox {
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

function merge(items: OcrText[], joiner: string): OcrText {
  return {
    text: items.map((w) => w.text).join(joiner),
    confidence: Math.min(...items.map((w) => w.confidence)),
    box: items.slice(1).reduce((box, w) => union(box, w.box), items[0].box),
  };
}

/** Words on one text line whose gap is at most `maxGapOfHeight` line heights become one label. */
function mergeAlongLines(words: readonly OcrText[], maxGapOfHeight: number): OcrText[] {
  const sorted = [...words].sort((a, b) => a.box.x0 - b.box.x0);
  const lines: OcrText[][] = [];
  for (const w of sorted) {
    const line = lines.find((l) => {
      const last = l.at(-1)!;
      const h = Math.max(height(last.box), height(w.box));
      const sameRow = overlap(last.box.y0, last.box.y1, w.box.y0, w.box.y1) >= 0.5 * Math.min(height(last.box), height(w.box));
      const gap = w.box.x0 - last.box.x1;
      return sameRow && gap <= maxGapOfHeight * h && gap > -0.5 * h;
    });
    if (line) line.push(w);
    else lines.push([w]);
  }
  return lines.map((l) => merge(l, ' '));
}

/** Labels printed on two lines (matplotlib's "Mar" over "2020"): stacked, centred, close. */
function mergeStacked(labels: OcrText[]): OcrText[] {
  const sorted = [...labels].sort((a, b) => a.box.y0 - b.box.y0);
  const groups: OcrText[][] = [];
  for (const w of sorted) {
    const group = groups.find((g) => {
      const last = g.at(-1)!;
      const h = Math.max(height(last.box), height(w.box));
      const gap = w.box.y0 - last.box.y1;
      const cx = (w.box.x0 + w.box.x1) / 2;
      const lx = (last.box.x0 + last.box.x1) / 2;
      return gap >= -0.25 * h && gap <= 1.0 * h && Math.abs(cx - lx) <= 0.5 * Math.max(width(last.box), width(w.box));
    });
    if (group) group.push(w);
    else groups.push([w]);
  }
  return groups.map((g) => merge(g, ' '));
}

const usable = (w: OcrText): boolean => w.text.trim().length > 0 && width(w.box) > 0 && height(w.box) > 0;

/**
 * The labels of a price axis strip: words on one row close together are one label ("$ 3,000"),
 * `at` is the row of the label's centre in image coordinates (strip.top + the box's centre row).
 * Sorted top to bottom.
 */
export function priceAxisLabels(words: readonly OcrText[], strip: Pick<Rect, 'left' | 'top'>): AxisLabel[] {
  return mergeAlongLines(words.filter(usable), 1.0)
    .map((w) => ({ text: w.text.trim(), at: strip.top + (w.box.y0 + w.box.y1) / 2 - 0.5, confidence: w.confidence }))
    .sort((a, b) => a.at - b.at);
}

/**
 * The labels of a time axis strip: words close together on a row ("Mar 2020") and labels stacked
 * on two rows ("Mar" over "2020") are one label; `at` is the column of its centre in image
 * coordinates. Sorted left to right.
 */
export function timeAxisLabels(words: readonly OcrText[], strip: Pick<Rect, 'left' | 'top'>): AxisLabel[] {
  return mergeStacked(mergeAlongLines(words.filter(usable), 0.8))
    .map((w) => ({ text: w.text.trim(), at: strip.left + (w.box.x0 + w.box.x1) / 2 - 0.5, confidence: w.confidence }))
    .sort((a, b) => a.at - b.at);
}

// ---------------------------------------------------------------------------------------------
// Label text -> number

export type DecimalMark = '.' | ',';

export type NumberParse =
  | {
      ok: true;
      value: number;
      /** The label was printed with a `%`. The value is as printed (12% -> 12). */
      percent: boolean;
      /** The decimal mark the text itself proves ("1.234,5" proves ","), or null when it is ambiguous or absent. */
      mark: DecimalMark | null;
    }
  | { ok: false; reason: string };

const MINUS = /[\u2212\u2012\u2013\u2014\u2015\uFE63\uFF0D\u2010\u2011]/g;
const CURRENCY = /[$€£¥₹₩₽]/;
const MAGNITUDE: Record<string, number> = { k: 1e3, K: 1e3, m: 1e6, M: 1e6, b: 1e9, B: 1e9, bn: 1e9, T: 1e12 };
/** Letters OCR engines print for digits; applied only when everything else in the number is a digit. */
const CONFUSIONS: Record<string, string> = { O: '0', o: '0', D: '0', Q: '0', l: '1', I: '1', i: '1', '|': '1', S: '5', s: '5' };

const fail = (reason: string): NumberParse => ({ ok: false, reason });

/** Digits with an optional decimal part, no grouping: "1234", "1234.5", ".5". */
function plain(intPart: string, frac: string | null): number {
  return Number(`${intPart || '0'}${frac === null ? '' : `.${frac}`}`);
}

/** Thousands groups: first 1-3 digits, the rest exactly 3. */
function grouped(groups: string[]): boolean {
  return /^\d{1,3}$/.test(groups[0]) && groups.slice(1).every((g) => /^\d{3}$/.test(g));
}

/**
 * The number in a body of digits and separators (`.` `,` `'` and space), with `hint` deciding the
 * one ambiguous case: a single `.` or `,` followed by exactly three digits ("1,234" / "1.234").
 */
function parseBody(body: string, hint: DecimalMark | 'auto'): { value: number; mark: DecimalMark | null } | string {
  if (!/^[\d.,' ]+$/.test(body) || !/\d/.test(body)) return 'not a number';
  if (/[.,' ]{2}/.test(body)) return 'repeated separators';
  if (/^[,' ]/.test(body) || /[.,' ]$/.test(body)) return 'misplaced separator';
  const dots = body.split('.').length - 1;
  const commas = body.split(',').length - 1;
  let mark: DecimalMark | null;
  let decimal: DecimalMark | null;
  if (dots > 0 && commas > 0) {
    decimal = body.lastIndexOf('.') > body.lastIndexOf(',') ? '.' : ',';
    if (body.split(decimal).length - 1 > 1) return 'two decimal marks';
    mark = decimal;
  } else if (dots + commas === 0) {
    decimal = null;
    mark = null;
  } else {
    const sep: DecimalMark = dots > 0 ? '.' : ',';
    const other: DecimalMark = sep === '.' ? ',' : '.';
    const parts = body.split(sep);
    const intPart = parts[0].replace(/[' ]/g, '');
    if (parts.length > 2) {
      decimal = null; // "1,234,567" or "1.234.567": the separator groups thousands
      mark = other;
    } else if (parts[1].length !== 3 || intPart === '0' || intPart === '' || intPart.length > 3 || /[' ]/.test(parts[0])) {
      decimal = sep; // "2,5", "0.250", "1234.567", "1 234,567"
      mark = sep;
    } else {
      decimal = hint === 'auto' ? '.' : hint; // "1,234" / "1.234": the axis decides
      if (decimal !== sep) decimal = null;
      mark = null;
    }
  }
  const [intRaw, frac = null] = decimal === null ? [body, null] : body.split(decimal);
  if (frac !== null && !/^\d+$/.test(frac)) return 'bad decimal part';
  const groups = intRaw.split(/[.,' ]/);
  if (groups.length > 1 && !grouped(groups)) return 'bad digit grouping';
  if (groups.length > 1 && new Set(intRaw.replace(/\d/g, '')).size > 1) return 'mixed grouping separators';
  return { value: plain(groups.join(''), frac), mark };
}

/**
 * Reads one axis label as a number: "1,234.50", "1.234,50" (European), "1 234", "2.5k", "1.2M",
 * "$3,000", "12%", "−5" (unicode minus), "(5)" (accounting negative), with the usual OCR
 * confusions (O→0, l/I→1, S→5) fixed only when the rest of the number is digits. `mark` is the
 * axis's decimal mark when known (see inferDecimalMark); it only decides "1,234" vs "1.234".
 */
export function parseLabelNumber(text: string, mark: DecimalMark | 'auto' = 'auto'): NumberParse {
  let s = text.normalize('NFKC').replace(MINUS, '-').replace(/\s+/g, ' ').trim();
  if (s === '') return fail('empty');
  let negative = false;
  const paren = /^\((.*)\)$/.exec(s);
  if (paren) {
    negative = true;
    s = paren[1].trim();
  }
  // Sign and currency, in either order ("-$5", "$-5", "+5", "5 $").
  const before = /^([-+]?)\s?([$€£¥₹₩₽]?)\s?([-+]?)\s?/.exec(s)!;
  const signs = before[1] + before[3];
  if (signs.length > 1 || (signs && negative)) return fail('more than one sign');
  if (signs === '-') negative = true;
  s = s.slice(before[0].length);
  let percent = false;
  if (s.endsWith('%')) {
    percent = true;
    s = s.slice(0, -1).trimEnd();
  }
  s = s.replace(/\s?[$€£¥₹₩₽]$/, '');
  if (CURRENCY.test(s)) return fail('currency sign inside the number');
  let multiplier = 1;
  const magnitude = /\s?(bn|[kKmMbBT])$/.exec(s);
  if (magnitude && /[\dOolI|Ss]/.test(s.slice(0, magnitude.index).slice(-1))) {
    multiplier = MAGNITUDE[magnitude[1]];
    s = s.slice(0, magnitude.index);
  }
  if (s.endsWith('.') && /\d\.$/.test(s)) s = s.slice(0, -1); // a stray full stop after the number
  // OCR confusions, only when they are the exception in an otherwise numeric body.
  if (/[^\d.,' ]/.test(s)) {
    const letters = [...s].filter((c) => !/[\d.,' ]/.test(c));
    if (!letters.every((c) => c in CONFUSIONS) || !/\d/.test(s)) return fail('not a number');
    s = [...s].map((c) => CONFUSIONS[c] ?? c).join('');
  }
  const body = parseBody(s, mark);
  if (typeof body === 'string') return fail(body);
  const value = (negative ? -body.value : body.value) * multiplier;
  if (!Number.isFinite(value)) return fail('not a finite number');
  // Round away the binary noise of the multiplication (2.3k -> 2300, not 2299.9999999999995).
  return { ok: true, value: Number(value.toPrecision(15)), percent, mark: body.mark };
}

/**
 * The decimal mark of a set of labels from one axis: "," when some label proves it ("2,5",
 * "1.234,50", "1.234.567") and none proves ".", else ".".
 */
export function inferDecimalMark(texts: readonly string[]): DecimalMark {
  let dot = 0;
  let comma = 0;
  for (const t of texts) {
    const r = parseLabelNumber(t);
    if (!r.ok || r.mark === null) continue;
    if (r.mark === ',') comma++;
    else dot++;
  }
  return comma > dot ? ',' : '.';
}

// ---------------------------------------------------------------------------------------------
// Pixels: tighten a label strip to its text

function backgroundOf(image: RgbaImage, r: Rect): [number, number, number] {
  const counts = new Map<number, number>();
  let best = 0;
  let bestKey = 0;
  for (let y = r.top; y < r.bottom; y++) {
    for (let x = r.left; x < r.right; x++) {
      const i = (y * image.width + x) * 4;
      const key = ((image.data[i] >> 3) << 10) | ((image.data[i + 1] >> 3) << 5) | (image.data[i + 2] >> 3);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n > best) {
        best = n;
        bestKey = key;
      }
    }
  }
  return [((bestKey >> 10) << 3) + 4, (((bestKey >> 5) & 31) << 3) + 4, ((bestKey & 31) << 3) + 4];
}

/** Runs of true values, as [start, end) pairs, merging runs separated by fewer than `minGap` falses. */
function runs(flags: boolean[], minGap: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    const last = out.at(-1);
    if (last && i - last[1] < minGap) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

/**
 * The part of a label strip that holds its text: the strip cut down to the pixels that contrast
 * with its background, padded by `pad`, without the tick marks that hug the plot (a narrow band
 * of ink touching the plot side, apart from the text). `plotSide` is where the plot is relative to
 * the strip: 'left' for a price axis on the right, 'right' for one on the left, 'top' for a time
 * axis under the plot. Null when the strip has no text.
 */
export function tightenLabelStrip(image: RgbaImage, strip: Rect, plotSide: 'left' | 'right' | 'top', pad = 2): Rect | null {
  const r: Rect = {
    left: Math.max(0, Math.floor(strip.left)),
    top: Math.max(0, Math.floor(strip.top)),
    right: Math.min(image.width, Math.ceil(strip.right)),
    bottom: Math.min(image.height, Math.ceil(strip.bottom)),
  };
  if (r.right <= r.left || r.bottom <= r.top) return null;
  const bg = backgroundOf(image, r);
  const w = r.right - r.left;
  const h = r.bottom - r.top;
  const ink = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = ((r.top + y) * image.width + r.left + x) * 4;
      const d = Math.max(Math.abs(image.data[i] - bg[0]), Math.abs(image.data[i + 1] - bg[1]), Math.abs(image.data[i + 2] - bg[2]));
      ink[y * w + x] = d > 64 ? 1 : 0;
    }
  }
  const across = plotSide === 'top' ? h : w; // the direction away from the plot
  const along = plotSide === 'top' ? w : h;
  const at = (a: number, b: number): number => (plotSide === 'top' ? ink[a * w + b] : ink[b * w + a]);
  const profile: boolean[] = [];
  for (let a = 0; a < across; a++) {
    let any = false;
    for (let b = 0; b < along && !any; b++) any = at(a, b) === 1;
    profile.push(any);
  }
  let bands = runs(profile, 3);
  if (bands.length === 0) return null;
  // Tick marks: the band nearest the plot, narrow, touching the plot edge, apart from the text.
  const nearIndex = plotSide === 'right' ? bands.length - 1 : 0;
  const near = bands[nearIndex];
  const touches = plotSide === 'right' ? near[1] >= across - 2 : near[0] <= 1;
  if (bands.length > 1 && touches && near[1] - near[0] <= 10) bands = bands.filter((_, i) => i !== nearIndex);
  const a0 = bands[0][0];
  const a1 = bands.at(-1)![1];
  let b0 = along;
  let b1 = 0;
  for (let a = a0; a < a1; a++) {
    for (let b = 0; b < along; b++) {
      if (at(a, b) === 1) {
        b0 = Math.min(b0, b);
        b1 = Math.max(b1, b + 1);
      }
    }
  }
  const [x0, x1, y0, y1] = plotSide === 'top' ? [b0, b1, a0, a1] : [a0, a1, b0, b1];
  return {
    left: Math.max(r.left, r.left + x0 - pad),
    top: Math.max(r.top, r.top + y0 - pad),
    right: Math.min(r.right, r.left + x1 + pad),
    bottom: Math.min(r.bottom, r.top + y1 + pad),
  };
}

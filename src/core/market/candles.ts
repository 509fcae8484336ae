import { AppError, type ErrorDetail } from '../errors.ts';
import { parseCsvRecords } from './csv.ts';

/** One OHLCV bar. `time` is epoch milliseconds (UTC). */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
}

export const MIN_CANDLES = 2;
export const MAX_CANDLES = 10_000;
/** Validation stops listing problems past this many; the first ones are what a caller fixes first. */
const MAX_DETAILS = 50;
/** Numbers below this are epoch seconds (1e11 s is year 5138; 1e11 ms is 1973). */
const EPOCH_SECONDS_LIMIT = 1e11;
/** The largest |epoch ms| a JavaScript Date can hold; beyond it toISOString throws. */
const MAX_EPOCH_MS = 8.64e15;

const TIME_COLUMNS = ['date', 'time', 'timestamp', 'datetime'];
const PRICE_COLUMNS = ['open', 'high', 'low', 'close'] as const;

/** An unvalidated row: whatever the caller sent, plus where it came from. */
interface RawRow {
  value: unknown;
  line?: number;
}

/** Parse a candle time given as ISO 8601 text or epoch seconds/milliseconds. Returns NaN when unusable. */
export function parseCandleTime(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.NaN;
    const ms = Math.abs(value) < EPOCH_SECONDS_LIMIT ? value * 1000 : value;
    return Math.abs(ms) > MAX_EPOCH_MS ? Number.NaN : ms;
  }
  if (typeof value !== 'string' || value.trim() === '') return Number.NaN;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return parseCandleTime(Number(text));
  // A bare date means midnight UTC; Date.parse already treats YYYY-MM-DD as UTC.
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return Number.NaN;
  // Date.parse rolls impossible days over (Feb 30 -> Mar 1); reject them instead.
  const [y, m, d] = [text.slice(0, 4), text.slice(5, 7), text.slice(8, 10)].map(Number);
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return Number.NaN;
  // A date-time without an offset would be read in the server's local zone; read it as UTC.
  const noOffset = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(text);
  return Date.parse(noOffset ? `${text}Z` : text);
}

class DetailCollector {
  readonly details: ErrorDetail[] = [];
  total = 0;
  add(detail: ErrorDetail): void {
    this.total++;
    if (this.details.length < MAX_DETAILS) this.details.push(detail);
  }
}

function numberField(
  obj: Record<string, unknown>,
  field: string,
  where: Pick<ErrorDetail, 'row' | 'line'>,
  problems: DetailCollector,
): number {
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    const got = v === undefined ? 'missing' : typeof v === 'number' ? String(v) : JSON.stringify(v);
    problems.add({ ...where, field, message: `must be a finite number (got ${got})` });
    return Number.NaN;
  }
  return v;
}

/**
 * Validate untrusted rows into candles. Every problem names its row and field; all are reported
 * at once (up to a cap) so a caller can fix a file in one pass.
 */
function validateRows(rows: RawRow[]): Candle[] {
  if (rows.length < MIN_CANDLES || rows.length > MAX_CANDLES) {
    throw new AppError(
      'invalid_candles',
      `Expected between ${MIN_CANDLES} and ${MAX_CANDLES} candles, got ${rows.length}`,
      [{ field: 'candles', message: `count must be ${MIN_CANDLES}..${MAX_CANDLES}` }],
    );
  }
  const problems = new DetailCollector();
  const candles: Candle[] = [];
  let withVolume = 0;
  let firstWithVolume = -1;
  let firstWithoutVolume = -1;

  rows.forEach((raw, row) => {
    const where = raw.line === undefined ? { row } : { row, line: raw.line };
    if (typeof raw.value !== 'object' || raw.value === null || Array.isArray(raw.value)) {
      problems.add({ ...where, message: 'each candle must be an object' });
      return;
    }
    const obj = raw.value as Record<string, unknown>;
    const time = parseCandleTime(obj.time);
    if (Number.isNaN(time)) {
      problems.add({
        ...where,
        field: 'time',
        message: 'must be an ISO 8601 date/time or epoch seconds/milliseconds',
      });
    }
    const [open, high, low, close] = PRICE_COLUMNS.map((f) => numberField(obj, f, where, problems));
    for (const [field, v] of [
      ['open', open],
      ['high', high],
      ['low', low],
      ['close', close],
    ] as const) {
      if (Number.isFinite(v) && v <= 0) problems.add({ ...where, field, message: `must be > 0 (got ${v})` });
    }
    if (Number.isFinite(high) && Number.isFinite(open) && Number.isFinite(close) && high < Math.max(open, close)) {
      problems.add({ ...where, field: 'high', message: `high ${high} is below max(open, close) ${Math.max(open, close)}` });
    }
    if (Number.isFinite(low) && Number.isFinite(open) && Number.isFinite(close) && low > Math.min(open, close)) {
      problems.add({ ...where, field: 'low', message: `low ${low} is above min(open, close) ${Math.min(open, close)}` });
    }
    let volume: number | undefined;
    if (obj.volume !== undefined && obj.volume !== null && obj.volume !== '') {
      volume = numberField(obj, 'volume', where, problems);
      if (Number.isFinite(volume) && volume < 0) {
        problems.add({ ...where, field: 'volume', message: `must be >= 0 (got ${volume})` });
      }
      withVolume++;
      if (firstWithVolume < 0) firstWithVolume = row;
    } else if (firstWithoutVolume < 0) {
      firstWithoutVolume = row;
    }
    const prev = candles.at(-1);
    if (prev && !Number.isNaN(time) && !Number.isNaN(prev.time) && time <= prev.time) {
      problems.add({
        ...where,
        field: 'time',
        message:
          time === prev.time
            ? `duplicate time ${new Date(time).toISOString()}`
            : `time ${new Date(time).toISOString()} is before the previous row; times must strictly increase`,
      });
    }
    candles.push(volume === undefined ? { time, open, high, low, close } : { time, open, high, low, close, volume });
  });

  // Rows that are not objects count on neither side.
  if (firstWithVolume >= 0 && firstWithoutVolume >= 0) {
    problems.add({
      // Point at the first row on the minority side: that is the one most likely to be the mistake.
      row: withVolume * 2 >= candles.length ? firstWithoutVolume : firstWithVolume,
      field: 'volume',
      message: `volume is given on ${withVolume} of ${rows.length} rows; give it on every row or none`,
    });
  }
  if (problems.total > 0) {
    const more = problems.total > problems.details.length ? ` (first ${problems.details.length} listed)` : '';
    throw new AppError('invalid_candles', `${problems.total} problem(s) in the candles${more}`, problems.details);
  }
  return candles;
}

/** Validate a JSON array of `{time, open, high, low, close, volume?}`; extra fields in a row are ignored. */
export function parseCandlesJson(input: unknown): Candle[] {
  if (!Array.isArray(input)) {
    throw new AppError('invalid_candles', 'candles must be an array of {time, open, high, low, close, volume?}', [
      { field: 'candles', message: 'expected an array' },
    ]);
  }
  return validateRows((input as unknown[]).map((value) => ({ value })));
}

/**
 * Parse OHLCV CSV text. The header is case-insensitive; the time column may be called
 * date, time, timestamp or datetime; extra columns (adjclose...) are ignored.
 */
export function parseCandlesCsv(text: string): Candle[] {
  const records = parseCsvRecords(text);
  if (records.length === 0) throw new AppError('invalid_csv', 'The CSV is empty', []);
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const timeIdx = header.findIndex((h) => TIME_COLUMNS.includes(h));
  const missing: string[] = PRICE_COLUMNS.filter((c) => !header.includes(c));
  if (timeIdx < 0) missing.unshift(`one of ${TIME_COLUMNS.join('|')}`);
  if (missing.length > 0) {
    throw new AppError('invalid_csv', `The CSV header lacks ${missing.join(', ')}`, [
      { line: 1, message: `header is: ${records[0].fields.join(',')}` },
    ]);
  }
  const col = (name: string): number => header.indexOf(name);
  const volIdx = col('volume');
  const rows: RawRow[] = [];
  for (const rec of records.slice(1)) {
    if (rec.fields.length !== header.length) {
      throw new AppError('invalid_csv', `Line ${rec.line} has ${rec.fields.length} fields; the header has ${header.length}`, [
        { line: rec.line, message: 'field count differs from the header' },
      ]);
    }
    const num = (idx: number): number | string => {
      const s = rec.fields[idx].trim();
      const n = Number(s);
      // Keep the original text when it is not a number, so the error can quote it.
      return s !== '' && Number.isFinite(n) ? n : s;
    };
    const value: Record<string, unknown> = {
      time: rec.fields[timeIdx].trim(),
      open: num(col('open')),
      high: num(col('high')),
      low: num(col('low')),
      close: num(col('close')),
    };
    if (volIdx >= 0 && rec.fields[volIdx].trim() !== '') value.volume = num(volIdx);
    rows.push({ value, line: rec.line });
  }
  return validateRows(rows);
}

/** ISO 8601 text for a candle time: a bare date when the time is midnight UTC. */
export function formatCandleTime(time: number): string {
  const iso = new Date(time).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** Whether every candle has a volume. */
export function hasVolume(candles: readonly Candle[]): boolean {
  return candles.length > 0 && candles.every((c) => c.volume !== undefined);
}

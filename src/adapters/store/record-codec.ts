import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompressSync, constants } from 'node:zlib';
import type { Analysis } from '../../core/analysis/analysis.ts';
import type { AnalysisRecord } from '../../ports/analysis-store.ts';

// How a record is laid out in the store (migration 002): the image and the request's candles as
// content-addressed blobs, everything else as one brotli-compressed JSON document. Compression runs
// on libuv's thread pool (zlib's async API), not on the event loop; decompression is about 0.1 ms
// for a whole record, less than handing it to the pool and back, so a cache hit does it in line.

/** Bytes stored once under their SHA-256. */
export interface Blob {
  sha256: string;
  bytes: Buffer;
}

/** What a row of `analyses` holds besides its keys, and the blobs it points at. */
export interface EncodedRecord {
  /** brotli of the JSON {v, analysis, request, prompt, rawOutput}; the request's candles, when compacted, are null in it. */
  body: Buffer;
  image: Blob;
  /** The request's candles in compact form, when they were plain OHLCV rows. */
  candles: Blob | null;
}

const BODY_VERSION = 1;
/** Quality 4 is most of brotli's gain at a tenth of its top setting's time (84 KB of analysis JSON: 7 KB in 0.3 ms, measured). */
const QUALITY = 4;
const brotli = promisify(brotliCompress);

const compress = (data: Buffer, mode: number): Promise<Buffer> =>
  brotli(data, { params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_MODE]: mode, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * PostgreSQL cannot store U+0000 in text or JSONB, and model output can contain it; it became
 * U+FFFD (the replacement character) when records were JSON columns, and still does, so a record
 * reads back the same whichever way it was stored.
 */
export function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

/** JSON text with every NUL in a string as U+FFFD; the plain stringify unless there is one (the replacer is slow). */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  // JSON escapes NUL as \u0000; a literal backslash-u0000 in a string also matches, and merely takes the slow path.
  if (!text.includes('\\u0000')) return text;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? withoutNul(v) : v));
}

const CANDLE_KEYS = ['time', 'open', 'high', 'low', 'close'] as const;
const WITH_VOLUME = [...CANDLE_KEYS, 'volume'] as const;
type CandleRow = Record<(typeof WITH_VOLUME)[number], number>;
/** "CLC1": compact candles, format 1. */
const MAGIC = 0x31434c43;
const HEADER_BYTES = 12;

const sameKeys = (row: object, keys: readonly string[]): boolean => {
  const own = Object.keys(row);
  return own.length === keys.length && own.every((k, i) => k === keys[i]);
};

/**
 * The candles as 64-bit float columns (time, open, high, low, close[, volume]) after a 12-byte
 * header, when every row is exactly {time, open, high, low, close[, volume]} of finite numbers (all
 * with volume or all without): then they decode to equal objects, keys in the same order. 300 bars
 * are 14 KB before brotli (about 6 KB after), against 35 KB of JSON. Anything else: null.
 */
export function packCandles(value: unknown): Buffer | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const first: unknown = value[0];
  if (typeof first !== 'object' || first === null) return null;
  const keys = sameKeys(first, WITH_VOLUME) ? WITH_VOLUME : CANDLE_KEYS;
  const rows = value as unknown[];
  for (const row of rows) {
    if (typeof row !== 'object' || row === null || Object.getPrototypeOf(row) !== Object.prototype || !sameKeys(row, keys)) return null;
    for (const k of keys) {
      const v = (row as CandleRow)[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    }
  }
  const n = rows.length;
  const out = Buffer.alloc(HEADER_BYTES + n * keys.length * 8);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(n, 4);
  out.writeUInt32LE(keys.length, 8);
  let at = HEADER_BYTES;
  for (const k of keys) {
    for (const row of rows as CandleRow[]) {
      out.writeDoubleLE(row[k], at);
      at += 8;
    }
  }
  return out;
}

/** The rows packCandles packed. */
export function unpackCandles(bytes: Buffer): Record<string, number>[] {
  if (bytes.length < HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) throw new Error('stored candles: not in the compact format');
  const n = bytes.readUInt32LE(4);
  const width = bytes.readUInt32LE(8);
  const keys = width === WITH_VOLUME.length ? WITH_VOLUME : CANDLE_KEYS;
  if (width !== keys.length || bytes.length !== HEADER_BYTES + n * width * 8) throw new Error('stored candles: truncated or of an unknown width');
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, number> = {};
    for (let k = 0; k < width; k++) row[keys[k]] = bytes.readDoubleLE(HEADER_BYTES + (k * n + i) * 8);
    rows.push(row);
  }
  return rows;
}

/** The request with its candles taken out (left as null), and the candles packed; or the request as it is. */
function splitCandles(request: unknown): { request: unknown; packed: Buffer | null } {
  if (typeof request !== 'object' || request === null || Array.isArray(request) || !('candles' in request)) return { request, packed: null };
  const packed = packCandles(request.candles);
  return packed ? { request: { ...request, candles: null }, packed } : { request, packed: null };
}

/** A record in the layout of migration 002. */
export async function encodeRecord(r: AnalysisRecord): Promise<EncodedRecord> {
  const { request, packed } = splitCandles(r.request ?? null);
  const json = toJsonText({ v: BODY_VERSION, analysis: r.analysis, request, prompt: r.prompt, rawOutput: r.rawOutput === null ? null : withoutNul(r.rawOutput) });
  const [body, candles] = await Promise.all([
    compress(Buffer.from(json, 'utf8'), constants.BROTLI_MODE_TEXT),
    packed ? compress(packed, constants.BROTLI_MODE_GENERIC) : null,
  ]);
  return { body, image: { sha256: sha256Hex(r.image), bytes: r.image }, candles: candles ? { sha256: sha256Hex(candles), bytes: candles } : null };
}

interface Body {
  v: number;
  analysis: Analysis;
  request: unknown;
  prompt: AnalysisRecord['prompt'];
  rawOutput: string | null;
}

function readBody(body: Buffer): Body {
  const parsed = JSON.parse(brotliDecompressSync(body).toString('utf8')) as Body;
  if (parsed.v !== BODY_VERSION) throw new Error(`stored analysis: unknown body version ${parsed.v}`);
  return parsed;
}

/** The analysis alone, from a body. */
export function decodeAnalysis(body: Buffer): Analysis {
  return readBody(body).analysis;
}

/** The parts of a record a body holds, with the request's candles put back. */
export function decodeBody(body: Buffer, candles: Buffer | null): Pick<AnalysisRecord, 'analysis' | 'request' | 'prompt' | 'rawOutput'> {
  const b = readBody(body);
  let request = b.request;
  if (candles) request = { ...(request as Record<string, unknown>), candles: unpackCandles(brotliDecompressSync(candles)) };
  return { analysis: b.analysis, request, prompt: b.prompt, rawOutput: b.rawOutput };
}

/** The columns the history list reads, from the analysis. */
export function summaryOf(a: Analysis): { symbol: string | null; timeframe: string | null; source: string; action: string; exposure: number; confidence: number; verification: string; analyzer: string } {
  return {
    symbol: a.symbol,
    timeframe: a.timeframe,
    source: a.input.source,
    action: a.decision.action,
    exposure: a.decision.exposure,
    confidence: a.decision.confidence,
    verification: a.verification.status,
    analyzer: a.provider.analyzer,
  };
}

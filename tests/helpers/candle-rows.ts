import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AppError, type ErrorCode, type ErrorDetail } from '../../src/core/errors.ts';

/** A valid JSON candle row; tests patch one field at a time to break exactly one rule. */
export interface Row {
  time: unknown;
  open: unknown;
  high: unknown;
  low: unknown;
  close: unknown;
  volume?: unknown;
  [extra: string]: unknown;
}

export const DAY_SECONDS = 86_400;
/** 2023-11-14T22:13:20Z in epoch seconds. */
export const T0 = 1_700_000_000;

/** `n` valid daily bars (epoch seconds, rising prices, volume on every row); `patch` edits row i. */
export function rows(n: number, patch: (i: number) => Partial<Row> = () => ({})): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    time: T0 + i * DAY_SECONDS,
    open: 100 + i,
    high: 103 + i,
    low: 99 + i,
    close: 102 + i,
    volume: 1_000 + i,
    ...patch(i),
  }));
}

/** `rows(n)` with row `at` patched. */
export function rowsWith(n: number, at: number, patch: Partial<Row>): Row[] {
  return rows(n, (i) => (i === at ? patch : {}));
}

/** The raw text of samples/sp500.csv. */
export function sampleCsvText(): string {
  return readFileSync(new URL('../../samples/sp500.csv', import.meta.url), 'utf8');
}

/** The header plus the last `n` data lines of the sample, as CSV text. */
export function lastSampleCsv(n: number): string {
  const lines = sampleCsvText().trimEnd().split('\n');
  return [lines[0], ...lines.slice(-n)].join('\n');
}

/** Run `fn`, assert it throws an AppError with `code`, and return the error for further checks. */
export function appErrorFrom(fn: () => unknown, code: ErrorCode): AppError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AppError, `expected an AppError, got ${String(caught)}`);
  assert.equal(caught.code, code, `code (message: ${caught.message})`);
  return caught;
}

/** Assert some detail matches every key given in `want` (row, line, field, ...). */
export function assertDetail(details: readonly ErrorDetail[], want: Partial<ErrorDetail>): ErrorDetail {
  const hit = details.find((d) =>
    Object.entries(want).every(([k, v]) => (d as unknown as Record<string, unknown>)[k] === v),
  );
  assert.ok(hit, `no detail matching ${JSON.stringify(want)} in ${JSON.stringify(details)}`);
  return hit;
}

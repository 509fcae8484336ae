import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Candle, parseCandlesCsv } from '../../src/core/market/candles.ts';

export const SAMPLE_CSV_PATH = fileURLToPath(new URL('../../samples/sp500.csv', import.meta.url));

let cached: Candle[] | undefined;

/** The real S&P 500 daily sample (2000-01-03 .. 2020-04-17), parsed once per test process. */
export function sp500(): Candle[] {
  cached ??= parseCandlesCsv(readFileSync(SAMPLE_CSV_PATH, 'utf8'));
  return cached;
}

/** Index of the bar on a given ISO date; throws if the date is not a trading day in the sample. */
export function indexOfDate(candles: readonly Candle[], date: string): number {
  const t = Date.parse(date);
  const i = candles.findIndex((c) => c.time === t);
  if (i < 0) throw new Error(`no bar on ${date}`);
  return i;
}

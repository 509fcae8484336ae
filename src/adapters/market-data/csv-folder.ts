import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseCandlesCsv } from '../../core/market/candles.ts';
import type { MarketData, MarketDataQuery } from '../../ports/market-data.ts';

/**
 * OHLCV from a folder of CSV files: `sp500.csv` is the symbol `sp500` (case-insensitive). The files
 * hold daily bars, so this source serves `1d` only; nothing is resampled behind the caller's back.
 */
export class CsvFolderMarketData implements MarketData {
  readonly name = 'csv';
  readonly timeframes = ['1d'] as const;
  readonly session = 'exchange' as const;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async symbols(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => extname(n).toLowerCase() === '.csv' && !n.startsWith('.')).map((n) => basename(n, extname(n)).toLowerCase()).sort();
  }

  async fetch(q: MarketDataQuery) {
    const wanted = q.symbol.toLowerCase();
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const file = names.find((n) => extname(n).toLowerCase() === '.csv' && basename(n, extname(n)).toLowerCase() === wanted);
    if (!file) return null;
    const candles = parseCandlesCsv(await readFile(join(this.dir, file), 'utf8'));
    return candles.slice(-q.bars);
  }
}

/**
 * Temporary folders for `chartlens score` tests, built from slices of samples/sp500.csv and the
 * chart images in samples/charts. Every folder lives under one temp root, which also holds an
 * `outside/` folder for symlinks that leave the scored folder; `cleanup()` removes the whole root.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ResultLine } from '../../src/core/evaluation/score-result.ts';
import { sampleCsvText } from './candle-rows.ts';

const HEADER = 'date,open,high,low,close,adjclose,volume';

let sampleLines: string[] | undefined;

/** The data lines (no header) of samples/sp500.csv, read once per test process. */
function dataLines(): string[] {
  sampleLines ??= sampleCsvText().trimEnd().split('\n').slice(1);
  return sampleLines;
}

/** Header plus `n` data rows of the sample starting at data row `start`: a valid OHLCV CSV. */
export function csvSlice(start: number, n = 120): string {
  const rows = dataLines().slice(start, start + n);
  if (rows.length < n) throw new Error(`the sample has no ${n} rows from ${start}`);
  return `${[HEADER, ...rows].join('\n')}\n`;
}

/** The same slice as JSON candle rows `{time, open, high, low, close, volume}`. */
export function candleSlice(start: number, n = 120): { time: string; open: number; high: number; low: number; close: number; volume: number }[] {
  return dataLines()
    .slice(start, start + n)
    .map((line) => {
      const [date, open, high, low, close, , volume] = line.split(',');
      return { time: date, open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) };
    });
}

/** A CSV slice whose row `at` has a high below its low (invalid_candles). */
export function corruptCsv(start: number, n = 120, at = 10): string {
  const rows = dataLines().slice(start, start + n);
  const [date, open, , , close, adj, volume] = rows[at].split(',');
  rows[at] = [date, open, '1.0', '9999.0', close, adj, volume].join(',');
  return `${[HEADER, ...rows].join('\n')}\n`;
}

/** A small, valid news file (one headline). */
export function newsJson(headline = 'Stocks rally on stimulus hopes'): string {
  return JSON.stringify([{ headline, source: 'test' }]);
}

/** The bytes of a file in samples/charts/. */
export function chartBytes(name = 'sp500-2020-light.png'): Promise<Buffer> {
  return readFile(new URL(`../../samples/charts/${name}`, import.meta.url));
}

export interface TempFolder {
  /** The temp root (holds `dir` and `outside`). */
  root: string;
  /** The folder to score. */
  dir: string;
  /** A folder beside `dir`, for symlinks that leave it. */
  outside: string;
  /** Write a file under `dir` (parents created). */
  write(rel: string, content: string | Buffer): Promise<string>;
  /** Write a file under `outside`. */
  writeOutside(rel: string, content: string | Buffer): Promise<string>;
  /** Create a symlink at `rel` under `dir` pointing at `target` (absolute or relative to the link). */
  link(rel: string, target: string, type?: 'file' | 'dir'): Promise<void>;
  cleanup(): Promise<void>;
}

/** A fresh temp root with an empty `in/` folder to score and an `outside/` folder beside it. */
export async function tempFolder(files: Record<string, string | Buffer> = {}): Promise<TempFolder> {
  const root = await mkdtemp(join(tmpdir(), 'chartlens-score-'));
  const dir = join(root, 'in');
  const outside = join(root, 'outside');
  await mkdir(dir);
  await mkdir(outside);
  const put = async (base: string, rel: string, content: string | Buffer): Promise<string> => {
    const path = join(base, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return path;
  };
  const folder: TempFolder = {
    root,
    dir,
    outside,
    write: (rel, content) => put(dir, rel, content),
    writeOutside: (rel, content) => put(outside, rel, content),
    async link(rel, target, type = 'file') {
      const path = join(dir, rel);
      await mkdir(dirname(path), { recursive: true });
      await symlink(target, path, type);
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  for (const [rel, content] of Object.entries(files)) await folder.write(rel, content);
  return folder;
}

/** `n` valid CSV inputs named `chart-000.csv`... (distinct slices, so distinct analyses). */
export function manyCsvInputs(n: number, bars = 60): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`chart-${String(i).padStart(3, '0')}.csv`, csvSlice(i * 40, bars)]));
}

/** Parse a JSONL results file; a line that does not parse fails the test with its text. */
export async function readJsonl(path: string): Promise<ResultLine[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as ResultLine;
      } catch {
        throw new Error(`not a JSON line: ${l.slice(0, 200)}`);
      }
    });
}

/** How many lines each file has, e.g. {'a.csv': 1}. */
export function linesPerFile(lines: readonly ResultLine[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of lines) counts[l.file] = (counts[l.file] ?? 0) + 1;
  return counts;
}

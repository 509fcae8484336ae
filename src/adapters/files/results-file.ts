import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import type { ResultLine } from '../../core/evaluation/score-result.ts';
import type { ResultsSink } from '../../ports/results-sink.ts';
import { parseCsvRecords } from '../../core/market/csv.ts';
import { cellText } from '../../core/text/cell-text.ts';


export type ResultsFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = [
  'file',
  'sha256',
  'ok',
  'action',
  'exposure',
  'confidence',
  'verification',
  'hallucinationRate',
  'analyzer',
  'model',
  'degraded',
  'costUsd',
  'latencyMs',
  'id',
  'errorCode',
  'errorMessage',
] as const;

function csvField(v: unknown): string {
  const s = cellText(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsvRow(line: ResultLine): string {
  const a = line.analysis;
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    file: line.file,
    sha256: line.sha256,
    ok: line.ok,
    action: a?.decision.action,
    exposure: a?.decision.exposure,
    confidence: a?.decision.confidence,
    verification: a?.verification.status,
    hallucinationRate: a?.verification.hallucinationRate,
    analyzer: a?.provider.analyzer,
    model: a?.provider.model,
    degraded: a?.provider.degraded,
    costUsd: a?.provider.costUsd,
    latencyMs: a?.provider.latencyMs,
    id: a?.id,
    errorCode: line.error?.code,
    errorMessage: line.error?.message,
  };
  return CSV_COLUMNS.map((c) => csvField(values[c])).join(',');
}

/**
 * Bytes up to the end of the last complete CSV row: the last newline outside a quoted field (a
 * quoted field may hold newlines, so a row cut off inside one must not count as finished).
 */
function csvCompleteBytes(bytes: Buffer): number {
  let inQuotes = false;
  let end = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x22) inQuotes = !inQuotes;
    else if (bytes[i] === 0x0a && !inQuotes) end = i + 1;
  }
  return end;
}

/**
 * The results file: one line per input, appended with a synchronous write the moment the input is
 * done, so a crash (even kill -9) loses nothing finished. On resume, a half-written last line
 * (the crash hit mid-write) is cut off, and the (file, sha256) pairs already present are skipped.
 */
export class ResultsFile implements ResultsSink {
  private readonly fd: number;
  private readonly format: ResultsFormat;
  readonly done: Set<string>;
  /** Keys whose line (kept from an earlier run) is a failure: a resumed run still reports them. */
  readonly failedBefore: Set<string>;

  private constructor(fd: number, format: ResultsFormat, done: Set<string>, failedBefore: Set<string> = new Set()) {
    this.fd = fd;
    this.format = format;
    this.done = done;
    this.failedBefore = failedBefore;
  }

  static key(file: string, sha256: string): string {
    return `${sha256} ${file}`;
  }

  static open(path: string, format: ResultsFormat, mode: 'new' | 'resume' | 'overwrite'): ResultsFile {
    const exists = existsSync(path);
    if (exists && mode === 'new') {
      throw new Error(`${path} already exists: pass --resume to continue it, or --overwrite to start again`);
    }
    const done = new Set<string>();
    const failedBefore = new Set<string>();
    let keepBytes = 0;
    if (exists && mode === 'resume') {
      const bytes = readFileSync(path);
      keepBytes = format === 'csv' ? csvCompleteBytes(bytes) : bytes.lastIndexOf(0x0a) + 1;
      const complete = bytes.subarray(0, keepBytes).toString('utf8');
      if (format === 'jsonl') {
        for (const row of complete.split('\n')) {
          if (!row.trim()) continue;
          try {
            const parsed = JSON.parse(row) as ResultLine;
            done.add(ResultsFile.key(parsed.file, parsed.sha256));
            if (!parsed.ok) failedBefore.add(ResultsFile.key(parsed.file, parsed.sha256));
          } catch {
            // A line that does not parse was never finished; its input is scored again.
          }
        }
      } else {
        for (const rec of parseCsvRecords(complete).slice(1)) {
          done.add(ResultsFile.key(rec.fields[0], rec.fields[1]));
          if (rec.fields[2] !== 'true') failedBefore.add(ResultsFile.key(rec.fields[0], rec.fields[1]));
        }
      }
      truncateSync(path, keepBytes);
    }
    // Append mode: every write lands at the end, in one write call per line.
    const fd = openSync(path, mode === 'resume' ? 'a' : 'w');
    const file = new ResultsFile(fd, format, done, failedBefore);
    if (format === 'csv' && keepBytes === 0) file.write(`${CSV_COLUMNS.join(',')}\n`);
    return file;
  }

  private write(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
  }

  previous(file: string, sha256: string): 'ok' | 'failed' | null {
    const key = ResultsFile.key(file, sha256);
    if (!this.done.has(key)) return null;
    return this.failedBefore.has(key) ? 'failed' : 'ok';
  }

  append(line: ResultLine): void {
    this.write(this.format === 'jsonl' ? `${JSON.stringify(line)}\n` : `${toCsvRow(line)}\n`);
    this.done.add(ResultsFile.key(line.file, line.sha256));
  }

  close(): void {
    closeSync(this.fd);
  }
}

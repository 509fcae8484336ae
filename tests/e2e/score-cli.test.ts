/**
 * `chartlens score`, run in this process through the CLI's `run` (the same code path as the
 * executable) with its own CHARTLENS_DATA_DIR. Only the crash test spawns bin/chartlens.mjs: it
 * kills the process with SIGKILL midway.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { CSV_COLUMNS } from '../../src/adapters/files/results-file.ts';
import { costUsd, DEFAULT_PRICES } from '../../src/core/analysis/pricing.ts';
import { parseCsvRecords } from '../../src/core/market/csv.ts';
import { type CapturedRun, runCaptured } from '../../src/entry/cli/run-captured.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../../testing/fake-openai.ts';
import { type AnalysisApp, FAKE_API_KEY, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { plainHold } from '../../testing/model-replies.ts';
import {
  candleSlice,
  chartBytes,
  corruptCsv,
  csvSlice,
  linesPerFile,
  manyCsvInputs,
  newsJson,
  readJsonl,
  type TempFolder,
  tempFolder,
} from '../helpers/score-fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/chartlens.mjs', import.meta.url));
const SLOW = { timeout: 90_000 };

let dataRoot: string;
const folders: TempFolder[] = [];
const children = new Set<ChildProcess>();

before(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'chartlens-score-cli-'));
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(folders.map((f) => f.cleanup()));
  await rm(dataRoot, { recursive: true, force: true });
});

async function folder(files: Record<string, string | Buffer>): Promise<TempFolder> {
  const f = await tempFolder(files);
  folders.push(f);
  return f;
}

/** All the configuration a run sees: no OpenAI, no database URL, no keys from the outer shell. */
function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { CHARTLENS_DATA_DIR: join(dataRoot, 'data'), CHARTLENS_LOG: 'silent', ...extra };
}

type Run = CapturedRun;

/** `chartlens score ARGS` in this process; `cwd` is entered for the run (a relative DIR). */
async function score(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const before = process.cwd();
  if (o.cwd) process.chdir(o.cwd);
  try {
    return await runCaptured(['score', ...args], testEnv(o.env));
  } finally {
    process.chdir(before);
  }
}

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The real executable in a child process, for the one test that has to kill it. */
function start(args: string[]): { child: ChildProcess; done: Promise<Spawned> } {
  const env = { PATH: process.env.PATH, ...testEnv() };
  const child = spawn(process.execPath, [BIN, 'score', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<Spawned>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

const show = (r: { code: number | null; stdout: string; stderr: string }): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr.slice(-2000)}`;

/** The value of one row of the printed summary table, e.g. row(stdout, 'inputs'). */
function row(stdout: string, name: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no "${name}" row in:\n${stdout}`);
  return line.slice(name.length).trim();
}

describe('chartlens score', () => {
  test('when every input succeeds, then exit 0, one line per input in <dir>/chartlens-results.jsonl and the summary counts them', SLOW, async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'b.png': await chartBytes(), 'c.png': await chartBytes('sp500-2020-dark-marks.png'), 'c.csv': csvSlice(4800, 150) });
    const r = await score([f.dir]);
    assert.equal(r.code, 0, show(r));
    const out = join(f.dir, 'chartlens-results.jsonl');
    const lines = await readJsonl(out);
    assert.deepEqual(linesPerFile(lines), { 'a.csv': 1, 'b.png': 1, 'c.png': 1 });
    assert.ok(lines.every((l) => l.ok));
    assert.equal(row(r.stdout, 'inputs'), '3 (3 ok, 0 failed)');
    const actions = row(r.stdout, 'actions');
    const total = [...actions.matchAll(/(buy|sell|hold) (\d+)/g)].reduce((s, m) => s + Number(m[2]), 0);
    assert.equal(total, 3, actions);
    assert.match(row(r.stdout, 'latency p50 / p95'), /^\d+ ms \/ \d+ ms$/);
    assert.match(r.stdout, new RegExp(`results: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  test('when one input fails, then exit 2, the others still succeed and the summary groups the failure by code', SLOW, async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'bad.csv': corruptCsv(300), 'c.json': JSON.stringify({ candles: candleSlice(600) }) });
    const r = await score([f.dir]);
    assert.equal(r.code, 2, show(r));
    const lines = await readJsonl(join(f.dir, 'chartlens-results.jsonl'));
    // Default concurrency is 4: lines come in completion order.
    assert.deepEqual(
      lines.map((l) => [l.file, l.ok ? 'ok' : l.error?.code]).sort(),
      [
        ['a.csv', 'ok'],
        ['bad.csv', 'invalid_candles'],
        ['c.json', 'ok'],
      ],
    );
    assert.equal(row(r.stdout, 'inputs'), '3 (2 ok, 1 failed)');
    assert.equal(row(r.stdout, 'failed: invalid_candles'), '1 (bad.csv)');
  });

  test('when the results file exists and neither --resume nor --overwrite is given, then it refuses and leaves the file alone', SLOW, async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'chartlens-results.jsonl': 'precious\n' });
    const r = await score([f.dir]);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /already exists/);
    assert.equal(readFileSync(join(f.dir, 'chartlens-results.jsonl'), 'utf8'), 'precious\n');
  });

  test('when an option is invalid, then exit 64 with a message naming it and the usage of score, and nothing is written', SLOW, async () => {
    const f = await folder({ 'a.csv': csvSlice(0) });
    const cases: [string[], RegExp][] = [
      [['--format', 'xml'], /^chartlens: --format must be jsonl or csv \(got "xml"\)/],
      [['--concurrency', '0'], /^chartlens: --concurrency must be at least 1 \(got 0\)/],
      [['--concurrency', '1.5'], /^chartlens: --concurrency must be a whole number \(got "1\.5"\)/],
      [['--budget-usd', '0'], /^chartlens: --budget-usd must be greater than 0 \(got 0\)/],
      [['--rate', 'fast'], /^chartlens: --rate must be a number \(got "fast"\)/],
      [['--api-key', 'k'], /^chartlens: --api-key goes with --endpoint/],
      [['--resume', '--overwrite'], /^chartlens: --resume and --overwrite exclude each other/],
      [['--analyzer', 'gpt'], /^chartlens: --analyzer must be local or openai \(got "gpt"\)/],
      [['--window', '5'], /^chartlens: --window is not an option of score \(it belongs to backtest\)/],
      [[f.root], /^chartlens: score takes exactly one folder/],
    ];
    for (const [args, message] of cases) {
      const r = await score([f.dir, ...args]);
      assert.equal(r.code, 64, `${args.join(' ')}: ${show(r)}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /\nusage: chartlens score DIR \[options\]\nrun "chartlens score --help" for its options\n$/);
    }
    assert.equal((await score([])).code, 64);
    assert.equal(existsSync(join(f.dir, 'chartlens-results.jsonl')), false);
  });

  test('when the folder does not exist, then exit 1 with a plain "no such folder", not ENOENT', async () => {
    const r = await score([join(dataRoot, 'nowhere')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `chartlens: cannot read ${join(dataRoot, 'nowhere')}: no such folder\n`);
  });

  test('when --format csv, then the CSV has the header once and one row per input', SLOW, async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'b.csv': csvSlice(200), 'sheet.xlsx': 'x' });
    const r = await score([f.dir, '--format', 'csv', '--concurrency', '2']);
    assert.equal(r.code, 2, show(r));
    const out = join(f.dir, 'chartlens-results.csv');
    const recs = parseCsvRecords(readFileSync(out, 'utf8')).map((x) => x.fields);
    assert.deepEqual(recs[0], [...CSV_COLUMNS]);
    assert.equal(recs.length, 4);
    const col = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    assert.deepEqual(
      recs
        .slice(1)
        .map((x) => [x[col('file')], x[col('ok')], x[col('errorCode')]])
        .sort(),
      [
        ['a.csv', 'true', ''],
        ['b.csv', 'true', ''],
        ['sheet.xlsx', 'false', 'unsupported_file'],
      ],
    );
    for (const x of recs.slice(1)) assert.equal(x.length, CSV_COLUMNS.length);
  });

  test('when the folder is given as a relative path, then the results file is not scored as an input', SLOW, async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'b.csv': csvSlice(200) });
    const r = await score(['in', '--format', 'csv'], { cwd: f.root });
    assert.equal(r.code, 0, show(r));
    const recs = parseCsvRecords(readFileSync(join(f.dir, 'chartlens-results.csv'), 'utf8')).map((x) => x.fields[0]);
    assert.deepEqual([recs[0], ...recs.slice(1).sort()], ['file', 'a.csv', 'b.csv']);
    assert.equal(row(r.stdout, 'inputs'), '2 (2 ok, 0 failed)');
  });

  test('when a symlink leaves the folder, then it is not scored and the summary names it', SLOW, async () => {
    const f = await folder({ 'a.csv': csvSlice(0) });
    const secret = await f.writeOutside('secret.csv', csvSlice(100));
    await f.link('leak.csv', secret);
    const r = await score([f.dir, '--recursive']);
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(linesPerFile(await readJsonl(join(f.dir, 'chartlens-results.jsonl'))), { 'a.csv': 1 });
    assert.match(r.stdout, /not followed \(symlinks leaving the folder\): leak\.csv/);
  });
});

describe('chartlens score --budget-usd (openai against the fake server)', () => {
  let fake: FakeOpenAI;
  const perInput = costUsd({ inputTokens: 1000, outputTokens: 100, cachedInputTokens: 0 }, DEFAULT_PRICES['gpt-4o']) as number;
  before(async () => {
    fake = await startFakeOpenAI({ apiKey: FAKE_API_KEY });
    fake.setFallback({ kind: 'json', body: plainHold(), usage: { prompt_tokens: 1000, completion_tokens: 100 } });
  });
  after(async () => {
    await fake.close();
  });

  test('when the spend reaches the budget, then the run stops cleanly, says so, and --resume with a larger budget finishes', SLOW, async () => {
    const f = await folder(manyCsvInputs(6));
    const env = { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: FAKE_API_KEY, CHARTLENS_MODEL: 'gpt-4o', CHARTLENS_MAX_RETRIES: '0' };
    const budget = String(perInput * 2.5);
    const r = await score([f.dir, '--analyzer', 'openai', '--concurrency', '1', '--budget-usd', budget], { env });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, new RegExp(`budget of \\$${budget.replace('.', '\\.')} reached: stopped cleanly with 3 input\\(s\\) not started`));
    const out = join(f.dir, 'chartlens-results.jsonl');
    assert.equal((await readJsonl(out)).length, 3);
    assert.equal(fake.requests.length, 3);
    assert.equal(row(r.stdout, 'cost'), `$${(perInput * 3).toFixed(4)}`);

    const again = await score([f.dir, '--analyzer', 'openai', '--concurrency', '1', '--budget-usd', '1', '--resume'], { env });
    assert.equal(again.code, 0, show(again));
    assert.doesNotMatch(again.stdout, /budget of/);
    assert.match(again.stdout, /resumed: 3 input\(s\)/);
    assert.deepEqual(Object.values(linesPerFile(await readJsonl(out))), Array(6).fill(1));
    assert.equal(fake.requests.length, 6);
  });
});

describe('chartlens score --endpoint (a live chartlens server)', () => {
  const KEY = 'score-cli-key';
  let store: AnalysisStore;
  let live: AnalysisApp;
  let server: Server;
  let endpoint: string;
  before(async () => {
    store = await openMemoryStore();
    live = await startAnalysisApp({ store, apiKeys: [KEY] });
    server = await new Promise<Server>((resolve, reject) => {
      const s = live.app.listen(0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await live.close();
    await store.close();
  });

  async function endpointFolder(): Promise<TempFolder> {
    return folder({
      'a.csv': csvSlice(0),
      'b.json': JSON.stringify(candleSlice(300)),
      'pair.png': await chartBytes(),
      'pair.json': JSON.stringify({ candles: candleSlice(4800, 150) }),
      'pair.news.json': newsJson(),
      'pic.jpg': await chartBytes('sp500-2020-ohlc.jpg'),
      'text.png': Buffer.from('hello'),
    });
  }

  test('when sent with the right --api-key, then the server analyses each input (stored there) and its errors keep their codes', SLOW, async () => {
    const f = await endpointFolder();
    const r = await score([f.dir, '--endpoint', `${endpoint}/`, '--api-key', KEY, '--concurrency', '3']);
    assert.equal(r.code, 2, show(r));
    const lines = await readJsonl(join(f.dir, 'chartlens-results.jsonl'));
    assert.deepEqual(
      Object.fromEntries(lines.map((l) => [l.file, l.ok ? 'ok' : l.error?.code])),
      { 'a.csv': 'ok', 'b.json': 'ok', 'pair.png': 'ok', 'pic.jpg': 'ok', 'text.png': 'unsupported_image' },
    );
    const pair = lines.find((l) => l.file === 'pair.png')?.analysis;
    assert.equal(pair?.input.source, 'image+ohlcv');
    assert.equal(pair?.input.bars, 150);
    assert.equal(pair?.input.newsCount, 1);
    for (const l of lines.filter((x) => x.ok)) {
      const stored = await store.get(l.analysis?.id ?? '');
      assert.ok(stored, `${l.file}: the server stored ${l.analysis?.id}`);
    }
    assert.equal(row(r.stdout, 'inputs'), '5 (4 ok, 1 failed)');
  });

  test('when the --api-key is wrong, then every input gets an unauthorized error line and exit 2', SLOW, async () => {
    const f = await endpointFolder();
    const r = await score([f.dir, '--endpoint', endpoint, '--api-key', 'wrong']);
    assert.equal(r.code, 2, show(r));
    const lines = await readJsonl(join(f.dir, 'chartlens-results.jsonl'));
    assert.equal(lines.length, 5);
    assert.ok(lines.every((l) => !l.ok && l.error?.code === 'unauthorized'), JSON.stringify(lines.map((l) => l.error)));
    assert.match(row(r.stdout, 'failed: unauthorized'), /^5 \((\S+, ){3}\.\.\.\)$/);
  });

  test('when the endpoint is unreachable, then each input gets an endpoint_unreachable line, exit 2, no crash', SLOW, async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'b.png': await chartBytes() });
    const r = await score([f.dir, '--endpoint', 'http://127.0.0.1:1']);
    assert.equal(r.code, 2, show(r));
    const lines = await readJsonl(join(f.dir, 'chartlens-results.jsonl'));
    assert.deepEqual(
      lines.map((l) => [l.file, l.ok, l.error?.code]).sort(),
      [
        ['a.csv', false, 'endpoint_unreachable'],
        ['b.png', false, 'endpoint_unreachable'],
      ],
    );
    assert.match(lines[0].error?.message ?? '', /127\.0\.0\.1:1\/v1\/analyze is unreachable/);
    assert.match(row(r.stdout, 'failed: endpoint_unreachable'), /^2 \((a\.csv, b\.png|b\.png, a\.csv)\)$/);
  });
});

describe('chartlens score: crash and resume', () => {
  test('when the run is killed with SIGKILL midway, then --resume finishes it with exactly one intact line per input', SLOW, async () => {
    const N = 40;
    const f = await folder(manyCsvInputs(N, 150));
    const out = join(f.dir, 'chartlens-results.jsonl');
    const first = start([f.dir, '--concurrency', '1']);
    const pid = first.child.pid as number;
    // Kill as soon as at least 5 lines are on disk.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
      if (text.split('\n').filter(Boolean).length >= 5) break;
      if (first.child.exitCode !== null) assert.fail(`the first run ended before it could be killed: ${show(await first.done)}`);
      if (Date.now() > deadline) assert.fail('no 5 lines within 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    process.kill(pid, 'SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const afterKill = readFileSync(out, 'utf8');
    const completeLines = afterKill.slice(0, afterKill.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
    assert.ok(completeLines.length >= 5 && completeLines.length < N, `killed midway: ${completeLines.length} of ${N} lines`);

    const second = await score([f.dir, '--concurrency', '4', '--resume']);
    assert.equal(second.code, 0, show(second));
    const finalText = readFileSync(out, 'utf8');
    assert.ok(finalText.startsWith(completeLines.map((l) => `${l}\n`).join('')), "the first run's lines are intact, first");
    const lines = await readJsonl(out);
    assert.equal(lines.length, N);
    assert.deepEqual(linesPerFile(lines), Object.fromEntries(Object.keys(manyCsvInputs(N)).map((k) => [k, 1])));
    assert.ok(lines.every((l) => l.ok));
    assert.match(second.stdout, new RegExp(`resumed: ${completeLines.length} input\\(s\\) already had a line and were skipped`));
    assert.equal(row(second.stdout, 'inputs'), `${N - completeLines.length} (${N - completeLines.length} ok, 0 failed)`);
  });
});

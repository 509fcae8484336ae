import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { folderInputSource } from '../../src/adapters/files/folder-inputs.ts';
import { ResultsFile } from '../../src/adapters/files/results-file.ts';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import { AppError } from '../../src/core/errors.ts';
import { costUsd, DEFAULT_PRICES } from '../../src/core/analysis/pricing.ts';
import { summarizeResults } from '../../src/core/evaluation/score-summary.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import { createRateLimiter } from '../../src/adapters/timing/rate-limiter.ts';
import { type ScoreOptions, type ScoreProgress, scoreFolder } from '../../src/use-cases/score-folder.ts';
import { type ScoreTarget } from '../../src/ports/score-target.ts';
import { inProcessTarget } from '../../src/use-cases/score-targets.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { textBytes, truncatedJpeg } from '../helpers/image-fixtures.ts';
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

let store: AnalysisStore;
let local: AnalysisApp;
const folders: TempFolder[] = [];

before(async () => {
  store = await openMemoryStore();
  local = await startAnalysisApp({ store });
});
after(async () => {
  await Promise.all(folders.map((f) => f.cleanup()));
  await local.close();
  await store.close();
});

async function folder(files: Record<string, string | Buffer>): Promise<TempFolder> {
  const f = await tempFolder(files);
  folders.push(f);
  return f;
}

/** Run scoreFolder into a fresh results file under the temp root and return the run and the file's lines. */
async function score(f: TempFolder, target: ScoreTarget, o: Partial<ScoreOptions> & { out?: string; mode?: 'new' | 'resume'; recursive?: boolean } = {}) {
  const out = o.out ?? join(f.root, `results-${Math.random().toString(36).slice(2)}.jsonl`);
  const results = ResultsFile.open(out, 'jsonl', o.mode ?? 'new');
  try {
    const source = folderInputSource(f.dir, { recursive: o.recursive ?? false, exclude: [out] });
    const run = await scoreFolder(target, { source, concurrency: 1, budgetUsd: null, ...o, results });
    return { run, out, file: await readJsonl(out) };
  } finally {
    results.close();
  }
}

const localTarget = (): ScoreTarget => inProcessTarget(local.deps, { analyzer: 'local', model: null });

/** The expected outcome of each input of the mixed folder: ok, or the error code. */
const MIXED_EXPECTED: Record<string, string> = {
  'arr.json': 'ok',
  'bad.csv': 'invalid_candles',
  'broken.json': 'invalid_candles',
  'good.csv': 'ok',
  'sheet.xlsx': 'unsupported_file',
  'obj.json': 'ok',
  'pair.png': 'ok',
  'pic.png': 'ok',
  'text.png': 'unsupported_image',
  'trunc.jpg': 'invalid_image',
  'zz-last.csv': 'ok',
};

async function mixedFolder(): Promise<TempFolder> {
  return folder({
    'good.csv': csvSlice(0),
    'pic.png': await chartBytes(),
    'pair.png': await chartBytes('sp500-2020-dark-marks.png'),
    'pair.csv': csvSlice(4800, 150),
    'pair.news.json': newsJson(),
    'arr.json': JSON.stringify(candleSlice(300)),
    'obj.json': JSON.stringify({ candles: candleSlice(600) }),
    'text.png': textBytes(),
    'bad.csv': corruptCsv(900),
    'broken.json': '[{"time": "2020-01-02", "open": ',
    'trunc.jpg': truncatedJpeg(),
    'sheet.xlsx': 'not an input',
    'zz-last.csv': csvSlice(1200),
  });
}

const outcome = (l: { ok: boolean; error?: { code: string } }): string => (l.ok ? 'ok' : (l.error?.code ?? '?'));

describe('scoreFolder in process', () => {
  test('when a folder mixes good and broken inputs, then each input gets exactly one line with its outcome and the run goes on past failures', async () => {
    const f = await mixedFolder();
    const progress: ScoreProgress[] = [];
    const { run, file } = await score(f, localTarget(), { onProgress: (p) => progress.push(p) });
    assert.deepEqual(linesPerFile(file), Object.fromEntries(Object.keys(MIXED_EXPECTED).map((k) => [k, 1])));
    assert.deepEqual(Object.fromEntries(file.map((l) => [l.file, outcome(l)])), MIXED_EXPECTED);
    assert.deepEqual(run.lines, file, 'the run returns exactly what it wrote');
    for (const l of file) {
      assert.match(l.sha256, /^[0-9a-f]{64}$/);
      if (l.ok) assert.ok(l.analysis && !l.error, l.file);
      else assert.ok(l.error?.message && !l.analysis, l.file);
    }
    const byFile = Object.fromEntries(file.map((l) => [l.file, l]));
    const pair = byFile['pair.png'].analysis as Analysis;
    assert.equal(pair.input.source, 'image+ohlcv');
    assert.equal(pair.input.bars, 150);
    assert.equal(pair.input.newsCount, 1);
    assert.equal((byFile['obj.json'].analysis as Analysis).input.bars, 120);
    assert.equal((byFile['arr.json'].analysis as Analysis).input.source, 'ohlcv');
    assert.equal((byFile['pic.png'].analysis as Analysis).input.source, 'image');
    // The failures come before zz-last.csv in the (sorted) order; it was still scored.
    assert.equal(byFile['zz-last.csv'].ok, true);
    assert.equal(run.resumed, 0);
    assert.equal(run.budgetReached, false);
    assert.equal(run.notStarted, 0);
    const last = progress.at(-1) as ScoreProgress;
    assert.deepEqual([last.done, last.total, last.failed], [11, 11, 5]);
    const summary = summarizeResults(file);
    assert.deepEqual([summary.total, summary.ok, summary.failed], [11, 6, 5]);
    assert.deepEqual(
      Object.fromEntries(summary.failures.map((x) => [x.code, x.count])),
      { invalid_candles: 2, unsupported_file: 1, unsupported_image: 1, invalid_image: 1 },
    );
  });

  test('when run with concurrency 4, then the lines are the same set as with concurrency 1 and at most 4 run at once', async () => {
    const f = await mixedFolder();
    const serial = await score(f, localTarget(), { concurrency: 1 });
    let inFlight = 0;
    let maxInFlight = 0;
    const inner = localTarget();
    const counting: ScoreTarget = {
      async analyze(input) {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          await new Promise((r) => setTimeout(r, 20));
          return await inner.analyze(input);
        } finally {
          inFlight--;
        }
      },
    };
    const parallel = await score(f, counting, { concurrency: 4 });
    const view = (lines: typeof serial.file): string[] =>
      lines
        .map((l) => JSON.stringify([l.file, l.sha256, l.ok, l.error?.code ?? null, l.analysis?.decision ?? null, l.analysis?.verification.status ?? null]))
        .sort();
    assert.deepEqual(view(parallel.file), view(serial.file));
    assert.equal(parallel.file.length, Object.keys(MIXED_EXPECTED).length);
    assert.ok(maxInFlight > 1 && maxInFlight <= 4, `max in flight ${maxInFlight}`);
  });

  test('when resumed, then inputs already in the file are skipped and only new or changed ones are scored', async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'b.csv': csvSlice(100) });
    const out = join(f.root, 'resume.jsonl');
    await score(f, localTarget(), { out });
    await f.write('b.csv', csvSlice(101)); // changed: new sha256
    await f.write('c.csv', csvSlice(200)); // new
    const second = await score(f, localTarget(), { out, mode: 'resume' });
    assert.equal(second.run.resumed, 1);
    assert.deepEqual(
      second.run.lines.map((l) => l.file),
      ['b.csv', 'c.csv'],
    );
    assert.deepEqual(
      second.file.map((l) => l.file),
      ['a.csv', 'b.csv', 'b.csv', 'c.csv'],
    );
  });

  test('when a target fails with a plain error, then the line says internal_error; an AppError keeps its code; the run goes on', async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'b.csv': csvSlice(100), 'c.csv': csvSlice(200) });
    const target: ScoreTarget = {
      async analyze(input) {
        if (input.file === 'a.csv') throw new Error('kaboom');
        if (input.file === 'b.csv') throw new AppError('endpoint_unreachable', 'down');
        return localTarget().analyze(input);
      },
    };
    const { file } = await score(f, target);
    assert.deepEqual(
      file.map((l) => [l.file, outcome(l), l.error?.message ?? null]),
      [
        ['a.csv', 'internal_error', 'kaboom'],
        ['b.csv', 'endpoint_unreachable', 'down'],
        ['c.csv', 'ok', null],
      ],
    );
  });

  test('when a file vanishes between discovery and reading, then it gets an error line and the run goes on', async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'b.csv': csvSlice(100), 'c.csv': csvSlice(200) });
    let removed = false;
    const { run, file } = await score(f, localTarget(), {
      // The first report comes after discovery, before any input is read.
      onProgress: () => {
        if (removed) return;
        removed = true;
        rmSync(join(f.dir, 'b.csv'));
      },
    });
    assert.deepEqual(
      file.map((l) => [l.file, outcome(l)]),
      [
        ['a.csv', 'ok'],
        ['b.csv', 'unreadable_file'],
        ['c.csv', 'ok'],
      ],
    );
    assert.match(file[1].error?.message ?? '', /ENOENT/);
    assert.equal(run.lines.length, 3);
  });
});

describe('scoreFolder budget with the openai analyzer (fake server)', () => {
  const USAGE = { prompt_tokens: 1000, completion_tokens: 100 };
  const perInput = costUsd({ inputTokens: 1000, outputTokens: 100, cachedInputTokens: 0 }, DEFAULT_PRICES['gpt-4o']) as number;
  let app: AnalysisApp;
  before(async () => {
    app = await startAnalysisApp({ store, openai: { analyzer: { model: 'gpt-4o' } } });
    app.fake?.setFallback({ kind: 'json', body: plainHold(), usage: USAGE });
  });
  after(async () => {
    await app.close();
  });

  test('when the budget is 2.5 inputs of spend, then the run stops cleanly after 3 and a resume with a larger budget finishes the rest, one line each', async () => {
    assert.ok(perInput > 0);
    const f = await folder(manyCsvInputs(8));
    const target = inProcessTarget(app.deps, { analyzer: 'openai', model: null });
    const out = join(f.root, 'budget.jsonl');
    const first = await score(f, target, { out, budgetUsd: perInput * 2.5 });
    assert.equal(first.run.budgetReached, true);
    assert.equal(first.run.lines.length, 3);
    assert.equal(first.run.notStarted, 5);
    assert.equal(first.file.length, 3);
    assert.equal(app.fake?.requests.length, 3, 'no model call after the budget was reached');
    for (const l of first.file) {
      assert.equal(l.ok, true);
      assert.equal(l.analysis?.provider.model, 'gpt-4o');
      assert.equal(l.analysis?.provider.degraded, false);
      assert.equal(l.analysis?.provider.costUsd, perInput);
    }
    assert.ok(summarizeResults(first.file).costUsd >= perInput * 2.5);

    const second = await score(f, target, { out, mode: 'resume', budgetUsd: perInput * 100 });
    assert.equal(second.run.budgetReached, false);
    assert.equal(second.run.resumed, 3);
    assert.equal(second.run.lines.length, 5);
    assert.equal(second.run.notStarted, 0);
    assert.equal(app.fake?.requests.length, 8);
    assert.deepEqual(Object.values(linesPerFile(second.file)), Array(8).fill(1));
    assert.equal(Object.keys(linesPerFile(second.file)).length, 8);
  });

  test('when a resumed run hits the budget again, then only inputs still without a line count as not started', async () => {
    const f = await folder(manyCsvInputs(8, 70));
    const target = inProcessTarget(app.deps, { analyzer: 'openai', model: null });
    const out = join(f.root, 'budget-twice.jsonl');
    const first = await score(f, target, { out, budgetUsd: perInput * 2.5 });
    assert.equal(first.run.lines.length, 3);
    const second = await score(f, target, { out, mode: 'resume', budgetUsd: perInput * 1.5 });
    assert.equal(second.run.resumed, 3);
    assert.equal(second.run.lines.length, 2);
    assert.equal(second.run.notStarted, 3, '8 inputs - 3 kept - 2 new');
  });
});

describe('rate limiter', () => {
  const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  test('when the rate is 600 a minute, then 10 calls at once start 100 ms apart (mock clock)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const limiter = createRateLimiter(600);
    const started: number[] = [];
    const all = Array.from({ length: 10 }, () => limiter.take().then(() => started.push(Date.now())));
    for (let i = 0; i < 10; i++) {
      await flush();
      t.mock.timers.tick(100);
    }
    await Promise.all(all);
    assert.deepEqual(started, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  test('when calls come slower than the rate, then none of them waits (mock clock)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const limiter = createRateLimiter(60);
    let resolved = 0;
    for (let i = 0; i < 3; i++) {
      void limiter.take().then(() => resolved++);
      await flush();
      assert.equal(resolved, i + 1, 'a call after the interval has passed starts at once');
      t.mock.timers.tick(1000);
    }
  });

  test('when there is no rate, then calls do not wait', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const limiter = createRateLimiter(null);
    let resolved = 0;
    for (let i = 0; i < 100; i++) void limiter.take().then(() => resolved++);
    await flush();
    assert.equal(resolved, 100);
  });

  test('when a scoring run goes through a limited target with concurrency 4, then every input waits for its own slot', async () => {
    const f = await folder(manyCsvInputs(10, 40));
    let takes = 0;
    let inFlightBeforeSlot = 0;
    const limiter = { take: () => Promise.resolve(takes++) } satisfies { take(): Promise<unknown> };
    const target: ScoreTarget = {
      async analyze() {
        const before = takes;
        await limiter.take();
        if (takes !== before + 1) inFlightBeforeSlot++;
        return { provider: { costUsd: 0 } } as Analysis;
      },
    };
    const { file } = await score(f, target, { concurrency: 4 });
    assert.equal(file.length, 10);
    assert.ok(file.every((l) => l.ok));
    assert.equal(takes, 10, 'one slot per input');
    assert.ok(inFlightBeforeSlot <= 4);
  });
});

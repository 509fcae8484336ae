/**
 * `chartlens score DIR --queue --endpoint URL`: each input becomes a job on a live server (the real
 * app on 127.0.0.1 with its in-process workers on PGlite), collected by polling, into the same
 * results file as every score run: one line per input, and --resume after a crash (a half-written
 * last line, or the process killed with SIGKILL) finishes it with exactly one line per input.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { runCaptured } from '../../src/entry/cli/run-captured.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { chartBytes, corruptCsv, csvSlice, linesPerFile, manyCsvInputs, readJsonl, type TempFolder, tempFolder } from '../helpers/score-fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/chartlens.mjs', import.meta.url));
const SLOW = { timeout: 90_000 };
const ENV = { CHARTLENS_DATA_DIR: ':memory:', CHARTLENS_LOG: 'silent' };

let store: AnalysisStore;
let live: AnalysisApp;
let server: Server;
let endpoint: string;
/** POST /v1/jobs requests the server received. */
let submitted = 0;
const folders: TempFolder[] = [];

before(async () => {
  store = await openMemoryStore();
  live = await startAnalysisApp({ store });
  const outer = express();
  outer.use((req, _res, next) => {
    if (req.method === 'POST' && req.path === '/v1/jobs') submitted++;
    next();
  });
  outer.use(live.app);
  server = await new Promise<Server>((resolve, reject) => {
    const s = outer.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await live.close();
  await store.close();
  await Promise.all(folders.map((f) => f.cleanup()));
});

async function folder(files: Record<string, string | Buffer>): Promise<TempFolder> {
  const f = await tempFolder(files);
  folders.push(f);
  return f;
}

const show = (r: { code: number; stdout: string; stderr: string }): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr.slice(-2000)}`;

describe('chartlens score --queue', () => {
  test('when a folder is scored through the queue, then every input gets one line, the analyses are the server\'s, and bad input keeps its code', SLOW, async () => {
    const f = await folder({ ...manyCsvInputs(5), 'pair.png': await chartBytes(), 'pair.csv': csvSlice(4800, 150), 'broken.csv': corruptCsv(100) });
    const before = submitted;
    const r = await runCaptured(['score', f.dir, '--queue', '--endpoint', endpoint, '--concurrency', '3'], ENV);
    assert.equal(r.code, 2, show(r));
    const lines = await readJsonl(join(f.dir, 'chartlens-results.jsonl'));
    assert.deepEqual(Object.values(linesPerFile(lines)), Array(7).fill(1), 'one line per input');
    assert.equal(submitted - before, 7, 'one job per input');
    const broken = lines.find((l) => l.file === 'broken.csv');
    assert.equal(broken?.ok, false);
    assert.equal(broken?.error?.code, 'invalid_candles', 'refused at POST with the code /v1/analyze gives');
    const pair = lines.find((l) => l.file === 'pair.png');
    assert.equal(pair?.analysis?.input.source, 'image+ohlcv');
    for (const l of lines.filter((x) => x.ok)) assert.ok(await store.get(l.analysis?.id ?? ''), `${l.file}: stored by the server`);
  });

  test('when the results file ends in a half-written line, then --resume submits only the inputs without a line, and each input ends with exactly one', SLOW, async () => {
    const f = await folder(manyCsvInputs(6));
    const out = join(f.dir, 'chartlens-results.jsonl');
    const first = await runCaptured(['score', f.dir, '--queue', '--endpoint', endpoint], ENV);
    assert.equal(first.code, 0, show(first));
    const text = await readFile(out, 'utf8');
    const kept = text.split('\n').filter(Boolean).slice(0, 2);
    await writeFile(out, `${kept.join('\n')}\n{"file":"chart-00`);
    const before = submitted;
    const resumed = await runCaptured(['score', f.dir, '--queue', '--endpoint', endpoint, '--resume'], ENV);
    assert.equal(resumed.code, 0, show(resumed));
    assert.equal(submitted - before, 4, 'only the four inputs without a whole line were queued again');
    assert.deepEqual(Object.values(linesPerFile(await readJsonl(out))), Array(6).fill(1));
    assert.match(resumed.stdout, /resumed: 2 input\(s\) already had a line/);
  });

  test('when the run is killed with SIGKILL midway, then --resume finishes it with exactly one line per input', SLOW, async () => {
    const n = 14;
    const f = await folder(manyCsvInputs(n));
    const out = join(f.dir, 'chartlens-results.jsonl');
    const child = spawn(process.execPath, [BIN, 'score', f.dir, '--queue', '--endpoint', endpoint, '--concurrency', '2'], { env: ENV, stdio: 'ignore' });
    // Killed once a few lines are in the file (the crash may land in the middle of the next append).
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    for (let tries = 0; tries < 600; tries++) {
      const lines = await readFile(out, 'utf8').then((t) => t.split('\n').filter(Boolean).length, () => 0);
      if (lines >= 3 || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL', 'the run was still going when it was killed');
    const partial = await readJsonl(out).catch(() => []);
    assert.ok(partial.length < n, `killed midway (${partial.length} of ${n} lines)`);
    const resumed = await runCaptured(['score', f.dir, '--queue', '--endpoint', endpoint, '--resume'], ENV);
    assert.equal(resumed.code, 0, show(resumed));
    assert.deepEqual(Object.values(linesPerFile(await readJsonl(out))), Array(n).fill(1));
  });

  test('when --queue comes without --endpoint, then it is a usage error that says why', async () => {
    const f = await folder(manyCsvInputs(1));
    const r = await runCaptured(['score', f.dir, '--queue'], ENV);
    assert.equal(r.code, 64, show(r));
    assert.match(r.stderr, /--queue needs --endpoint/);
  });
});

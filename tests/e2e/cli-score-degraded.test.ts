/**
 * `chartlens score --analyzer openai` when the model is missing or broken: the rules answer each
 * input instead (the line is ok, its analysis degraded), and the run must say so and exit 2 unless
 * --allow-degraded is given. In-process runs through the CLI's `run`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCaptured } from '../../src/entry/cli/run-captured.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../testing/fake-openai.ts';
import { type AnalysisApp, FAKE_API_KEY, startAnalysisApp } from '../helpers/analysis-app.ts';
import { csvSlice, readJsonl, type TempFolder, tempFolder } from '../helpers/score-fixtures.ts';

const SLOW = { timeout: 90_000 };
let dataRoot: string;
const folders: TempFolder[] = [];

before(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'chartlens-score-degraded-'));
});
after(async () => {
  await Promise.all(folders.map((f) => f.cleanup()));
  await rm(dataRoot, { recursive: true, force: true });
});

async function threeCsvs(): Promise<TempFolder> {
  const f = await tempFolder({ 'a.csv': csvSlice(0), 'b.csv': csvSlice(300), 'c.csv': csvSlice(600) });
  folders.push(f);
  return f;
}

/** Only what the test sets: in particular no OPENAI_* from the outer shell. */
const score = (args: string[], env: Record<string, string> = {}) =>
  runCaptured(['score', ...args, '--workers', '1'], { CHARTLENS_DATA_DIR: join(dataRoot, 'data'), CHARTLENS_LOG: 'silent', ...env });

function row(stdout: string, name: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no "${name}" row in:\n${stdout}`);
  return line.slice(name.length).trim();
}

const show = (r: { code: number; stdout: string; stderr: string }): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr.slice(-2000)}`;

describe('chartlens score with a degraded model', () => {
  test('when --analyzer openai has no OPENAI_* configured, then every line is degraded llm_not_configured, the summary says so and the exit is 2', SLOW, async () => {
    const f = await threeCsvs();
    const r = await score([f.dir, '--analyzer', 'openai']);
    assert.equal(r.code, 2, show(r));
    const lines = await readJsonl(join(f.dir, 'chartlens-results.jsonl'));
    assert.equal(lines.length, 3);
    for (const l of lines) {
      assert.equal(l.ok, true, `${l.file} still has an answer`);
      assert.deepEqual(l.analysis?.provider.degraded && l.analysis.provider.degraded.code, 'llm_not_configured', l.file);
    }
    assert.equal(row(r.stdout, 'inputs'), '3 (3 ok, 0 failed)');
    assert.equal(row(r.stdout, 'cached / degraded'), '0 / 3');
    assert.match(r.stdout, /^degraded: 3 answer\(s\) came from the rules standing in for the model: llm_not_configured 3 \((a|b|c)\.csv, (a|b|c)\.csv, (a|b|c)\.csv\)$/m);
    assert.match(r.stdout, /^exit 2 because of the degraded answers; pass --allow-degraded to accept them$/m);
  });

  test('when --allow-degraded is given, then the same run exits 0 and still reports the degraded answers', SLOW, async () => {
    const f = await threeCsvs();
    const r = await score([f.dir, '--analyzer', 'openai', '--allow-degraded']);
    assert.equal(r.code, 0, show(r));
    assert.equal(row(r.stdout, 'cached / degraded'), '0 / 3');
    assert.match(r.stdout, /^degraded: 3 answer\(s\)/m);
    assert.doesNotMatch(r.stdout, /exit 2 because/);
  });

  test('when the analyzer is local, then nothing is degraded and the exit is 0 without --allow-degraded', SLOW, async () => {
    const f = await threeCsvs();
    const r = await score([f.dir, '--analyzer', 'local']);
    assert.equal(r.code, 0, show(r));
    assert.equal(row(r.stdout, 'cached / degraded'), '0 / 0');
    assert.doesNotMatch(r.stdout, /^degraded:/m);
  });

  describe('a broken model (the fake answers 404 for an unknown model)', () => {
    let fake: FakeOpenAI;
    before(async () => {
      fake = await startFakeOpenAI({ apiKey: FAKE_API_KEY });
      fake.setFallback({ kind: 'error', status: 404, body: { error: { message: 'The model `gpt-nope` does not exist', type: 'invalid_request_error', code: 'model_not_found' } } });
    });
    after(async () => {
      await fake.close();
    });

    test('when every call fails upstream, then each line is degraded with the failure code and the exit is 2', SLOW, async () => {
      const f = await threeCsvs();
      const env = { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: FAKE_API_KEY, CHARTLENS_MODEL: 'gpt-nope', CHARTLENS_MAX_RETRIES: '0' };
      const r = await score([f.dir, '--analyzer', 'openai', '--concurrency', '1'], env);
      assert.equal(r.code, 2, show(r));
      assert.ok(fake.requests.length >= 3, 'the model was asked');
      const codes = (await readJsonl(join(f.dir, 'chartlens-results.jsonl'))).map((l) => l.ok && l.analysis?.provider.degraded && l.analysis.provider.degraded.code);
      assert.deepEqual(codes, ['llm_bad_request', 'llm_bad_request', 'llm_bad_request']);
      assert.match(r.stdout, /^degraded: 3 answer\(s\) came from the rules standing in for the model: llm_bad_request 3 /m);
    });
  });

  describe('through --endpoint (the server has no model configured)', () => {
    let live: AnalysisApp;
    let server: Server;
    let endpoint: string;
    before(async () => {
      live = await startAnalysisApp();
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
    });

    test('when the server answers degraded, then the client counts it the same way and exits 2', SLOW, async () => {
      const f = await threeCsvs();
      const r = await score([f.dir, '--endpoint', endpoint, '--analyzer', 'openai']);
      assert.equal(r.code, 2, show(r));
      assert.equal(row(r.stdout, 'inputs'), '3 (3 ok, 0 failed)');
      assert.match(r.stdout, /^degraded: 3 answer\(s\) came from the rules standing in for the model: llm_not_configured 3 /m);
    });
  });
});

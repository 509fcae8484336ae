/**
 * The queue on the machine's PostgreSQL with real processes: `chartlens serve` (enqueue only) and
 * three `chartlens worker`s, all bin/chartlens.mjs on this Node 24. Sixty analyses (the local rules
 * on csv/sp500 by symbol, each a different length so none is a cache hit) are queued; one worker is
 * killed with SIGKILL while it runs a job. Every job must end done, and the store must hold exactly
 * sixty analyses, one per job, under the job ids. Without DATABASE_URL this cannot run (the
 * embedded PGlite queue lives in one process) and says so.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runCaptured } from '../../src/entry/cli/run-captured.ts';
import { testSchemaName, withPgClient } from '../helpers/store-fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/chartlens.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const JOBS = 60;
const DATABASE_URL = process.env.DATABASE_URL;

interface Child {
  proc: ChildProcess;
  stderr: string;
  /** Calls `fn` on each complete stderr line, past and future. */
  onLine(fn: (line: string) => void): void;
}

function start(args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  const child: Child = {
    proc,
    stderr: '',
    onLine(fn) {
      listeners.push(fn);
      for (const l of lines) fn(l);
    },
  };
  let partial = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    child.stderr += chunk;
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const fn of listeners) fn(line);
    }
  });
  return child;
}

function waitForLine(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr:\n${child.stderr.slice(-3000)}`));
    }, timeoutMs);
    child.proc.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before a line matching ${pattern}; stderr:\n${child.stderr.slice(-3000)}`));
    });
    child.onLine((line) => {
      const m = pattern.exec(line);
      if (!m || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(m);
    });
  });
}

/** The job events a process logged (CHARTLENS_LOG=info writes them as JSON lines). */
function jobEvent(line: string): { event: string; job: string; attempt?: number } | null {
  if (!line.startsWith('{')) return null;
  try {
    const e = JSON.parse(line) as { event?: unknown; job?: unknown; attempt?: unknown };
    return typeof e.event === 'string' && typeof e.job === 'string' ? (e as { event: string; job: string; attempt?: number }) : null;
  } catch {
    return null;
  }
}

async function stop(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

test('when DATABASE_URL is not set, then chartlens worker refuses with a usage error that says why (exit 64)', async () => {
  const r = await runCaptured(['worker'], { CHARTLENS_LOG: 'silent', CHARTLENS_DATA_DIR: ':memory:' });
  assert.equal(r.code, 64, r.stderr);
  assert.match(r.stderr, /chartlens worker needs DATABASE_URL/);
  assert.match(r.stderr, /CHARTLENS_JOB_WORKERS/);
});

test(`when ${JOBS} jobs run on 3 workers on PostgreSQL and one worker is killed with SIGKILL mid-job, then every job ends done exactly once`, { timeout: 90_000 }, async (t) => {
  if (!DATABASE_URL) {
    t.skip('DATABASE_URL is not set: several processes can share only a PostgreSQL queue (PGlite is one process); CI sets DATABASE_URL and runs this');
    return;
  }
  const schema = testSchemaName();
  const queueSchema = `${schema}_jobs`;
  const dataDir = await mkdtemp(join(tmpdir(), 'chartlens-worker-kill-'));
  await withPgClient(DATABASE_URL, (c) => c.query(`CREATE SCHEMA "${schema}"`));
  // The store of every process lives in the fresh schema: search_path rides on the connection string.
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: url.toString(),
    CHARTLENS_QUEUE_SCHEMA: queueSchema,
    CHARTLENS_DATA_DIR: dataDir,
    CHARTLENS_LOG: 'info',
    CHARTLENS_JOB_HEARTBEAT_SECONDS: '10',
    CHARTLENS_JOB_RETRY_DELAY_SECONDS: '1',
    CHARTLENS_WORKERS: '0',
  };
  const children: Child[] = [];
  const began = Date.now();
  try {
    const server = start(['serve'], { ...env, HOST: '127.0.0.1', PORT: '0', CHARTLENS_JOB_WORKERS: '0' });
    children.push(server);
    const workers = [0, 1, 2].map(() => start(['worker', '--concurrency', '2'], env));
    children.push(...workers);
    const [listening] = await Promise.all([
      waitForLine(server, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000),
      ...workers.map((w) => waitForLine(w, /^chartlens worker: /, 30_000)),
    ]);
    const base = listening[1];
    t.diagnostic(`server and 3 workers up in ${Date.now() - began} ms`);

    // Worker 0 is killed the moment it starts a job, once it has finished a few.
    const victim = workers[0];
    let victimDone = 0;
    let interrupted: string | null = null;
    victim.onLine((line) => {
      const e = jobEvent(line);
      if (!e) return;
      if (e.event === 'job_finished') victimDone++;
      if (e.event === 'job_started' && victimDone >= 3 && interrupted === null) {
        interrupted = e.job;
        victim.proc.kill('SIGKILL');
      }
    });

    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const res = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'sp500', bars: 240 + i }) });
      const text = await res.text();
      assert.equal(res.status, 202, text);
      ids.push((JSON.parse(text) as { id: string }).id);
    }
    const submitted = Date.now();

    const jobs = new Map<string, { status: string; attempts: number; analysis?: { id: string; input: { bars: number } }; error?: unknown }>();
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const pending = ids.filter((id) => !['done', 'failed', 'cancelled'].includes(jobs.get(id)?.status ?? ''));
      if (pending.length === 0) break;
      for (const id of pending) {
        const res = await fetch(`${base}/v1/jobs/${id}`);
        assert.equal(res.status, 200);
        jobs.set(id, (await res.json()) as never);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    t.diagnostic(`${JOBS} jobs ended ${Date.now() - submitted} ms after the last was queued; interrupted job ${interrupted} (attempts ${interrupted ? jobs.get(interrupted)?.attempts : '-'})`);

    assert.ok(interrupted, 'worker 0 was killed while it ran a job');
    assert.equal(victim.proc.signalCode, 'SIGKILL');
    const notDone = ids.filter((id) => jobs.get(id)?.status !== 'done');
    const errors = workers.flatMap((w) => w.stderr.split('\n').filter((l) => l.includes('"job_error"'))).slice(0, 3);
    assert.deepEqual(notDone.map((id) => jobs.get(id)), [], `every job is done; errors: ${errors.join('\n')}`);
    for (const [i, id] of ids.entries()) {
      const job = jobs.get(id);
      assert.equal(job?.analysis?.id, id, 'each analysis is stored under its job id');
      assert.equal(job?.analysis?.input.bars, 240 + i, 'each job answered its own request');
    }
    assert.ok((jobs.get(interrupted)?.attempts ?? 0) >= 2, 'the interrupted job was tried again');
    const rows = await withPgClient(DATABASE_URL, (c) => c.query<{ id: string }>(`SELECT id FROM "${schema}".analyses`));
    assert.equal(rows.rows.length, JOBS, 'exactly one stored analysis per job, none lost, none doubled');
    assert.deepEqual(rows.rows.map((r) => r.id).sort(), [...ids].sort());
    // The others did the rest.
    const ranBy = workers.slice(1).map((w) => w.stderr.split('\n').filter((l) => jobEvent(l)?.event === 'job_finished').length);
    assert.ok(ranBy.every((n) => n > 0), `both surviving workers ran jobs (${ranBy.join(', ')})`);
  } finally {
    await Promise.all(children.map(stop));
    await withPgClient(DATABASE_URL, async (c) => {
      await c.query(`DROP SCHEMA IF EXISTS "${queueSchema}" CASCADE`);
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
    await rm(dataDir, { recursive: true, force: true });
  }
});

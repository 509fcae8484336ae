/**
 * Admission-control benchmark (issue 12 section 2): does /healthz stay fast while a burst of
 * analyses hits the server, and what happens to the burst?
 *
 * For each configuration it starts the real server (`chartlens serve`, the composition's server
 * profile, in a child process so this load generator does not share its event loop) with the local
 * analyzer and a fresh on-disk store (PGlite in a temporary folder), waits for its job queue to
 * start, warms it, then fires N POST /v1/analyze of B bars each (distinct
 * windows of samples/sp500.csv, so none is a cache hit) from C concurrent clients, while a worker
 * thread of this process sends GET /healthz every 10 ms on a new connection each (as a probe does)
 * and times each answer. It prints the burst's wall time, the count of 200/503, the latency of the
 * analyses answered 200, and the healthz p50/p99/max.
 *
 * Runs, in one process: `before` (CHARTLENS_WORKERS=0, CHARTLENS_MAX_INFLIGHT=0: the main thread
 * and no cap, the old defaults) and `after` (the defaults), plus any `--extra=K=V,K=V` run.
 *
 *   node bench/admission.ts [--requests=500] [--concurrency=128] [--bars=300] [--extra=CHARTLENS_MAX_INFLIGHT=8] [--runs=before,after,extra1]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE_EVERY_MS = 10;
/** --trace: the slow probes by time, and the server's log lines. */
const TRACE = process.argv.includes('--trace');

interface Probe {
  /** ms from the request being sent to the end of the answer; null when it failed. */
  ms: number | null;
  status: number;
  /** When it was sent (performance.timeOrigin-based, ms). */
  at: number;
}

/** One GET on a fresh connection (agent: false), timed to the last byte. */
function get(url: string): Promise<Probe> {
  const t0 = performance.now();
  const at = performance.timeOrigin + t0;
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, at }));
    });
    req.on('error', () => resolve({ ms: null, status: 0, at }));
    req.end();
  });
}

// The probe thread: GET /healthz every 10 ms until told to stop, then report every answer. It also
// probes a bare Node server in its own process (the control), 5 ms out of phase: what any server on
// this machine would answer in while the burst runs, so the chartlens figures can be read against it.
if (!isMainThread) {
  const { url, control } = workerData as { url: string; control: string };
  const pending: Promise<Probe>[] = [];
  const controls: Promise<Probe>[] = [];
  const timer = setInterval(() => {
    pending.push(get(url));
    setTimeout(() => controls.push(get(control)), PROBE_EVERY_MS / 2);
  }, PROBE_EVERY_MS);
  parentPort?.once('message', () => {
    clearInterval(timer);
    setTimeout(() => void Promise.all([Promise.all(pending), Promise.all(controls)]).then(([probes, control]) => parentPort?.postMessage({ probes, control })), PROBE_EVERY_MS);
  });
}

/** The control: a bare Node HTTP server answering "ok", in a child process of its own. */
async function startControl(): Promise<{ child: ChildProcess; url: string }> {
  const code = "require('http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout?.setEncoding('utf8');
  const [port] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [string];
  return { child, url: `http://127.0.0.1:${port.trim()}/` };
}

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole number >= 1`);
  return v;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `count` request bodies of `bars` daily bars each, every one a different window of the sample. */
function bodies(count: number, bars: number, offset: number): Buffer[] {
  const lines = readFileSync(`${ROOT}samples/sp500.csv`, 'utf8').trimEnd().split('\n').slice(1);
  const rows = lines.map((l) => {
    const [time, open, high, low, close, , volume] = l.split(',');
    return { time, open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) };
  });
  const room = rows.length - bars;
  if (room < count + offset) throw new Error(`samples/sp500.csv has room for ${room} windows of ${bars} bars`);
  const step = Math.max(1, Math.floor((room - offset) / count));
  return Array.from({ length: count }, (_, i) => Buffer.from(JSON.stringify({ symbol: 'SPX', timeframe: '1d', candles: rows.slice(offset + i * step, offset + i * step + bars) })));
}

/** `chartlens serve` on a free port of 127.0.0.1 with `env` over a clean environment. */
async function startServer(env: Record<string, string>, dataDir: string): Promise<{ child: ChildProcess; base: string; log: string[]; settled: Promise<void> }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHARTLENS_') && !k.startsWith('OPENAI_') && k !== 'DATABASE_URL' && k !== 'PORT' && k !== 'HOST'));
  const child = spawn(process.execPath, [`${ROOT}bin/chartlens.mjs`, 'serve'], {
    env: { ...clean, PORT: '0', HOST: '127.0.0.1', CHARTLENS_DATA_DIR: dataDir, CHARTLENS_LOG: 'info', CHARTLENS_ANALYZER: 'local', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  // The server starts its job queue (pg-boss on the store's PGlite) after it listens; that start is
  // seconds of work on the main thread, so the burst waits for it (a server long up has done it).
  let queueUp: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    queueUp = resolve;
    if (env.CHARTLENS_JOB_WORKERS === '0') resolve();
  });
  const base = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      text += chunk;
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines) {
        log.push(line);
        if (TRACE) console.error(`  server: ${line}`);
        const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(line);
        if (m) resolve(m[1]);
        if (/^jobs: /.test(line)) queueUp();
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${log.join('\n')}`)));
  });
  return { child, base, log, settled };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
}

function post(agent: Agent, url: string, body: Buffer): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0, retryAfter: null }));
    req.end(body);
  });
}

/** `bodies` sent by `concurrency` clients, each taking the next body as soon as its last one is answered. */
async function burst(base: string, all: Buffer[], concurrency: number): Promise<{ answers: Answer[]; wallMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const answers: Answer[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < all.length) answers.push(await post(agent, `${base}/v1/analyze`, all[next++]));
    }),
  );
  const wallMs = performance.now() - t0;
  agent.destroy();
  return { answers, wallMs };
}

interface RunResult {
  name: string;
  settings: string;
  wallMs: number;
  ok: number;
  overloaded: number;
  other: number;
  okP50: number;
  okP99: number;
  retryAfter: string;
  probes: number;
  probeFailures: number;
  hz50: number;
  hz99: number;
  hzMax: number;
  control50: number;
  control99: number;
  controlMax: number;
}

async function run(name: string, env: Record<string, string>, o: { requests: number; concurrency: number; bars: number }): Promise<RunResult> {
  // A fresh PGlite on disk, as the server keeps it by default (an in-memory one copies a whole table
  // file each time it grows, tens of ms on the main thread: not what a deployed server does).
  const dataDir = mkdtempSync(join(tmpdir(), 'chartlens-admission-'));
  const { child, base, settled } = await startServer(env, dataDir);
  try {
    await settled;
    // Warm-up (not timed): the worker threads' first charts, JIT, the store's first writes.
    const warm = bodies(16, o.bars, 0);
    await burst(base, warm, 4);
    const all = bodies(o.requests, o.bars, 16);
    const control = await startControl();
    const probe = new Worker(new URL(import.meta.url), { workerData: { url: `${base}/healthz`, control: control.url } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const burstAt = performance.timeOrigin + performance.now();
    const { answers, wallMs } = await burst(base, all, o.concurrency);
    const { probes, control: controlProbes } = await new Promise<{ probes: Probe[]; control: Probe[] }>((resolve) => {
      probe.once('message', resolve);
      probe.postMessage('stop');
    });
    await probe.terminate();
    control.child.kill();
    const ctl = controlProbes.filter((p) => p.ms !== null).map((p) => p.ms as number).sort((a, b) => a - b);
    if (TRACE) {
      // The probes slower than 50 ms, by when they were sent (ms after the burst began).
      const slow = probes.filter((p) => (p.ms ?? Infinity) > 50).map((p) => `${Math.round(p.at - burstAt)}:${p.ms === null ? 'failed' : Math.round(p.ms)}`);
      console.log(`  trace (${name}): burst began at ${Math.round(burstAt)} (epoch ms); slow probes sent-at:latency ms: ${slow.join(' ') || 'none'}`);
    }
    const ok = answers.filter((a) => a.status === 200);
    const okMs = ok.map((a) => a.ms).sort((a, b) => a - b);
    const hz = probes.filter((p) => p.ms !== null && p.status === 200).map((p) => p.ms as number).sort((a, b) => a - b);
    const retry = answers.filter((a) => a.status === 503 && a.retryAfter !== null).map((a) => Number(a.retryAfter));
    return {
      name,
      settings: Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ') || '(defaults)',
      wallMs,
      ok: ok.length,
      overloaded: answers.filter((a) => a.status === 503).length,
      other: answers.filter((a) => a.status !== 200 && a.status !== 503).length,
      okP50: pct(okMs, 50),
      okP99: pct(okMs, 99),
      retryAfter: retry.length ? `${Math.min(...retry)}-${Math.max(...retry)} s` : '-',
      probes: probes.length,
      probeFailures: probes.length - hz.length,
      hz50: pct(hz, 50),
      hz99: pct(hz, 99),
      hzMax: hz.length ? hz[hz.length - 1] : Number.NaN,
      control50: pct(ctl, 50),
      control99: pct(ctl, 99),
      controlMax: ctl.length ? ctl[ctl.length - 1] : Number.NaN,
    };
  } finally {
    await stopServer(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = { requests: flag('requests', 500), concurrency: flag('concurrency', 128), bars: flag('bars', 300) };
  const extras = process.argv
    .filter((a) => a.startsWith('--extra='))
    .map((a) => Object.fromEntries(a.slice('--extra='.length).split(',').map((kv) => kv.split('=') as [string, string])));
  console.log(`admission bench: ${o.requests} POST /v1/analyze of ${o.bars} bars (sp500 windows, local analyzer), ${o.concurrency} concurrent clients; GET /healthz every ${PROBE_EVERY_MS} ms on a new connection; ${availableParallelism()} cores, Node ${process.version}`);
  const runs: [string, Record<string, string>][] = [
    ['before', { CHARTLENS_WORKERS: '0', CHARTLENS_MAX_INFLIGHT: '0' }],
    ['after', {}],
    ...extras.map((env, i): [string, Record<string, string>] => [`extra ${i + 1}`, env]),
  ];
  const only = process.argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length).split(',');
  const results: RunResult[] = [];
  for (const [name, env] of runs.filter(([n]) => !only || only.includes(n.replace(' ', '')))) {
    const r = await run(name, env, o);
    results.push(r);
    const f = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1));
    console.log(`\n${r.name}: ${r.settings}`);
    console.log(`  burst wall time     ${(r.wallMs / 1000).toFixed(2)} s`);
    console.log(`  answers             200: ${r.ok}   503 overloaded: ${r.overloaded}   other: ${r.other}   (Retry-After ${r.retryAfter})`);
    console.log(`  analyses (200)      p50 ${f(r.okP50)} ms   p99 ${f(r.okP99)} ms   ${(r.ok / (r.wallMs / 1000)).toFixed(1)} per s`);
    console.log(`  /healthz            p50 ${f(r.hz50)} ms   p99 ${f(r.hz99)} ms   max ${f(r.hzMax)} ms   (${r.probes} probes, ${r.probeFailures} failed)`);
    console.log(`  control (bare Node) p50 ${f(r.control50)} ms   p99 ${f(r.control99)} ms   max ${f(r.controlMax)} ms   (another process on this machine, probed alike)`);
  }
  const before = results.find((r) => r.name === 'before');
  const after = results.find((r) => r.name === 'after');
  if (before && after) console.log(`\nhealthz p99: before ${before.hz99.toFixed(1)} ms, after ${after.hz99.toFixed(1)} ms (${(before.hz99 / after.hz99).toFixed(1)}x); target <= 50 ms: ${after.hz99 <= 50 ? 'met' : 'MISSED'}`);
}

if (isMainThread) await main();

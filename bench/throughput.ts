/**
 * Throughput benchmark (issue 12 §3): what one analysis of 300 bars costs in CPU, what a cache hit
 * costs, how many requests per second the server answers, how it takes a burst of 500 against a
 * model that answers in 1 s (and whether /healthz stays quick meanwhile), and how a batch speeds up
 * from concurrency 1 to 32 against a 200 ms model. Every figure is printed beside a baseline
 * measured in the same run (the old path where one is kept, else concurrency 1, else the goal).
 *
 *   node bench/throughput.ts [--n=40] [--rps=48] [--burst=500] [--burst-latency=1000]
 *                            [--batch=96] [--batch-latency=200] [--skip=http,burst,batch]
 *
 * The fake models run in child processes (their CPU is not charged to chartlens). The store is
 * PGlite :memory:, as the tests and the batch bench use it. CPU is process.cpuUsage(): every
 * thread of this process (the main thread, sharp's and zlib's pool threads, prepare workers).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { deepStrictEqual } from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openBenchBatch } from '../src/composition/bench.ts';
import { type Config, loadConfig } from '../src/composition/config.ts';
import { createPreparePool } from '../src/composition/root.ts';
import { type AnalysisBench, analysisBenchProfile } from '../src/composition/throughput-bench.ts';
import type { Analysis } from '../src/core/analysis/analysis.ts';
import type { AnalysisStore } from '../src/ports/analysis-store.ts';
import { verificationFactsFor } from '../src/core/analysis/verification-facts.ts';
import { type Candle, parseCandlesCsv } from '../src/core/market/candles.ts';
import { computeMarketStreams } from '../src/core/market/facts.ts';
import { analyzeChart } from '../src/use-cases/analyze-chart.ts';
import { toAnalyzeCommand } from '../src/use-cases/analyze-request.ts';
import { chartFacts, prepareChart } from '../src/use-cases/prepare-chart.ts';
import { scoreFolder } from '../src/use-cases/score-folder.ts';
import { startFakeOpenAI } from '../testing/fake-openai.ts';
import { plainHold } from '../testing/model-replies.ts';
import { referenceVerificationFacts } from '../testing/reference-verification-facts.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const BARS = 300;
const MODEL = 'gpt-4o-mini';
const USAGE = { prompt_tokens: 1255, completion_tokens: 200 };
const GOALS = { cpuMs: 15, hitMs: 2, burstS: 5, healthzP99Ms: 50, batchSpeedup: 20 };

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
function intOption(name: string, fallback: number, min: number): number {
  const raw = option(name);
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench/throughput: --${name} must be a whole number >= ${min} (got ${raw})`);
    process.exit(2);
  }
  return n;
}

// Child mode: serve a fake model with a fixed latency, print its URL, run until killed.
if (process.argv.includes('--serve-fake')) {
  const fake = await startFakeOpenAI({ latencyMs: intOption('latency', 1000, 0) });
  fake.setFallback({ kind: 'json', body: plainHold(), usage: USAGE });
  setInterval(() => (fake.requests.length = 0), 2000); // keep memory flat
  process.stdout.write(`${fake.url}\n`);
  await new Promise(() => {});
}

const n = intOption('n', 40, 4);
const rpsRequests = intOption('rps', 48, 8);
const burstSize = intOption('burst', 500, 1);
const burstLatency = intOption('burst-latency', 1000, 0);
const batchInputs = intOption('batch', 96, 2);
const batchLatency = intOption('batch-latency', 200, 0);
const skip = new Set((option('skip') ?? '').split(',').filter(Boolean));

// ---------------------------------------------------------------------------------------------
// Inputs: distinct 300-bar slices of the S&P 500 file, as a client would send them (ISO dates).
const all = parseCandlesCsv(readFileSync(join(root, 'samples/sp500.csv'), 'utf8'));
const slices = all.length - BARS + 1;
let nextSlice = 0;
/** `count` slices never handed out before in this run, so no two requests share a cache key. */
function freshSlices(count: number): Candle[][] {
  const stride = 3;
  const out: Candle[][] = [];
  for (let i = 0; i < count; i++) {
    const start = (nextSlice++ * stride) % slices;
    out.push(all.slice(start, start + BARS));
  }
  if (nextSlice * stride > slices) throw new Error('bench/throughput: ran out of distinct slices; lower the counts');
  return out;
}
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const bodyOf = (candles: readonly Candle[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  symbol: 'SPX',
  timeframe: '1d',
  candles: candles.map((c) => ({ time: day(c.time), open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume })),
  ...extra,
});

// ---------------------------------------------------------------------------------------------
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
interface Timed {
  /** CPU ms per item: total CPU over the loop / items (process.cpuUsage, all threads). */
  cpuMs: number;
  /** Median wall ms per item. */
  wallMs: number;
  wallP90: number;
}
/** Run `fn` on each item one after another; CPU over the whole loop, wall per item. */
async function timeEach<T>(items: readonly T[], fn: (item: T) => Promise<unknown> | unknown): Promise<Timed> {
  const walls: number[] = [];
  const cpu0 = cpuNow();
  for (const item of items) {
    const t0 = performance.now();
    await fn(item);
    walls.push(performance.now() - t0);
  }
  return { cpuMs: (cpuNow() - cpu0) / items.length, wallMs: median(walls), wallP90: quantile(walls, 0.9) };
}

interface Row {
  line: string;
  value: string;
  baseline: string;
  ratio: string;
  goal: string;
}
const rows: Row[] = [];
const f = (v: number, d = 1): string => v.toFixed(d);
function row(line: string, value: string, baseline = '', ratio = '', goal = ''): void {
  rows.push({ line, value, baseline, ratio, goal });
  console.log(`  ${line}: ${value}${baseline ? ` (baseline ${baseline}${ratio ? `, ${ratio}` : ''})` : ''}${goal ? ` [${goal}]` : ''}`);
}
const verdict = (ok: boolean, goal: string): string => `${goal}: ${ok ? 'MET' : 'MISSED'}`;

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`chartlens throughput bench: ${BARS}-bar analyses of samples/sp500.csv; node ${process.version}, ${cpus().length} CPUs; load average ${load()}`);

function benchConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ CHARTLENS_LOG: 'silent', CHARTLENS_DATA_DIR: ':memory:', ...env });
}

async function listen(bench: AnalysisBench): Promise<{ url: string; server: Server }> {
  const server = await new Promise<Server>((resolve) => {
    const s = bench.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function post(url: string, body: string): Promise<{ status: number; analysis: Analysis | null }> {
  const res = await fetch(`${url}/v1/analyze`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  return { status: res.status, analysis: res.status === 200 ? (JSON.parse(text) as Analysis) : null };
}

async function fakeChild(latencyMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve-fake', `--latency=${latencyMs}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    child.once('exit', (code) => reject(new Error(`the fake model exited with ${code}`)));
  });
  return { url, child };
}

// ---------------------------------------------------------------------------------------------
// 1. In process, through the use case: a miss, a hit, the old hit path, verification old vs new.
{
  console.log('\n[1] in process, local rules, PGlite :memory:, facts and charts on the main thread (CHARTLENS_WORKERS=0, so the parts add up)');
  const bench = await analysisBenchProfile(benchConfig({ CHARTLENS_WORKERS: '0' }));
  const store = bench.services.analyze.store;
  // store.save's share: CPU (all threads) from its call to its answer; the loop is sequential, so nothing else runs meanwhile.
  let saveCpu = 0;
  const timedStore: AnalysisStore = Object.assign(Object.create(store) as AnalysisStore, {
    save: async (r: Parameters<AnalysisStore['save']>[0]) => {
      const c0 = cpuNow();
      await store.save(r);
      saveCpu += cpuNow() - c0;
    },
  });
  const deps = { ...bench.services.analyze, store: timedStore };
  const analyse = (body: Record<string, unknown>) => analyzeChart(deps, toAnalyzeCommand(body));
  for (const s of freshSlices(8)) await analyse(bodyOf(s)); // warm-up: JIT, fonts, the store
  const bodies = freshSlices(n).map((s) => bodyOf(s));
  saveCpu = 0;
  const usage0 = await store.usage?.();
  const miss = await timeEach(bodies, analyse);
  const usage1 = await store.usage?.();
  const savePerAnalysis = saveCpu / n;
  // The same charts again with other news: new analyses, the images and candles already stored.
  await timeEach(bodies, (b) => analyse({ ...b, news: [{ headline: 'a second look' }] }));
  const usage2 = await store.usage?.();
  const hits: Analysis[] = [];
  const hit = await timeEach(bodies, async (b) => hits.push(await analyse(b)));
  if (!hits.every((a) => a.provider.cached)) throw new Error('bench/throughput: a repeated request was not served from cache');
  // What a hit did before issue 12: the whole preparation (facts and chart) to make the key, then the lookup.
  const cmds = bodies.map((b) => toAnalyzeCommand(b));
  const storedKey = (await deps.store.get(hits[0].id))?.cacheKey ?? '';
  const oldHit = await timeEach(cmds, async (c) => {
    await prepareChart(deps.renderer, { candles: c.candles as Candle[], chart: c.chart, symbol: c.symbol, timeframe: c.timeframe });
    await deps.store.findByCacheKey(storedKey);
  });
  const parse = await timeEach(bodies, (b) => toAnalyzeCommand(b));
  const facts = await timeEach(cmds, (c) => chartFacts({ candles: c.candles as Candle[], chart: c.chart, symbol: c.symbol, timeframe: c.timeframe }));
  const prep = await timeEach(cmds, (c) => prepareChart(deps.renderer, { candles: c.candles as Candle[], chart: c.chart, symbol: c.symbol, timeframe: c.timeframe }));
  // Verification facts: the old detection every 5 bars against today's, on the same streams.
  const streams = cmds.map((c) => computeMarketStreams(c.candles as Candle[]));
  const t = BARS - 1;
  const from = t - 149;
  for (const s of streams) deepStrictEqual(verificationFactsFor(s, t, from), referenceVerificationFacts(s, t, from));
  const reps = Array.from({ length: 3 }, () => streams).flat();
  const verifyOld = await timeEach(reps, (s) => referenceVerificationFacts(s, t, from));
  const verifyNew = await timeEach(reps, (s) => verificationFactsFor(s, t, from));
  await bench.close();

  row('CPU per analysis, cache miss, in process (ms)', f(miss.cpuMs), '', '', verdict(miss.cpuMs <= GOALS.cpuMs, `<= ${GOALS.cpuMs}`));
  row('  of which parse + validate (ms)', f(parse.cpuMs));
  row('  of which facts: streams + verification facts (ms)', f(facts.cpuMs));
  row('  of which chart render (ms)', f(prep.cpuMs - facts.cpuMs));
  row('  of which store.save (ms)', f(savePerAnalysis));
  row('  the rest: prompt, rules, verify, policy (ms)', f(miss.cpuMs - prep.cpuMs - parse.cpuMs - savePerAnalysis));
  row('CPU per cache hit, in process (ms)', f(hit.cpuMs, 2), `miss ${f(miss.cpuMs)}`, `${f(miss.cpuMs / hit.cpuMs)}x less`);
  row('cache hit latency, in process, median (ms)', f(hit.wallMs, 2), `old hit path ${f(oldHit.wallMs)}`, `${f(oldHit.wallMs / hit.wallMs)}x faster`, verdict(hit.wallMs <= GOALS.hitMs, `<= ${GOALS.hitMs}`));
  if (usage0 && usage1 && usage2) {
    const kb = (bytes: number): number => bytes / 1024 / n;
    row('store KB per analysis, distinct charts', f(kb(usage1.bytes - usage0.bytes)), '', 'pg_total_relation_size(analyses + blobs)', verdict(kb(usage1.bytes - usage0.bytes) <= 40, '<= 40'));
    row('store KB per analysis, same chart again (other news)', f(kb(usage2.bytes - usage1.bytes)), '', `${usage2.blobs - usage1.blobs} new blobs`, verdict(kb(usage2.bytes - usage1.bytes) <= 40, '<= 40'));
  } else {
    row('store KB per analysis', 'n/a', '', 'this store reports no usage()');
  }
  row('verification facts, CPU per analysis (ms)', f(verifyNew.cpuMs, 2), `every 5 bars ${f(verifyOld.cpuMs, 2)}`, `${f(verifyOld.cpuMs / verifyNew.cpuMs)}x less; output identical`);
}

// ---------------------------------------------------------------------------------------------
// 2. Through HTTP (the server's app on 127.0.0.1, the client in this process).
if (!skip.has('http')) {
  const bench = await analysisBenchProfile(benchConfig());
  const { workers, admission } = bench.services.config as Config & { admission?: { maxInFlight: number; maxQueued: number } };
  console.log(`\n[2] through HTTP, local rules, the server's defaults (${workers} prepare workers${admission ? `, admission ${admission.maxInFlight} in flight + ${admission.maxQueued} queued` : ''}); the client runs in this process: its CPU is counted too`);
  const { url, server } = await listen(bench);
  for (const s of freshSlices(8)) await post(url, JSON.stringify(bodyOf(s)));
  const bodies = freshSlices(n).map((s) => JSON.stringify(bodyOf(s)));
  const miss = await timeEach(bodies, (b) => post(url, b));
  const cached: boolean[] = [];
  const hit = await timeEach(bodies, async (b) => cached.push((await post(url, b)).analysis?.provider.cached === true));
  if (!cached.every(Boolean)) throw new Error('bench/throughput: a repeated HTTP request was not served from cache');
  row('CPU per analysis, cache miss, HTTP (ms)', f(miss.cpuMs), '', '', verdict(miss.cpuMs <= GOALS.cpuMs, `<= ${GOALS.cpuMs}`));
  row('cache hit latency, HTTP, median (ms)', f(hit.wallMs, 2), `miss ${f(miss.wallMs)}`, `${f(miss.wallMs / hit.wallMs)}x faster`, verdict(hit.wallMs <= GOALS.hitMs, `<= ${GOALS.hitMs}`));
  const rates = new Map<number, number>();
  for (const c of [1, 8, 32]) {
    const queue = freshSlices(rpsRequests).map((s) => JSON.stringify(bodyOf(s)));
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: c }, async () => {
        for (let b = queue.pop(); b !== undefined; b = queue.pop()) if ((await post(url, b)).status !== 200) failed++;
      }),
    );
    const rps = (rpsRequests * 1000) / (performance.now() - t0);
    rates.set(c, rps);
    const base = rates.get(1) as number;
    row(`req/s at concurrency ${c}, HTTP, cache misses`, f(rps), c === 1 ? '' : `c1 ${f(base)}`, c === 1 ? '' : `${f(rps / base, 2)}x`, failed ? `${failed} failed` : '');
  }
  await closeServer(server);
  await bench.close();
}

// ---------------------------------------------------------------------------------------------
// 3. A burst against a slow model, and /healthz meanwhile.
if (!skip.has('burst')) {
  console.log(`\n[3] a burst of ${burstSize} through HTTP against a fake model answering in ${burstLatency} ms (child process)`);
  const fake = await fakeChild(burstLatency);
  const bench = await analysisBenchProfile(
    benchConfig({ CHARTLENS_ANALYZER: 'openai', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'bench', CHARTLENS_MODEL: MODEL, CHARTLENS_IMAGE_DETAIL: 'high', CHARTLENS_TIMEOUT_MS: '60000', CHARTLENS_DEADLINE_MS: '120000' }),
  );
  const { url, server } = await listen(bench);
  for (const s of freshSlices(4)) await post(url, JSON.stringify(bodyOf(s)));
  const probe = async (): Promise<number> => {
    const t0 = performance.now();
    await (await fetch(`${url}/healthz`)).arrayBuffer();
    return performance.now() - t0;
  };
  const idle: number[] = [];
  for (let i = 0; i < 100; i++) idle.push(await probe());
  const bodies = freshSlices(burstSize).map((s) => JSON.stringify(bodyOf(s)));
  const during: number[] = [];
  let done = false;
  const prober = (async () => {
    while (!done) {
      during.push(await probe());
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const cpu0 = cpuNow();
  const t0 = performance.now();
  const answers = await Promise.all(bodies.map((b) => post(url, b).catch(() => ({ status: 0, analysis: null }))));
  const wall = performance.now() - t0;
  const cpu = cpuNow() - cpu0;
  done = true;
  await prober;
  const ok = answers.filter((a) => a.status === 200 && a.analysis && !a.analysis.provider.degraded && a.analysis.provider.analyzer === 'openai').length;
  const statuses = new Map<number, number>();
  for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
  const byStatus = [...statuses].sort((x, y) => x[0] - y[0]).map(([code, count]) => `${count} x ${code || 'network error'}`).join(', ');
  console.log(`  statuses: ${byStatus}`);
  const p99 = quantile(during, 0.99);
  row(`burst of ${burstSize}, model ${burstLatency} ms: wall (s)`, f(wall / 1000, 2), `goal ${GOALS.burstS}`, `${ok}/${burstSize} answered by the model (${byStatus}); CPU ${f(cpu / burstSize)} ms each`, verdict(wall / 1000 <= GOALS.burstS, `<= ${GOALS.burstS}`));
  row('/healthz p99 during the burst (ms)', f(p99), `idle ${f(quantile(idle, 0.99))}`, `${during.length} probes, max ${f(Math.max(...during))}`, verdict(p99 <= GOALS.healthzP99Ms, `<= ${GOALS.healthzP99Ms}`));
  await closeServer(server);
  await bench.close();
  fake.child.kill('SIGTERM');
}

// ---------------------------------------------------------------------------------------------
// 4. Batch scoring: concurrency 1 against 32, the way bench/batch.ts does it (prepare workers on).
if (!skip.has('batch')) {
  console.log(`\n[4] batch: ${batchInputs} inputs scored in process against a fake model answering in ${batchLatency} ms (child process)`);
  const fake = await fakeChild(batchLatency);
  const work = mkdtempSync(join(tmpdir(), 'chartlens-throughput-'));
  const dir = join(work, 'inputs');
  mkdirSync(dir);
  freshSlices(batchInputs).forEach((s, i) => {
    const csv = ['time,open,high,low,close,volume', ...s.map((c) => `${day(c.time)},${c.open},${c.high},${c.low},${c.close},${c.volume ?? ''}`)].join('\n');
    writeFileSync(join(dir, `input-${String(i).padStart(4, '0')}.csv`), `${csv}\n`);
  });
  const pool = createPreparePool(availableParallelism());
  const walls = new Map<number, number>();
  for (const c of [1, 32]) {
    const batch = await openBenchBatch({
      config: benchConfig({ CHARTLENS_ANALYZER: 'openai', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'bench', CHARTLENS_MODEL: MODEL, CHARTLENS_IMAGE_DETAIL: 'high' }),
      dir,
      out: join(work, `results-c${c}.jsonl`),
      analyzer: 'openai',
      model: MODEL,
      preparer: pool,
    });
    const t0 = performance.now();
    const run = await scoreFolder(batch.target, { source: batch.source, concurrency: c, budgetUsd: null, results: batch.results });
    walls.set(c, performance.now() - t0);
    await batch.close();
    const bad = run.lines.filter((l) => !l.ok || l.analysis?.provider.degraded || l.analysis?.provider.cached).length;
    if (bad) throw new Error(`bench/throughput: batch at concurrency ${c}: ${bad} inputs not answered fresh by the model`);
  }
  await pool.close();
  rmSync(work, { recursive: true, force: true });
  fake.child.kill('SIGTERM');
  const c1 = walls.get(1) as number;
  const c32 = walls.get(32) as number;
  row(`batch wall at concurrency 32 (s)`, f(c32 / 1000, 2), `c1 ${f(c1 / 1000, 2)} s`, `speed-up ${f(c1 / c32)}x`, verdict(c1 / c32 >= GOALS.batchSpeedup, `>= ${GOALS.batchSpeedup}x`));
}

// ---------------------------------------------------------------------------------------------
console.log(`\nload average at end: ${load()}\n`);
const head: Row = { line: 'line', value: 'figure', baseline: 'baseline (same run)', ratio: 'ratio / note', goal: 'goal' };
const widths = (Object.keys(head) as (keyof Row)[]).map((k) => Math.max(head[k].length, ...rows.map((r) => r[k].length)));
const fmt = (r: Row): string => `| ${(Object.keys(head) as (keyof Row)[]).map((k, i) => r[k].padEnd(widths[i])).join(' | ')} |`;
console.log(fmt(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(fmt(r));
process.exit(0);

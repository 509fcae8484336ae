/**
 * Batch scoring benchmark: N OHLCV CSV inputs (each a different 150-bar slice of
 * samples/sp500.csv, so no two are identical and the analysis cache never hits) scored with
 * scoreFolder() through inProcessTarget() and the openai analyzer, against the fake
 * OpenAI-compatible server answering every call after a fixed latency. Timed at concurrency 1 and
 * at concurrency 32 (or any list); prints wall time, inputs/s, the speedup and the goal (25x).
 *
 *   node bench/batch.ts [--inputs=1000] [--concurrency=1,32] [--latency=200]
 *                                    [--warmup=8] [--server=inproc|child] [--store=memory|disk]
 *                                    [--workers=N] [--stages] [--profile=FILE.cpuprofile]
 *
 * --server=child runs the fake server in a separate Node process, so its CPU (reading each ~60 KB
 * JSON request with a base64 PNG) is not charged to chartlens; the default runs it in this process.
 * --store=disk uses PGlite in a temporary directory (what the CLI does) instead of :memory:.
 * --stages wraps the renderer, store and analyzer to report where each input's wall time goes.
 * --profile CPU-profiles the main thread during the run at the highest concurrency only (V8
 * sampling profiler through node:inspector), writes the .cpuprofile and prints self time by
 * function (top 20) and by area (package or source folder).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openBenchBatch } from '../src/composition/bench.ts';
import { loadConfig } from '../src/composition/config.ts';
import { createPreparePool } from '../src/composition/root.ts';
import type { AnalysisStore } from '../src/ports/analysis-store.ts';
import type { Analyzer } from '../src/ports/analyzer.ts';
import type { ChartRenderer } from '../src/ports/chart-renderer.ts';
import type { ScoreTarget } from '../src/ports/score-target.ts';
import type { AnalyzeDeps } from '../src/use-cases/analyze-chart.ts';
import { type ScoreRun, scoreFolder } from '../src/use-cases/score-folder.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../testing/fake-openai.ts';
import { plainHold } from '../testing/model-replies.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const BARS = 150;
const GOAL = 25;
const MODEL = 'gpt-4o-mini';
/** Fixed usage per reply: 1000 prompt tokens + 255 for the image, 200 completion tokens. */
const USAGE = { prompt_tokens: 1255, completion_tokens: 200 };

function option(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

function fail(message: string): never {
  console.error(`bench/batch: ${message}`);
  process.exit(2);
}

function intOption(name: string, fallback: number, min: number): number {
  const raw = option(name);
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number >= ${min} (got ${raw})`);
  return n;
}

function choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const raw = option(name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) fail(`--${name} must be one of ${allowed.join(', ')} (got ${raw})`);
  return raw as T;
}

const latencyMs = intOption('latency', 200, 0);

// ---------------------------------------------------------------------------------------------
// Child mode: only serve the fake model, print its URL, run until killed.
if (process.argv.includes('--serve-fake')) {
  const fake = await startFakeOpenAI({ latencyMs });
  fake.setFallback({ kind: 'json', body: plainHold(), usage: USAGE });
  setInterval(() => (fake.requests.length = 0), 5000); // keep memory flat on long runs
  process.stdout.write(`${fake.url}\n`);
  await new Promise(() => {});
}

const inputs = intOption('inputs', 1000, 1);
const warmup = intOption('warmup', 8, 0);
const concurrencies = (option('concurrency') ?? '1,32').split(',').map((s) => {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 1) fail(`--concurrency takes whole numbers >= 1, comma-separated (got ${s})`);
  return n;
});
const serverMode = choice('server', ['inproc', 'child'] as const, 'inproc');
const storeMode = choice('store', ['memory', 'disk'] as const, 'memory');
const withStages = process.argv.includes('--stages');
/** Worker threads for facts and rendering (what `chartlens score` uses by default); 0 = main thread. */
const workers = intOption('workers', availableParallelism(), 0);
const pool = workers > 0 ? createPreparePool(workers) : undefined;
const profileFile = option('profile');
const profiledConcurrency = Math.max(...concurrencies);

// ---------------------------------------------------------------------------------------------
// Inputs: N distinct 150-bar slices of the S&P 500 file, one CSV each.
const csvLines = readFileSync(join(root, 'samples/sp500.csv'), 'utf8').trimEnd().split(/\r?\n/);
const header = csvLines[0];
const rows = csvLines.slice(1);
const distinctSlices = rows.length - BARS + 1;
if (inputs + warmup > distinctSlices) fail(`at most ${distinctSlices - warmup} inputs (distinct ${BARS}-bar slices of samples/sp500.csv)`);

const work = mkdtempSync(join(tmpdir(), 'chartlens-batch-'));
/** Write `count` inputs, slices `offset`..`offset + count - 1` of `total` spread evenly over the file; returns the folder. */
function makeFolder(name: string, count: number, offset: number, total: number): string {
  const dir = join(work, name);
  mkdirSync(dir);
  const stride = (distinctSlices - 1) / Math.max(1, total - 1);
  const width = String(total).length;
  for (let i = 0; i < count; i++) {
    const start = Math.round((offset + i) * stride);
    writeFileSync(join(dir, `input-${String(i).padStart(width, '0')}.csv`), `${[header, ...rows.slice(start, start + BARS)].join('\n')}\n`);
  }
  return dir;
}
// Warm-up inputs take the last slices of the same spread, so they never repeat a timed one.
const inputDir = makeFolder('inputs', inputs, 0, inputs + warmup);
const warmupDir = warmup > 0 ? makeFolder('warmup', warmup, inputs, inputs + warmup) : '';

// ---------------------------------------------------------------------------------------------
// The fake model server.
let fake: FakeOpenAI | undefined;
let child: ChildProcess | undefined;
let fakeUrl: string;
if (serverMode === 'inproc') {
  fake = await startFakeOpenAI({ latencyMs });
  fake.setFallback({ kind: 'json', body: plainHold(), usage: USAGE });
  fakeUrl = fake.url;
} else {
  child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve-fake', `--latency=${latencyMs}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  fakeUrl = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child?.stdout?.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    child?.once('exit', (code) => reject(new Error(`the fake server process exited with ${code}`)));
  });
}

// ---------------------------------------------------------------------------------------------
// Stage timers (--stages): wall ms spent in each dependency, summed over a run.
type StageName = 'render' | 'store.findByCacheKey' | 'store.save' | 'openai.analyze' | 'target.analyze' | 'loop lag';
const stageTotals = new Map<StageName, number>();
const addStage = (name: StageName, ms: number): void => void stageTotals.set(name, (stageTotals.get(name) ?? 0) + ms);
async function timed<T>(name: StageName, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    addStage(name, performance.now() - t0);
  }
}

/** Stage timers on the renderer and the store (--stages). */
function instrument(deps: AnalyzeDeps): AnalyzeDeps {
  const r = deps.renderer;
  const renderer: ChartRenderer = Object.assign(Object.create(r) as ChartRenderer, { render: (req: Parameters<ChartRenderer['render']>[0]) => timed('render', () => r.render(req)) });
  const s = deps.store;
  const store: AnalysisStore = Object.assign(Object.create(s) as AnalysisStore, {
    findByCacheKey: (k: string) => timed('store.findByCacheKey', () => s.findByCacheKey(k)),
    save: (rec: Parameters<AnalysisStore['save']>[0]) => timed('store.save', () => s.save(rec)),
  });
  return { ...deps, renderer, store };
}

/** A stage timer on the model analyzer (--stages); the local rules are left alone. */
function instrumentAnalyzer(a: Analyzer): Analyzer {
  if (a.kind === 'rules') return a;
  return { id: a.id, kind: a.kind, modelFor: (i) => a.modelFor(i), analyze: (i) => timed('openai.analyze', () => a.analyze(i)) };
}

// ---------------------------------------------------------------------------------------------
// One run: fresh store, renderer, analyzer and results file; time scoreFolder end to end.
interface RunResult {
  concurrency: number;
  wallMs: number;
  cpuMs: number;
  /** Main-thread busy time (event loop utilisation x wall). */
  mainMs: number;
  elu: number;
  run: ScoreRun;
  resultLines: number;
  stages: Map<StageName, number>;
  lagP99Ms: number;
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
const profiles: { concurrency: number; profile: CpuProfile; inputs: number }[] = [];

/** Where a profile frame's code lives: a package, a source folder, WASM, Node internals or V8. */
function areaOf(url: string): string {
  if (url.startsWith('wasm://')) return 'WASM (PGlite)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node: internals';
  const local = url.indexOf(root);
  const rel = local >= 0 ? url.slice(local + root.length + 1) : url.replace(/^file:\/\//, '');
  const parts = rel.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts.slice(0, -1).join('/') || rel;
}

/** Steps whose inclusive time is worth a line: [label, function name, file name fragment]. */
const STEPS: [string, string, string][] = [
  ['analyzeChart (whole use case, minus store awaits)', 'analyzeChart', 'analyze-chart'],
  ['  renderer.render (Chart.js + Cairo + BGRA + sharp)', 'render', 'renderers/chartjs'],
  ['    drawRaw (Chart.js update + Cairo raster)', 'drawRaw', 'renderers/chartjs'],
  ['    bgraToRgbaInPlace', 'bgraToRgbaInPlace', 'renderers/chartjs'],
  ['  computeMarketStreams (TA-Lib, pivots)', 'computeMarketStreams', 'market/facts'],
  ['    detectCandlestickPatterns (61 TA-Lib calls)', 'detectCandlestickPatterns', 'market/candlestick-patterns'],
  ['  verificationFactsFor', 'verificationFactsFor', 'analysis/verification-facts'],
  ['toAnalyzeCommand (zod, CSV parse)', 'toAnalyzeCommand', 'use-cases/analyze-request'],
  ['OpenAIAnalyzer.analyze (sync part: SDK, base64)', 'analyze', 'analyzers/openai-analyzer'],
  ['PgAnalysisStore.save (sync part: JSON, hex)', 'save', 'store/pg-store'],
  ['ResultsFile.append (writeSync)', 'append', 'files/results-file'],
  ['fake server request handling', 'handle', 'testing/fake-openai'],
];

function printProfile(p: CpuProfile, inputs: number, concurrency: number): void {
  // Self time from the sample stream: each sample owns the delta to the next one.
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: CpuProfileNode): string => {
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url.slice(url.lastIndexOf('/') + 1);
    return `${functionName || '(anonymous)'} ${file}${lineNumber > 0 ? `:${lineNumber + 1}` : ''}`;
  };
  const totalUs = p.endTime - p.startTime;
  const byFn = new Map<string, { us: number; area: string }>();
  const byArea = new Map<string, number>();
  for (const n of p.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (!us) continue;
    let key: string;
    let area: string;
    const fn = n.callFrame.functionName;
    if (n.callFrame.url) {
      key = label(n);
      area = areaOf(n.callFrame.url);
    } else if (fn.startsWith('(')) {
      key = fn; // (idle), (program), (garbage collector)
      area = fn;
    } else {
      // Native code (an addon's C++: Cairo, TA-Lib, sharp; or a V8 builtin): charge it to its JS caller.
      let a = parent.get(n.id);
      while (a !== undefined && !byId.get(a)?.callFrame.url) a = parent.get(a);
      const caller = a === undefined ? undefined : byId.get(a);
      key = caller ? `native, called by ${label(caller)}` : `native ${fn || '(anonymous)'}`;
      area = caller ? `${areaOf(caller.callFrame.url)} (native)` : '(native)';
    }
    const e = byFn.get(key) ?? { us: 0, area };
    e.us += us;
    byFn.set(key, e);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  // Inclusive time of the listed steps (each sample counted once per step, even under recursion).
  const stepUs = new Map<string, number>();
  const walk = (id: number, active: Set<string>): void => {
    const n = byId.get(id) as CpuProfileNode;
    const here = new Set(active);
    for (const [lbl, fn, file] of STEPS) if (n.callFrame.functionName === fn && n.callFrame.url.includes(file)) here.add(lbl);
    const us = selfUs.get(id) ?? 0;
    if (us) for (const lbl of here) stepUs.set(lbl, (stepUs.get(lbl) ?? 0) + us);
    for (const c of n.children ?? []) walk(c, here);
  };
  walk(p.nodes[0].id, new Set());

  const pct = (us: number): string => `${((100 * us) / totalUs).toFixed(1)}%`.padStart(6);
  const per = (us: number): string => (us / 1000 / inputs).toFixed(2).padStart(8);
  console.log(`\nMain-thread CPU profile at concurrency ${concurrency}: ${(totalUs / 1e6).toFixed(2)} s sampled; ms/input = time / ${inputs} inputs`);
  const top = [...byFn.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, 20);
  const w = Math.min(80, Math.max(...top.map(([k]) => k.length)));
  console.log(`  ${'self time: function'.padEnd(w)}    share  ms/input  area`);
  for (const [k, v] of top) console.log(`  ${k.slice(0, w).padEnd(w)}  ${pct(v.us)}  ${per(v.us)}  ${v.area}`);
  console.log(`\n  ${'self time: area'.padEnd(40)}    share  ms/input`);
  for (const [a, us] of [...byArea.entries()].sort((x, y) => y[1] - x[1]).slice(0, 16)) console.log(`  ${a.padEnd(40)}  ${pct(us)}  ${per(us)}`);
  console.log(`\n  ${'inclusive time: step'.padEnd(52)}    share  ms/input`);
  for (const [lbl] of STEPS) console.log(`  ${lbl.padEnd(52)}  ${pct(stepUs.get(lbl) ?? 0)}  ${per(stepUs.get(lbl) ?? 0)}`);
  const wasm = [...byArea.entries()].filter(([a]) => a.startsWith('WASM') || a.startsWith('@electric-sql/pglite')).reduce((t, [, us]) => t + us, 0);
  console.log(`  ${'PGlite (WASM + its JS glue, self)'.padEnd(52)}  ${pct(wasm)}  ${per(wasm)}`);
}

/** The config a `chartlens score DIR --analyzer openai` run would read, pointed at the fake model. */
function benchConfig(dataDir: string): ReturnType<typeof loadConfig> {
  return loadConfig({
    CHARTLENS_DATA_DIR: dataDir,
    CHARTLENS_LOG: 'silent',
    CHARTLENS_ANALYZER: 'openai',
    OPENAI_BASE_URL: fakeUrl,
    OPENAI_API_KEY: 'bench',
    CHARTLENS_MODEL: MODEL,
    CHARTLENS_IMAGE_DETAIL: 'high',
    CHARTLENS_TIMEOUT_MS: '30000',
    CHARTLENS_MAX_RETRIES: '2',
    CHARTLENS_MAX_OUTPUT_TOKENS: '2000',
    CHARTLENS_DEADLINE_MS: '60000',
  });
}

async function scoreOnce(dir: string, concurrency: number, label: string): Promise<RunResult> {
  // A fresh store, renderer, analyzer and results file per run, all from the composition root.
  const dataDir = storeMode === 'memory' ? ':memory:' : mkdtempSync(join(work, 'store-'));
  const resultsPath = join(work, `results-${label}.jsonl`);
  const batch = await openBenchBatch({
    config: benchConfig(dataDir),
    dir,
    out: resultsPath,
    analyzer: 'openai',
    model: MODEL,
    preparer: pool,
    wrapAnalyzer: withStages ? instrumentAnalyzer : undefined,
    wrapDeps: withStages ? instrument : undefined,
  });
  const inner = batch.target;
  const target: ScoreTarget = withStages ? { analyze: (input) => timed('target.analyze', () => inner.analyze(input)) } : inner;
  stageTotals.clear();

  // Event-loop lag sampler: how late a 10 ms timer fires while the batch runs.
  const lags: number[] = [];
  let expected = performance.now() + 10;
  const sampler = setInterval(() => {
    const t = performance.now();
    lags.push(Math.max(0, t - expected));
    expected = t + 10;
  }, 10);

  const profiling = profileFile !== undefined && concurrency === profiledConcurrency && label !== 'warmup';
  const session = profiling ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let run: ScoreRun;
  try {
    run = await scoreFolder(target, { source: batch.source, concurrency, budgetUsd: null, results: batch.results });
  } catch (err) {
    await batch.close();
    throw err;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  clearInterval(sampler);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(profileFile as string, JSON.stringify(profile));
    profiles.push({ concurrency, profile: profile as CpuProfile, inputs: run.lines.length });
  }
  await batch.close(); // the results file, store and renderer (the shared pool stays up)
  if (dataDir !== ':memory:') rmSync(dataDir, { recursive: true, force: true });

  const resultLines = readFileSync(resultsPath, 'utf8').split('\n').filter(Boolean).length;
  lags.sort((a, b) => a - b);
  return {
    concurrency,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainMs: elu.active,
    elu: elu.utilization,
    run,
    resultLines,
    stages: new Map(stageTotals),
    lagP99Ms: lags.length ? lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))] : 0,
  };
}

/** Every input must have an ok line from the model: not degraded to the rules, not a cache hit. */
function check(r: RunResult, n: number): string[] {
  const problems: string[] = [];
  const bad = r.run.lines.filter((l) => !l.ok || l.analysis?.provider.analyzer !== 'openai' || l.analysis.provider.degraded || l.analysis.provider.cached);
  if (r.run.lines.length !== n) problems.push(`${r.run.lines.length} result lines for ${n} inputs`);
  if (r.resultLines !== n) problems.push(`the results file has ${r.resultLines} lines for ${n} inputs`);
  if (r.run.resumed) problems.push(`${r.run.resumed} inputs were skipped as already done`);
  for (const l of bad.slice(0, 3)) {
    const why = l.ok ? `analyzer ${l.analysis?.provider.analyzer}, degraded ${l.analysis?.provider.degraded} (${l.analysis?.provider.degradedReason}), cached ${l.analysis?.provider.cached}` : `${l.error?.code}: ${l.error?.message}`;
    problems.push(`${l.file}: ${why}`);
  }
  if (bad.length > 3) problems.push(`... and ${bad.length - 3} more`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
console.log(
  `chartlens batch bench: ${inputs} OHLCV inputs (distinct ${BARS}-bar slices of samples/sp500.csv), ` +
    `openai analyzer (${MODEL}) against the fake server with ${latencyMs} ms latency (${serverMode === 'inproc' ? 'in this process' : 'child process'}), ` +
    `PGlite ${storeMode === 'memory' ? ':memory:' : 'in a temp dir'}, ${workers ? `${workers} prepare worker thread(s)` : 'facts and charts on the main thread'}; node ${process.version}, ${cpus().length} CPUs`,
);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`load average at start: ${load()} (other processes on a shared machine slow every line below)`);

if (warmup > 0) {
  const w = await scoreOnce(warmupDir, Math.min(4, warmup), 'warmup');
  const problems = check(w, warmup);
  if (problems.length) fail(`warm-up failed:\n  ${problems.join('\n  ')}`);
  console.log(`warm-up: ${warmup} inputs (not timed) in ${(w.wallMs / 1000).toFixed(2)} s`);
}

const results: RunResult[] = [];
for (const c of concurrencies) {
  const r = await scoreOnce(inputDir, c, `c${c}`);
  const problems = check(r, inputs);
  if (problems.length) fail(`concurrency ${c}: not every input got an ok line from the model:\n  ${problems.join('\n  ')}`);
  results.push(r);
  console.log(
    `concurrency ${String(c).padStart(3)}: ${(r.wallMs / 1000).toFixed(2)} s, all ${inputs} ok ` +
      `(cpu ${(r.cpuMs / inputs).toFixed(1)} ms/input, main thread busy ${(100 * r.elu).toFixed(0)}%)`,
  );
}

console.log(`load average at end: ${load()}`);
if (fake) await fake.close();
child?.kill('SIGTERM');
rmSync(work, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
const s = (ms: number): string => (ms / 1000).toFixed(2).padStart(8);
const f1 = (v: number, w = 7): string => v.toFixed(1).padStart(w);
console.log(`\nBatch scoring, ${inputs} inputs, model latency ${latencyMs} ms`);
console.log('  concurrency    wall s   inputs/s   cpu ms/input   main-thread ms/input   main busy   loop lag p99 ms   floor s');
for (const r of results) {
  const floor = (inputs * latencyMs) / r.concurrency;
  console.log(
    `  ${String(r.concurrency).padStart(11)}  ${s(r.wallMs)}  ${f1((inputs * 1000) / r.wallMs, 9)}  ${f1(r.cpuMs / inputs, 13)}  ${f1(r.mainMs / inputs, 21)}` +
      `  ${`${(100 * r.elu).toFixed(0)}%`.padStart(10)}  ${f1(r.lagP99Ms, 16)}  ${s(floor)}`,
  );
}

if (withStages) {
  console.log('\nWall ms per input inside each dependency (sum / inputs; overlapping at concurrency > 1)');
  const names: StageName[] = ['target.analyze', 'render', 'store.findByCacheKey', 'openai.analyze', 'store.save'];
  console.log(`  ${'stage'.padEnd(22)}${results.map((r) => `c${r.concurrency}`.padStart(10)).join('')}`);
  for (const name of names) console.log(`  ${name.padEnd(22)}${results.map((r) => f1((r.stages.get(name) ?? 0) / inputs, 10)).join('')}`);
  const rest = (r: RunResult): number =>
    ((r.stages.get('target.analyze') ?? 0) - (['render', 'store.findByCacheKey', 'openai.analyze', 'store.save'] as StageName[]).reduce((a, n) => a + (r.stages.get(n) ?? 0), 0)) / inputs;
  console.log(`  ${'rest (parse, facts,'.padEnd(22)}${results.map((r) => f1(rest(r), 10)).join('')}`);
  console.log(`  ${' prompt, verify)'.padEnd(22)}`);
}

for (const p of profiles) printProfile(p.profile, p.inputs, p.concurrency);
if (profileFile) console.log(`\nprofile written to ${profileFile} (open in Chrome DevTools > Performance, or speedscope)`);

const c1 = results.find((r) => r.concurrency === 1);
const cMax = results.reduce((a, b) => (b.concurrency > a.concurrency ? b : a), results[0]);
if (c1 && cMax && cMax !== c1) {
  const speedup = c1.wallMs / cMax.wallMs;
  const c = c1.cpuMs / inputs; // CPU per input, measured without contention
  const cMain = c1.mainMs / inputs;
  const cores = cpus().length;
  const capCpu = (latencyMs + c) / Math.max((latencyMs + c) / cMax.concurrency, c / cores);
  const capMain = (latencyMs + c) / Math.max((latencyMs + c) / cMax.concurrency, cMain);
  console.log(
    `\nSpeedup (wall c1 / wall c${cMax.concurrency}): ${speedup.toFixed(1)}x, goal >= ${GOAL}x: ${speedup >= GOAL ? 'PASS' : 'BELOW'}`,
  );
  console.log(
    `Theoretical floor at c${cMax.concurrency}: ${inputs} x ${latencyMs} ms / ${cMax.concurrency} = ${((inputs * latencyMs) / cMax.concurrency / 1000).toFixed(2)} s ` +
      `(ideal speedup ${cMax.concurrency}x if CPU were free)`,
  );
  console.log(
    `CPU per input (c1): ${c.toFixed(1)} ms all threads, ${cMain.toFixed(1)} ms on the main thread. ` +
      `Cap on ${cores} cores: (${latencyMs} + c) / max((${latencyMs} + c)/${cMax.concurrency}, c/${cores}) = ${capCpu.toFixed(1)}x; ` +
      `with main-thread work unable to spread: (${latencyMs} + c) / max(..., c_main) = ${capMain.toFixed(1)}x`,
  );
  const busyS = cMax.mainMs / 1000;
  console.log(
    `At c${cMax.concurrency} the main thread was busy ${busyS.toFixed(2)} s of the ${(cMax.wallMs / 1000).toFixed(2)} s wall ` +
      `(${(cMax.mainMs / inputs).toFixed(1)} ms/input): ${cMax.elu >= 0.8 ? 'the run is bound by the one JS thread, not by waiting on the model' : 'the main thread had slack: look for waiting (locks, queues, connection limits)'}.`,
  );
}
await pool?.close();
process.exit(0);

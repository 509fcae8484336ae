/**
 * A few runs of the real executable, bin/chartlens.mjs, in a child process: what the in-process
 * tests cannot see (the exit code Node exits with, the bin wrapper, what gets loaded at start).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SAMPLE_CSV_PATH } from '../helpers/sample-data.ts';

const BIN = fileURLToPath(new URL('../../bin/chartlens.mjs', import.meta.url));
const MAIN_URL = new URL('../../src/entry/cli/main.ts', import.meta.url).href;
const PKG = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const work = mkdtempSync(join(tmpdir(), 'chartlens-cli-smoke-'));
after(() => rmSync(work, { recursive: true, force: true }));

function chartlens(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, CHARTLENS_DATA_DIR: join(work, 'data'), CHARTLENS_LOG: 'silent' },
  });
}

/** The modules a command line loads, recorded by a resolve hook in a fresh process. */
function modulesLoadedBy(argv: string[]): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
    const { run } = await import(${JSON.stringify(MAIN_URL)});
    const sink = { write() { return true; } };
    const code = await run(${JSON.stringify(argv)}, { stdout: sink, stderr: sink, env: {} });
    process.stdout.write(JSON.stringify({ code, seen }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const { code, seen } = JSON.parse(r.stdout) as { code: number; seen: string[] };
  assert.equal(code, 0);
  return seen;
}

describe('bin/chartlens.mjs (spawned)', () => {
  test('when run with --version, then it prints the package.json version and exits 0', () => {
    const r = chartlens('--version');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${PKG.version}\n`);
  });

  test('when a command is mistyped, then the process exits 64 with the suggestion on stderr', () => {
    const r = chartlens('scroe');
    assert.equal(r.status, 64);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^chartlens: unknown command "scroe"; did you mean "score"\?\n/);
  });

  test('when a missing file is given, then the process exits 1 with one plain line, no stack', () => {
    const r = chartlens('facts', '--csv', join(work, 'gone.csv'));
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `chartlens: cannot read ${join(work, 'gone.csv')}: no such file\n`);
  });

  test('when a chart is rendered, then a PNG is written and the process exits 0', () => {
    const out = join(work, 'chart.png');
    const r = chartlens('render', '--csv', SAMPLE_CSV_PATH, '--last', '120', '--symbol', 'SPX', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^wrote .*chart\.png \(1024x512, \d+ bytes\)\n$/);
    assert.deepEqual([...readFileSync(out).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  test('when help or --version is asked for, then no package and none of composition, adapters, use cases or command modules is loaded', () => {
    for (const argv of [['--version'], ['help'], []]) {
      const seen = modulesLoadedBy(argv);
      assert.ok(seen.some((u) => u.endsWith('/src/entry/cli/main.ts')), 'the hook saw the dispatcher');
      const heavy = seen.filter((u) => /node_modules|\/src\/(composition|adapters|use-cases)\/|\/renderers\/|\/src\/entry\/cli\/commands\/(?!help\.ts)/.test(u));
      assert.deepEqual(heavy, [], `${argv.join(' ') || '(no arguments)'} loads only the dispatcher`);
    }
  });

  test('when a command module is loaded for its help, then its heavy dependencies are still not', () => {
    const seen = modulesLoadedBy(['score', '--help']);
    assert.ok(seen.some((u) => u.endsWith('/commands/score.ts')));
    assert.deepEqual(seen.filter((u) => /@electric-sql|canvas|talib|openai|sharp|\/src\/composition\//.test(u)), []);
  });
});

#!/usr/bin/env node
// Runs every tests/**/*.test.ts file with Node's test runner. Node 24 runs the TypeScript itself
// (type stripping), so there is no loader hook. `npm test -- golden api` runs the files whose path
// contains one of the words.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : find(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`run-tests: Node ${process.version} is too old; run through npm (npm test) so Node 24 from node_modules is used`);
  process.exit(1);
}
const filter = process.argv.slice(2);
// The whole suite (no filter) starts with the type check and the lint, whose import-direction rules
// are the architecture's boundary check: `npm test` is then everything CI must see fail.
if (filter.length === 0) {
  for (const [what, args] of [
    ['type check', ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json']],
    ['lint', ['node_modules/eslint/bin/eslint.js', '.']],
  ]) {
    console.log(`run-tests: ${what}`);
    const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`run-tests: the ${what} failed`);
      process.exit(r.status ?? 1);
    }
  }
}
const files = find('tests')
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
// Most files wait on sockets, child processes and timers rather than the CPU, so two machines'
// worth of files run at once; CHARTLENS_TEST_CONCURRENCY overrides it.
const concurrency = process.env.CHARTLENS_TEST_CONCURRENCY ?? '3';
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, CHARTLENS_LOG: process.env.CHARTLENS_LOG ?? 'silent' },
});
process.exit(result.status ?? 1);

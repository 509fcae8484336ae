/**
 * The server's process-level handlers: an unhandled rejection or an uncaught exception is logged,
 * then the process exits non-zero so a supervisor restarts it (a child process per case).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

const SERVER = new URL('../../src/composition/server.ts', import.meta.url).href;

function runWithHandlers(body: string): { status: number | null; stderr: string } {
  const script = `import { exitOnFatalErrors } from ${JSON.stringify(SERVER)};\nexitOnFatalErrors((m) => console.error(m));\n${body}\nsetTimeout(() => process.exit(0), 2000);\n`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('process-level fatal error handlers', () => {
  test('when a promise rejects with nobody to catch it, then the reason is logged and the process exits 1', () => {
    const r = runWithHandlers("void Promise.reject(new Error('lost promise'));");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /fatal: unhandled rejection: Error: lost promise/);
  });

  test('when an exception escapes a callback, then it is logged and the process exits 1', () => {
    const r = runWithHandlers("setTimeout(() => { throw new TypeError('escaped'); }, 10);");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /fatal: uncaught exception: TypeError: escaped/);
  });

  test('when nothing goes wrong, then the handlers change nothing', () => {
    const r = runWithHandlers('');
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
  });
});

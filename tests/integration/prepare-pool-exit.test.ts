import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the prepare pool and process exit', () => {
  it('when a process used the pool (text drawn on a worker) and exits, then it exits cleanly, not with a crash', () => {
    // In a child process: the failure this guards against is a segfault at exit.
    const r = spawnSync(process.execPath, ['tests/fixtures/pool-exit.mts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /png true/);
  });
});

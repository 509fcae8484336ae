import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/chartlens.mjs', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../samples/sp500.csv', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'chartlens-bt-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, 'backtest', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CHARTLENS_DATA_DIR: join(work, 'data'), CHARTLENS_LOG: 'silent', DATABASE_URL: '' },
  });
}

describe('chartlens backtest (the real CLI)', () => {
  it('when a date range is replayed, then it prints the metrics table and writes the four files', () => {
    const out = join(work, 'report');
    const r = run(['--csv', SAMPLE, '--from', '2019-06-01', '--to', '2019-12-31', '--step', '10', '--symbol', 'SPX', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^period 2019-06-03 to /m);
    assert.match(r.stdout, /^strategy +-?\d/m);
    assert.match(r.stdout, /^buy and hold +-?\d/m);
    for (const f of ['decisions.csv', 'metrics.json', 'equity.png', 'report.html']) assert.ok(existsSync(join(out, f)), f);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.deepEqual(metrics.params, { window: 150, horizon: 5, step: 10, costBps: 10 });
    assert.equal(metrics.period.from, '2019-06-03');
  });

  it('when an option is wrong, then exit 64 with the usage, and nothing is written', () => {
    const out = join(work, 'bad');
    const r = run(['--csv', SAMPLE, '--from', 'yesterday', '--out', out]);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /--from must be a date/);
    assert.ok(!existsSync(out));
    assert.equal(run(['--csv', SAMPLE, '--horizon', '0']).status, 64);
    assert.equal(run([]).status, 64);
  });
});

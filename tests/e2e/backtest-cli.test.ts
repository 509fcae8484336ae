/** `chartlens backtest`, run in this process through the CLI's `run` (the same code path as the executable). */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCaptured } from '../../src/entry/cli/run-captured.ts';
import { SAMPLE_CSV_PATH } from '../helpers/sample-data.ts';

const SLOW = { timeout: 120_000 };
const work = mkdtempSync(join(tmpdir(), 'chartlens-bt-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** No OpenAI and no database URL from the outer shell: only what the test sets. */
const backtest = (args: string[]) => runCaptured(['backtest', ...args], { CHARTLENS_DATA_DIR: ':memory:', CHARTLENS_LOG: 'silent' });

describe('chartlens backtest', () => {
  it('when a date range is replayed, then it prints the metrics table and writes the four files', SLOW, async () => {
    const out = join(work, 'report');
    const r = await backtest(['--csv', SAMPLE_CSV_PATH, '--from', '2019-06-01', '--to', '2019-12-31', '--step', '10', '--symbol', 'SPX', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^period 2019-06-03 to /m);
    assert.match(r.stdout, /^strategy +-?\d/m);
    assert.match(r.stdout, /^buy and hold +-?\d/m);
    assert.match(r.stdout, /^spend \$0\.0000, \d+ cached, 0 degraded$/m);
    for (const f of ['decisions.csv', 'metrics.json', 'equity.png', 'report.html']) {
      assert.ok(existsSync(join(out, f)), f);
      assert.match(r.stdout, new RegExp(`^wrote .*${f.replace('.', '\\.')}$`, 'm'));
    }
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { params: unknown; period: { from: string } };
    assert.deepEqual(metrics.params, { window: 150, horizon: 5, step: 10, costBps: 10 });
    assert.equal(metrics.period.from, '2019-06-03');
    assert.doesNotMatch(r.stderr, /warning/);
  });

  it('when the analyzer is openai and no model is configured, then the decisions are degraded and stderr warns of it', SLOW, async () => {
    const out = join(work, 'degraded');
    const r = await backtest(['--csv', SAMPLE_CSV_PATH, '--from', '2020-03-01', '--step', '10', '--analyzer', 'openai', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const degraded = Number(/, (\d+) degraded$/m.exec(r.stdout)?.[1]);
    assert.ok(degraded > 0, r.stdout);
    assert.match(r.stderr, new RegExp(`chartlens: warning: ${degraded} decision\\(s\\) came from the rules standing in for the openai analyzer`));
  });

  it('when an option is wrong, then exit 64 with the usage, and nothing is written', async () => {
    const out = join(work, 'bad');
    const r = await backtest(['--csv', SAMPLE_CSV_PATH, '--from', 'yesterday', '--out', out]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /^chartlens: --from must be a date like 2018-01-02 \(got "yesterday"\)\nusage: chartlens backtest --csv FILE/);
    assert.ok(!existsSync(out));
    for (const args of [['--csv', SAMPLE_CSV_PATH, '--horizon', '0'], ['--csv', SAMPLE_CSV_PATH, '--from', '2020-01-01', '--to', '2019-01-01'], ['--csv', SAMPLE_CSV_PATH, '--analyzer', 'gpt'], []]) {
      const bad = await backtest(args);
      assert.equal(bad.code, 64, `${args.join(' ')}: ${bad.stderr}`);
    }
  });
});

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

  it('when a random walk is replayed (--synthetic random-walk --seed 7), then the report says it is synthetic and finds no significant edge', SLOW, async () => {
    const out = join(work, 'random-walk');
    const args = ['--csv', SAMPLE_CSV_PATH, '--from', '2019-01-02', '--to', '2020-04-17', '--synthetic', 'random-walk', '--seed', '7', '--out', out];
    const r = await backtest(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^synthetic data: random-walk \(seed 7, sigma 1\.\d\d% a bar, from 1455\.22\), not the CSV's prices$/m);
    assert.match(r.stdout, /^period 2019-01-02 to 2020-04-17 \(326 bars\), 66 decisions, hit rate [\d.]+% over \d+ calls \(wilson95 [\d.]+% to [\d.]+%; the random baseline's [\d.]+%\)$/m);
    assert.match(r.stdout, /^trend SMA50 +-?\d/m);
    assert.match(r.stdout, /^sharpe -?[\d.]+, 95% -?[\d.]+ to -?[\d.]+ \(stationary bootstrap, mean block 10 bars, 2000 resamples\); permutation p [\d.]+ \(1000 shuffles of the calls\)$/m);
    assert.match(r.stdout, /^calibration: brier [\d.]+ vs base rate [\d.]+, ece [\d.]+$/m);
    // The local rules see no future bar, so on a random walk they must not find an edge; if this fails, look for a leak.
    assert.match(r.stdout, /^verdict: no significant edge$/m);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      synthetic: { kind: string; seed: number; sigma: number; bars: number };
      significance: { verdict: string; edge: boolean };
    };
    assert.equal(metrics.synthetic.kind, 'random-walk');
    assert.equal(metrics.synthetic.seed, 7);
    assert.ok(metrics.synthetic.sigma > 0.01 && metrics.synthetic.sigma < 0.015, String(metrics.synthetic.sigma));
    assert.deepEqual([metrics.significance.verdict, metrics.significance.edge], ['no significant edge', false]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<b>Synthetic data\.<\/b> These bars are not the CSV's prices: they are a seeded random-walk \(seed 7\)/);
    assert.match(html, /Verdict: <b>no significant edge<\/b>/);
    // Deterministic per seed: the same run writes the same decisions.
    const again = await backtest([...args.slice(0, -1), join(work, 'random-walk-2')]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readFileSync(join(work, 'random-walk-2', 'decisions.csv'), 'utf8'), readFileSync(join(out, 'decisions.csv'), 'utf8'));
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
    for (const args of [['--csv', SAMPLE_CSV_PATH, '--horizon', '0'], ['--csv', SAMPLE_CSV_PATH, '--from', '2020-01-01', '--to', '2019-01-01'], ['--csv', SAMPLE_CSV_PATH, '--analyzer', 'gpt'], ['--csv', SAMPLE_CSV_PATH, '--synthetic', 'noise'], []]) {
      const bad = await backtest(args);
      assert.equal(bad.code, 64, `${args.join(' ')}: ${bad.stderr}`);
    }
  });
});

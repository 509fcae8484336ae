import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResultLine } from '../../src/core/evaluation/score-result.ts';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import { formatSummary, percentile, summarizeResults } from '../../src/core/evaluation/score-summary.ts';
import { progressText } from '../../src/entry/cli/progress.ts';

/** Only the fields the summary reads. */
function ok(file: string, a: { action: string; status: string; rate: number | null; latency: number; cost: number | null; tokens?: [number, number]; cached?: boolean; degraded?: boolean }): ResultLine {
  const analysis = {
    decision: { action: a.action },
    verification: { status: a.status, hallucinationRate: a.rate },
    provider: {
      latencyMs: a.latency,
      costUsd: a.cost,
      usage: a.tokens ? { inputTokens: a.tokens[0], outputTokens: a.tokens[1], cachedInputTokens: 0 } : null,
      cached: a.cached ?? false,
      degraded: a.degraded ?? false,
    },
  } as unknown as Analysis;
  return { file, sha256: 'x', ok: true, analysis };
}
const fail = (file: string, code: string): ResultLine => ({ file, sha256: 'x', ok: false, error: { code, message: 'm' } });

describe('summarizeResults', () => {
  const lines = [
    ok('a', { action: 'buy', status: 'verified', rate: 0, latency: 10, cost: 0.001, tokens: [1000, 100] }),
    ok('b', { action: 'hold', status: 'unverified', rate: 0.5, latency: 30, cost: null }),
    ok('c', { action: 'hold', status: 'verified', rate: null, latency: 20, cost: 0.002, tokens: [500, 50], cached: true }),
    ok('d', { action: 'sell', status: 'partial', rate: 0.25, latency: 40, cost: 0, degraded: true }),
    fail('e', 'invalid_csv'),
    fail('f', 'invalid_image'),
    fail('g', 'invalid_csv'),
    fail('h', 'invalid_csv'),
    fail('i', 'invalid_csv'),
  ];

  test('when lines mix successes and failures, then counts, means, tokens, cost, latency and failure groups are right', () => {
    const s = summarizeResults(lines);
    assert.deepEqual([s.total, s.ok, s.failed], [9, 4, 5]);
    assert.deepEqual(s.byAction, { buy: 1, hold: 2, sell: 1 });
    assert.deepEqual(s.byVerification, { verified: 2, unverified: 1, partial: 1 });
    assert.equal(s.meanHallucinationRate, 0.25, 'null rates are left out of the mean');
    assert.deepEqual(s.tokens, { input: 1500, output: 150 });
    assert.equal(s.costUsd, 0.003);
    assert.deepEqual(s.latencyMs, { p50: 20, p95: 40 });
    assert.deepEqual([s.cached, s.degraded], [1, 1]);
    assert.deepEqual(s.failures, [
      { code: 'invalid_csv', count: 4, examples: ['e', 'g', 'h'] },
      { code: 'invalid_image', count: 1, examples: ['f'] },
    ]);
  });

  test('when there are no successes, then the means and latency are absent, not NaN', () => {
    const s = summarizeResults([fail('a', 'x')]);
    assert.equal(s.meanHallucinationRate, null);
    assert.equal(s.latencyMs, null);
    const text = formatSummary(s);
    assert.doesNotMatch(text, /NaN/);
    assert.match(text, /^inputs\s+1 \(0 ok, 1 failed\)$/m);
  });

  test('when formatted, then the table shows every row and elides long failure lists', () => {
    const text = formatSummary(summarizeResults(lines));
    assert.match(text, /^inputs\s+9 \(4 ok, 5 failed\)$/m);
    assert.match(text, /^actions\s+buy 1, hold 2, sell 1$/m);
    assert.match(text, /^mean hallucination rate\s+0\.250$/m);
    assert.match(text, /^tokens in \/ out\s+1500 \/ 150$/m);
    assert.match(text, /^cost\s+\$0\.0030$/m);
    assert.match(text, /^latency p50 \/ p95\s+20 ms \/ 40 ms$/m);
    assert.match(text, /^failed: invalid_csv\s+4 \(e, g, h, \.\.\.\)$/m);
    assert.match(text, /^failed: invalid_image\s+1 \(f\)$/m);
  });
});

describe('percentile and progress', () => {
  test('when asked for nearest-rank percentiles, then they pick existing values', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(v, 50), 5);
    assert.equal(percentile(v, 95), 10);
    assert.equal(percentile([7], 95), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  test('when the progress is drawn, then it shows done/total, spend and failures, and ETA 0 when finished', () => {
    const t = progressText({ done: 5, total: 10, failed: 1, costUsd: 0.0123, elapsedMs: 5000 }, 10);
    assert.equal(t, '[#####-----] 5/10 1.0/s ETA 5s $0.0123 failed 1');
    assert.match(progressText({ done: 10, total: 10, failed: 0, costUsd: 0, elapsedMs: 1000 }, 10), /^\[#{10}\] 10\/10 .* ETA 0s /);
    assert.match(progressText({ done: 0, total: 0, failed: 0, costUsd: 0, elapsedMs: 0 }, 10), /0\/0/);
  });
});

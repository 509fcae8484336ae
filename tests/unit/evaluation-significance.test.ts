import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom, sharpeOf } from '../../src/core/evaluation/backtest-metrics.ts';
import {
  bootstrapSharpe,
  EDGE,
  NO_EDGE,
  percentile,
  permutationPValue,
  significance,
  stationaryResample,
  wilsonInterval,
} from '../../src/core/evaluation/significance.ts';

const near = (a: number, b: number, tol: number, what = ''): void => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} != ${b} (±${tol})`);

describe('the Wilson interval of a hit rate', () => {
  it('when 8 of 10 calls hit, then the 95% interval is [0.490, 0.943]', () => {
    const w = wilsonInterval(8, 10);
    assert.ok(w);
    near(w.low, 0.4902, 5e-4, 'low');
    near(w.high, 0.9433, 5e-4, 'high');
  });

  it('when the counts are extreme or empty, then the interval stays inside [0, 1], and is null without calls', () => {
    const none = wilsonInterval(0, 10);
    assert.ok(none);
    assert.equal(none.low, 0);
    near(none.high, 0.2775, 5e-4, '0/10 high');
    const all = wilsonInterval(10, 10);
    assert.ok(all);
    near(all.low, 0.7225, 5e-4, '10/10 low');
    near(all.high, 1, 1e-12);
    // 50 of 100: 0.5 ± 0.0960 (Wilson: [0.4038, 0.5962]).
    const half = wilsonInterval(50, 100);
    assert.ok(half);
    near(half.low, 0.4038, 5e-4);
    near(half.high, 0.5962, 5e-4);
    assert.equal(wilsonInterval(0, 0), null);
  });
});

/** Daily returns with a known positive mean: 1bp drift plus seeded noise. */
function noisyReturns(n: number, seed: number, drift: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => drift + (rand() - 0.5) * 0.02);
}

describe('the stationary bootstrap of the Sharpe ratio', () => {
  const r = noisyReturns(600, 3, 0.0005);
  const opts = { seed: 11, resamples: 1000, meanBlock: 10 };

  it('when run twice with the same seed, then the interval is the same; another seed moves it a little', () => {
    assert.deepEqual(bootstrapSharpe(r, 252, opts), bootstrapSharpe(r, 252, opts));
    assert.notDeepEqual(bootstrapSharpe(r, 252, { ...opts, seed: 12 }), bootstrapSharpe(r, 252, opts));
  });

  it('when the interval is drawn, then it contains the point estimate and is about ±1.96 sqrt(252/n) wide', () => {
    const point = sharpeOf(r, 252) as number;
    const ci = bootstrapSharpe(r, 252, opts);
    assert.ok(ci);
    assert.ok(ci.low < point && point < ci.high, `${ci.low} < ${point} < ${ci.high}`);
    // The asymptotic sd of an annualised Sharpe on iid returns is about sqrt(252 / n).
    const expectedHalf = 1.96 * Math.sqrt(252 / r.length);
    near((ci.high - ci.low) / 2, expectedHalf, expectedHalf * 0.35, 'half width');
  });

  it('when resampled, then each resample is as long as the series, drawn from it, and mostly in runs of consecutive bars', () => {
    const x = Array.from({ length: 200 }, (_, i) => i);
    const s = stationaryResample(x, 10, seededRandom(5));
    assert.equal(s.length, 200);
    assert.ok(s.every((v) => x.includes(v)));
    const continued = s.slice(1).filter((v, i) => v === (s[i] + 1) % 200).length;
    near(continued / 199, 0.9, 0.07, 'share of steps that continue a block (1 - 1/meanBlock)');
    assert.equal(bootstrapSharpe([0.01], 252, opts), null, 'one return: no interval');
    assert.equal(bootstrapSharpe([0, 0, 0, 0], 252, opts), null, 'no variance: no interval');
  });

  it('when percentiles are read, then they interpolate between order statistics', () => {
    assert.equal(percentile([1, 2, 3, 4, 5], 0.5), 3);
    assert.equal(percentile([1, 2, 3, 4, 5], 0.25), 2);
    near(percentile([0, 10], 0.975), 9.75, 1e-12);
  });
});

describe('the permutation test and the verdict', () => {
  it('when the observed statistic beats all, some or none of the null ones, then p is (1 + k) / (1 + N)', () => {
    const nulls = [0.1, 0.2, 0.3, 0.4];
    assert.equal(permutationPValue(1, nulls), 1 / 5);
    assert.equal(permutationPValue(0.25, nulls), 3 / 5);
    assert.equal(permutationPValue(-1, nulls), 1);
  });

  it('when the Sharpe interval is above zero and p < 0.05, then it is a significant edge; either alone is not', () => {
    const o = { meanBlock: 10, resamples: 2000, permutations: 1000 };
    assert.equal(significance({ low: 0.2, high: 1.5 }, 0.01, o).verdict, EDGE);
    assert.equal(significance({ low: -0.2, high: 1.5 }, 0.01, o).verdict, NO_EDGE);
    assert.equal(significance({ low: 0.2, high: 1.5 }, 0.2, o).verdict, NO_EDGE);
    assert.equal(significance(null, null, o).verdict, NO_EDGE);
    const s = significance({ low: 0.2, high: 1.5 }, 0.01, o);
    assert.deepEqual(s, {
      alpha: 0.05,
      bootstrap: { method: 'stationary', meanBlock: 10, resamples: 2000 },
      sharpeAboveZero: true,
      permutation: { statistic: 'sharpe', permutations: 1000, p: 0.01 },
      edge: true,
      verdict: 'significant edge (check for leaks)',
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logReturnSigma, normalSource, randomWalkCandles } from '../../src/core/evaluation/synthetic.ts';
import { seededRandom } from '../../src/core/evaluation/backtest-metrics.ts';
import { sp500 } from '../helpers/sample-data.ts';

describe('the random-walk generator of the null test', () => {
  const source = sp500();

  it('when generated twice with a seed, then the bars are the same; another seed gives other bars', () => {
    const a = randomWalkCandles(source, 7);
    assert.deepEqual(randomWalkCandles(source, 7), a);
    assert.notDeepEqual(randomWalkCandles(source, 8).candles.map((c) => c.close), a.candles.map((c) => c.close));
  });

  it('when generated, then it has the source length, times, start price and volume, and consistent OHLC', () => {
    const { candles, info } = randomWalkCandles(source, 7);
    assert.equal(candles.length, source.length);
    assert.deepEqual(candles.map((c) => c.time), source.map((c) => c.time));
    assert.equal(candles[0].close, source[0].close);
    assert.deepEqual(candles.map((c) => c.volume), source.map((c) => c.volume));
    assert.deepEqual(info, { kind: 'random-walk', seed: 7, sigma: logReturnSigma(source.map((c) => c.close)), startPrice: source[0].close, bars: source.length });
    for (let i = 1; i < candles.length; i++) {
      const c = candles[i];
      assert.equal(c.open, candles[i - 1].close);
      assert.ok(c.high >= Math.max(c.open, c.close) && c.low <= Math.min(c.open, c.close) && c.low > 0, `bar ${i}`);
    }
  });

  it('when its log returns are measured, then the volatility is the source one and there is no drift beyond noise', () => {
    for (const seed of [1, 7, 42]) {
      const { candles, info } = randomWalkCandles(source, seed);
      const closes = candles.map((c) => c.close);
      const r = closes.slice(1).map((c, i) => Math.log(c / closes[i]));
      const mean = r.reduce((s, v) => s + v, 0) / r.length;
      const sigma = logReturnSigma(closes);
      // The sd of a sample sd is about sigma / sqrt(2n) (0.01 sigma here); allow 5 of them.
      assert.ok(Math.abs(sigma / info.sigma - 1) < 5 / Math.sqrt(2 * r.length), `seed ${seed}: sigma ${sigma} vs ${info.sigma}`);
      // The mean is N(0, sigma / sqrt(n)); allow 4 standard errors.
      assert.ok(Math.abs(mean) < (4 * info.sigma) / Math.sqrt(r.length), `seed ${seed}: drift ${mean}`);
      // The daily log returns are uncorrelated (lag-1 autocorrelation within noise).
      const ac = r.slice(1).reduce((s, v, i) => s + (v - mean) * (r[i] - mean), 0) / r.reduce((s, v) => s + (v - mean) ** 2, 0);
      assert.ok(Math.abs(ac) < 4 / Math.sqrt(r.length), `seed ${seed}: autocorrelation ${ac}`);
    }
  });

  it('when drawing normals, then their mean is 0 and their sd 1', () => {
    const z = normalSource(seededRandom(3));
    const xs = Array.from({ length: 20_000 }, () => z());
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (xs.length - 1));
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 1) < 0.02, `${mean} ${sd}`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom, shuffledDecisions } from '../../src/core/evaluation/backtest-metrics.ts';
import { bias, buyAndHoldPositions, excessOver, shuffledCalls, trendPositions } from '../../src/core/evaluation/baselines.ts';
import { sp500 } from '../helpers/sample-data.ts';

describe('the baselines', () => {
  const closes = sp500()
    .slice(0, 800)
    .map((c) => c.close);

  it('when the close is above its 50-bar average, then the trend baseline is long over the next bar, else flat', () => {
    const pos = trendPositions(closes, 60, 700);
    for (let i = 61; i <= 700; i++) {
      const sma = closes.slice(i - 50, i).reduce((s, v) => s + v, 0) / 50;
      assert.equal(pos[i], closes[i - 1] > sma ? 1 : 0, `bar ${i}`);
    }
    assert.ok(pos.slice(0, 61).every((p) => p === 0) && pos.slice(701).every((p) => p === 0), 'flat outside (from, to]');
    assert.ok(pos.includes(1) && pos.slice(61, 701).includes(0));
    assert.deepEqual(trendPositions([1, 2, 3, 4], 0, 3, 2), [0, 0, 1, 1], 'flat until there are `length` closes');
  });

  it('when the closes after t are changed, then the trend positions up to t + 1 are not', () => {
    const pos = trendPositions(closes, 60, 799);
    for (const t of [100, 333, 600]) {
      const altered = closes.map((c, i) => (i > t ? c * (i % 2 ? 0.5 : 2) : c));
      const alt = trendPositions(altered, 60, 799);
      assert.deepEqual(alt.slice(0, t + 2), pos.slice(0, t + 2), `t = ${t}`);
      assert.notDeepEqual(alt, pos);
    }
  });

  it('when buying and holding, then it is long over (from, to] only', () => {
    assert.deepEqual(buyAndHoldPositions(6, 1, 4), [0, 0, 1, 1, 1, 0]);
  });

  it('when the calls are shuffled, then each keeps its exposure and its stop and target as fractions of its new entry', () => {
    const cls = [100, 200, 50, 400];
    const calls = [
      { index: 0, exposure: 1, confidence: 0.6, invalidation: 98, target: 104 },
      { index: 1, exposure: -0.5, confidence: 0.55, invalidation: 210, target: 180 },
      { index: 2, exposure: 0, confidence: 0.5, invalidation: null, target: null },
      { index: 3, exposure: 0.25, confidence: 0.7, invalidation: 360, target: 480 },
    ];
    const dealt = shuffledCalls(calls, cls, seededRandom(9));
    assert.deepEqual(dealt.map((c) => c.index), [0, 1, 2, 3]);
    assert.deepEqual(dealt.map((c) => c.exposure).sort(), calls.map((c) => c.exposure).sort());
    for (const d of dealt) {
      const src = calls.find((c) => c.exposure === d.exposure)!;
      assert.equal(d.confidence, src.confidence);
      if (src.invalidation === null) continue;
      assert.ok(Math.abs((d.invalidation as number) / cls[d.index] - src.invalidation / cls[src.index]) < 1e-12);
      assert.ok(Math.abs((d.target as number) / cls[d.index] - src.target! / cls[src.index]) < 1e-12);
    }
    // The same order as the exposure-only shuffle for the same seed.
    const many = Array.from({ length: 30 }, (_, i) => ({ index: i, exposure: i / 10, confidence: 0.5, invalidation: null, target: null, action: 'buy' as const }));
    assert.deepEqual(
      shuffledCalls(many, many.map(() => 1), seededRandom(4)).map((c) => c.exposure),
      shuffledDecisions(many, 4).map((d) => d.exposure),
    );
  });

  it('when the lean is measured, then the shares add up to 1 and the means are signed', () => {
    const b = bias([1, 0.5, -1, 0], [0, 1, 1, -1]);
    assert.deepEqual(b, { long: 0.5, short: 0.25, hold: 0.25, meanExposure: 0.125, meanPosition: 0.25 });
  });

  it('when compared, then the excess is the strategy minus the baseline', () => {
    const s = { totalReturn: 0.1, cagr: 0.05, sharpe: 0.8, maxDrawdown: -0.1, turnover: 3, trades: 4 };
    const b = { totalReturn: 0.3, cagr: 0.12, sharpe: null, maxDrawdown: -0.3, turnover: 1, trades: 1 };
    const e = excessOver(s, b);
    assert.ok(Math.abs(e.totalReturn + 0.2) < 1e-12 && Math.abs((e.cagr as number) + 0.07) < 1e-12);
    assert.equal(e.sharpe, null);
    assert.ok(Math.abs(e.maxDrawdown - 0.2) < 1e-12);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  calibration,
  closeReturns,
  deriveSeed,
  equityCurve,
  forwardReturn,
  hitRate,
  maxDrawdown,
  positionReturns,
  positionsFromDecisions,
  returnMetrics,
  shuffledDecisions,
  strategyReturns,
} from '../../src/core/evaluation/backtest-metrics.ts';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

// +10%, -10%, 0%, +10%: every answer below is worked out by hand.
const closes = [100, 110, 99, 99, 108.9];
const decisions = [
  { index: 0, exposure: 1, confidence: 0.7, action: 'buy' as const },
  { index: 1, exposure: -1, confidence: 0.6, action: 'sell' as const },
  { index: 2, exposure: 0, confidence: 0.5, action: 'hold' as const },
  { index: 3, exposure: 0.5, confidence: 0.55, action: 'buy' as const },
];

describe('replay metrics on a series whose answer is known by hand', () => {
  it('when each call is held one bar, then positions follow the calls', () => {
    assert.deepEqual(positionsFromDecisions(5, decisions, 1), [0, 1, -1, 0, 0.5]);
  });

  it('when a call is held longer than the next call, then the next call takes over', () => {
    assert.deepEqual(positionsFromDecisions(5, [decisions[0], decisions[3]], 5), [0, 1, 1, 1, 0.5]);
    assert.deepEqual(positionsFromDecisions(6, [decisions[0]], 2), [0, 1, 1, 0, 0, 0], 'flat after the horizon');
  });

  it('when costs are zero, then the strategy earns +10%, +10%, 0, +5% and compounds to 27.05%', () => {
    const pos = positionsFromDecisions(5, decisions, 1);
    const m = returnMetrics(strategyReturns(closes, pos, 0), pos, 0, 4, 252);
    close(m.totalReturn, 1.1 * 1.1 * 1.0 * 1.05 - 1);
    assert.equal(m.trades, 4);
    close(m.turnover, 1 + 2 + 1 + 0.5);
    close(m.maxDrawdown, 0);
  });

  it('when each position change costs 10 bps, then the cost is charged on the size of the change', () => {
    const pos = positionsFromDecisions(5, decisions, 1);
    const m = returnMetrics(strategyReturns(closes, pos, 10), pos, 0, 4, 252);
    close(m.totalReturn, (1 + 0.1 - 0.001) * (1 + 0.1 - 0.002) * (1 - 0.001) * (1 + 0.05 - 0.0005) - 1);
  });

  it('when buying and holding, then the return is last/first - 1 less the entry cost', () => {
    const pos = [0, 1, 1, 1, 1];
    const m = returnMetrics(strategyReturns(closes, pos, 10), pos, 0, 4, 252);
    close(m.totalReturn, (1.1 - 0.001) * 0.9 * 1 * 1.1 - 1);
    close(m.maxDrawdown, 0.9 - 1);
    assert.equal(m.trades, 1);
  });

  it('when a year of bars doubles, then CAGR is 100%; half a year doubling is 300%', () => {
    const year = returnMetrics([0, ...new Array(252).fill(2 ** (1 / 252) - 1)], new Array(253).fill(1), 0, 252, 252);
    close(Number(year.cagr?.toFixed(10)), 1);
    const half = returnMetrics([0, ...new Array(126).fill(2 ** (1 / 126) - 1)], new Array(127).fill(1), 0, 126, 252);
    close(Number(half.cagr?.toFixed(10)), 3);
  });

  it('when returns alternate +2%/0%, then Sharpe is mean/sd x sqrt(252)', () => {
    const r = [0, 0.02, 0, 0.02, 0];
    const m = returnMetrics(r, [0, 1, 1, 1, 1], 0, 4, 252);
    const sd = Math.sqrt((4 * 0.01 ** 2) / 3);
    close(m.sharpe as number, (0.01 / sd) * Math.sqrt(252));
    assert.equal(returnMetrics([0, 0, 0], [0, 0, 0], 0, 2, 252).sharpe, null, 'no variance, no Sharpe');
  });

  it('when equity goes 1, 1.2, 0.9, 1.5, then the max drawdown is -25%', () => {
    close(maxDrawdown([1, 1.2, 0.9, 1.5]), -0.25);
    assert.deepEqual(equityCurve([0.1, -0.5]).map((v) => Number(v.toFixed(10))), [1.1, 0.55]);
  });

  it('when calls are scored, then holds are left out and signs are compared with forward returns', () => {
    const calls = decisions.map((d) => ({ ...d, forward: forwardReturn(closes, d.index, 1) }));
    assert.deepEqual(hitRate(calls), { calls: 3, hits: 3, hitRate: 1 });
    const wrong = calls.map((c) => ({ ...c, exposure: -c.exposure }));
    assert.deepEqual(hitRate(wrong), { calls: 3, hits: 0, hitRate: 0 });
    assert.equal(forwardReturn(closes, 4, 1), null, 'no forward return past the end');
  });

  it('when calibrated, then each confidence bucket has its own hit rate', () => {
    const calls = decisions.map((d) => ({ ...d, forward: forwardReturn(closes, d.index, 1) }));
    const buckets = calibration(calls);
    const byFrom = Object.fromEntries(buckets.map((b) => [b.from, b]));
    assert.equal(byFrom[0.5].calls, 1, 'the 0.55 buy (the 0.5 hold is not scored)');
    assert.equal(byFrom[0.6].calls, 1);
    assert.equal(byFrom[0.7].calls, 1);
    assert.equal(byFrom[0].hitRate, null);
  });

  it('when the random baseline is built, then it has the same exposures, reproducibly', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ index: i, exposure: (i % 7) / 7 - 0.4, confidence: 0.5, action: 'buy' as const }));
    const a = shuffledDecisions(many, 42);
    const b = shuffledDecisions(many, 42);
    assert.deepEqual(a, b);
    assert.deepEqual(a.map((d) => d.exposure).sort(), many.map((d) => d.exposure).sort());
    assert.notDeepEqual(a.map((d) => d.exposure), many.map((d) => d.exposure));
    assert.notDeepEqual(shuffledDecisions(many, 43), a);
  });

  it('when returns are taken per bar as held, then close-to-close bars give the same answer as strategyReturns', () => {
    const pos = positionsFromDecisions(5, decisions, 1);
    assert.deepEqual(positionReturns(closeReturns(closes), pos, 10), strategyReturns(closes, pos, 10));
    // An exit bar filled at 104.5 instead of the 108.9 close earns the return to the fill.
    const bars = closeReturns(closes);
    bars[4] = 104.5 / 99 - 1;
    close(positionReturns(bars, pos, 0)[4], 0.5 * (104.5 / 99 - 1));
  });

  it('when seeds are derived, then each salt gives its own stream, reproducibly', () => {
    assert.equal(deriveSeed(7, 1), deriveSeed(7, 1));
    const seeds = new Set([deriveSeed(7, 1), deriveSeed(7, 2), deriveSeed(8, 1), deriveSeed(7, 0), 7]);
    assert.equal(seeds.size, 5);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeMarketFacts } from '../../src/core/market/facts.ts';
import { findPivots } from '../../src/core/market/pivots.ts';
import { candlesAlongPath } from '../helpers/synthetic.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

describe('swing pivots and levels', () => {
  it('when a zigzag is drawn, then pivots land on its vertices and are known 3 bars later', () => {
    const pivots = findPivots(candlesAlongPath([[0, 100], [10, 120], [20, 105], [30, 125], [40, 110]]));
    assert.deepEqual(
      pivots.map((p) => [p.type, p.index, p.knownAt]),
      [
        ['high', 10, 13],
        ['low', 20, 23],
        ['high', 30, 33],
      ],
    );
  });

  it('when three swing highs share a price, then one resistance level with 3 touches', () => {
    const facts = computeMarketFacts(
      candlesAlongPath([[0, 90], [10, 110], [16, 100], [24, 110], [30, 101], [38, 110], [46, 102], [50, 104]]),
    );
    const top = facts.levels.resistance[0];
    assert.equal(top.touches, 3);
    assert.ok(Math.abs(top.price - 110.3) < 1e-9);
    assert.ok(facts.levels.support.every((l) => l.price < facts.lastBar.close));
    assert.ok(facts.levels.resistance.every((l) => l.price >= facts.lastBar.close));
  });
});

describe('trend regime', () => {
  it('when price rises steadily, then the regime is an uptrend and probabilities sum to 1', () => {
    const up = computeMarketFacts(candlesAlongPath([[0, 100], [250, 200]])).trend;
    assert.equal(up.direction, 'up');
    assert.equal(up.maAlignment, 1);
    assert.ok(up.probabilities.uptrend > 0.7);
    const sum = up.probabilities.uptrend + up.probabilities.downtrend + up.probabilities.sideways;
    assert.ok(Math.abs(sum - 1) < 1e-9);
  });

  it('when price falls steadily, then downtrend', () => {
    const down = computeMarketFacts(candlesAlongPath([[0, 200], [250, 100]])).trend;
    assert.equal(down.direction, 'down');
    assert.equal(down.maAlignment, -1);
  });

  it('when price chops in a range, then sideways', () => {
    const path: [number, number][] = [];
    for (let i = 0; i <= 240; i += 6) path.push([i, i % 12 === 0 ? 100 : 104]);
    assert.equal(computeMarketFacts(candlesAlongPath(path)).trend.direction, 'sideways');
  });

  it('when the S&P 500 crashed in March 2020, then the regime at 2020-03-23 reads down', () => {
    const candles = sp500();
    const t = indexOfDate(candles, '2020-03-23');
    const facts = computeMarketFacts(candles.slice(0, t + 1));
    assert.equal(facts.trend.direction, 'down');
    assert.ok(facts.trend.probabilities.downtrend > 0.6);
  });
});

describe('trend regime with too little data', () => {
  it('when only a handful of bars exist, then the regime is uninformative, not invented', () => {
    const trend = computeMarketFacts(candlesAlongPath([[0, 100], [5, 104]])).trend;
    assert.equal(trend.strength, 0);
    assert.equal(trend.adx, null);
    assert.equal(trend.maAlignment, null);
    assert.deepEqual(trend.probabilities, { uptrend: 0.3333, downtrend: 0.3333, sideways: 0.3334 });
  });
});

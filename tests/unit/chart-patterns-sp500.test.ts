import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChartPatternHit, ChartPatternType } from '../../src/core/market/chart-patterns.ts';
import { computeMarketStreams, factsAt } from '../../src/core/market/facts.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

// Shapes found by the detectors on the real S&P 500 sample and checked by eye against the OHLC
// bars: each is the textbook pattern (see the comments for the swings it rests on).
const candles = sp500();
const streams = computeMarketStreams(candles);

function hitOn(date: string, code: ChartPatternType, start: string): ChartPatternHit {
  const t = indexOfDate(candles, date);
  const hits = factsAt(streams, t).patterns.filter((p): p is ChartPatternHit => p.kind === 'chart' && p.code === code);
  const found = hits.find((h) => h.startTime === start);
  assert.ok(found, `no ${code} from ${start} on ${date}; got ${JSON.stringify(hits.map((h) => h.startTime))}`);
  return found;
}

const at = (h: ChartPatternHit, role: string): { date: string; price: number } => {
  const p = h.points.find((q) => q.role === role);
  assert.ok(p, `${h.code} has no ${role}`);
  return { date: new Date(candles[p.index].time).toISOString().slice(0, 10), price: Math.round(p.price * 10) / 10 };
};

describe('chart patterns on real S&P 500 bars', () => {
  it('when early 2004 topped three times near 1160, then a triple top, forming until 2004-03-11 broke the 1122 reaction', () => {
    // Highs 1155.4 (Jan 26), 1159.0 (Feb 17), 1163.2 (Mar 5): within 8 points, ATR ~10.5. Reactions
    // to 1122.4 (Jan 29) and 1134.4 (Feb 24); the close of 1106.8 on Mar 11 fell through 1122.4.
    const forming = hitOn('2004-03-10', 'triple_top', '2004-01-26');
    assert.equal(forming.status, 'forming');
    const hit = hitOn('2004-03-11', 'triple_top', '2004-01-26');
    assert.equal(hit.status, 'confirmed');
    assert.equal(hit.direction, 'bearish');
    assert.equal(hit.endTime, '2004-03-11');
    assert.deepEqual(at(hit, 'top1'), { date: '2004-01-26', price: 1155.4 });
    assert.deepEqual(at(hit, 'top2'), { date: '2004-02-17', price: 1159 });
    assert.deepEqual(at(hit, 'top3'), { date: '2004-03-05', price: 1163.2 });
    assert.ok(hit.trigger !== null && Math.abs(hit.trigger - 1122.4) < 0.1);
  });

  it('when spring-summer 2004 ranged between ~1077 and ~1148, then a rectangle that broke down on 2004-08-06', () => {
    // Resistance: 1150.6 (Apr 5), 1146.6 (Apr 27), 1142.2 (Jun 8), 1146.3 (Jun 24); support: 1076.3
    // (May 12), 1078.8 (Jul 26). Every close in between; the close of 1064.0 on Aug 6 left it.
    const forming = hitOn('2004-08-05', 'rectangle', '2004-04-05');
    assert.equal(forming.status, 'forming');
    assert.equal(forming.direction, 'neutral');
    const hit = hitOn('2004-08-06', 'rectangle', '2004-04-05');
    assert.equal(hit.status, 'confirmed');
    assert.equal(hit.direction, 'bearish');
    assert.equal(hit.points.filter((p) => p.role === 'upper').length, 4);
    assert.equal(hit.points.filter((p) => p.role === 'lower').length, 2);
    assert.ok(hit.trigger !== null && Math.abs(hit.trigger - 1077.5) < 1, 'support is the mean of the touched lows');
  });

  it('when May 2011 made lower highs and lower lows between parallel lines, then a descending channel broken down in June', () => {
    // Highs 1370.6 (May 2), 1359.4 (May 10), 1346.8 (May 19), 1345.2 (May 31); lows 1329.2 (May 5),
    // 1318.5 (May 17), 1311.8 (May 25). The close of 1300.2 on Jun 3 fell through the lower line.
    const hit = hitOn('2011-06-06', 'descending_channel', '2011-05-02');
    assert.equal(hit.status, 'confirmed');
    assert.equal(hit.direction, 'bearish');
    assert.equal(hit.endTime, '2011-06-03');
    assert.equal(hit.points.length, 7);
  });
});

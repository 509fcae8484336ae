import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CandlestickHit, candlestickCodes, detectCandlestickPatterns } from '../../src/core/market/candlestick-patterns.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

describe('candlestick patterns on real S&P 500 bars', () => {
  const candles = sp500();
  // The whole 20-year series through all 61 functions: a missing optional input would abort here.
  const hits = detectCandlestickPatterns(candles);
  const find = (code: string, start: string, end: string): CandlestickHit => {
    const hit = hits.find((h) => h.code === code && h.startTime === start && h.endTime === end);
    assert.ok(hit, `${code} ${start}..${end} not found`);
    return hit;
  };
  const body = (i: number): [number, number] => [Math.min(candles[i].open, candles[i].close), Math.max(candles[i].open, candles[i].close)];

  it('when all of TA-Lib runs, then there are 61 CDL functions', () => {
    assert.equal(candlestickCodes().length, 61);
    assert.ok(new Set(hits.map((h) => h.code)).size > 40, 'most patterns occur in 20 years of data');
  });

  it('when a bearish engulfing is reported on 2018-02-26..27, then its two bars are where the bodies engulf', () => {
    const hit = find('CDLENGULFING', '2018-02-26', '2018-02-27');
    const a = indexOfDate(candles, '2018-02-26');
    const b = indexOfDate(candles, '2018-02-27');
    assert.equal(hit.startIndex, a);
    assert.equal(hit.endIndex, b);
    assert.equal(hit.direction, 'bearish');
    assert.ok(candles[a].close > candles[a].open, 'first bar is white');
    assert.ok(candles[b].close < candles[b].open, 'second bar is black');
    assert.ok(body(b)[0] <= body(a)[0] && body(b)[1] >= body(a)[1], 'second body covers the first');
    assert.equal(hit.priorTrend, 'up');
    assert.equal(hit.fitsContext, true, 'a bearish reversal after a rise');
  });

  it('when a morning star is reported on 2018-03-27..29, then it spans three bars that form the star', () => {
    const hit = find('CDLMORNINGSTAR', '2018-03-27', '2018-03-29');
    const first = indexOfDate(candles, '2018-03-27');
    assert.equal(hit.endIndex - hit.startIndex + 1, 3);
    assert.equal(hit.startIndex, first);
    const [c1, c2, c3] = [candles[first], candles[first + 1], candles[first + 2]];
    assert.ok(c1.close < c1.open, 'first candle is black');
    assert.ok(Math.abs(c2.close - c2.open) < Math.abs(c1.close - c1.open) / 2, 'the star has a small body');
    assert.ok(c3.close > c3.open && c3.close > c1.close + 0.3 * (c1.open - c1.close), 'third closes well into the first');
    assert.equal(hit.direction, 'bullish');
  });

  it('when a hammer is reported on 2018-05-01, then the bar has a lower shadow longer than its body', () => {
    const hit = find('CDLHAMMER', '2018-05-01', '2018-05-01');
    const c = candles[hit.endIndex];
    const lowerShadow = Math.min(c.open, c.close) - c.low;
    const upperShadow = c.high - Math.max(c.open, c.close);
    // TA-Lib's hammer: lower shadow longer than the real body, upper shadow very short.
    assert.ok(lowerShadow > Math.abs(c.close - c.open));
    assert.ok(upperShadow < lowerShadow);
    assert.equal(hit.priorTrend, 'down');
  });

  it('when any pattern is reported, then its span matches its candle count and its times match its bars', () => {
    for (const h of hits.filter((x) => Math.abs(x.strength) === 100)) {
      assert.ok(h.startIndex <= h.endIndex && h.endIndex - h.startIndex < 5, `${h.code} span`);
      assert.equal(h.startTime, new Date(candles[h.startIndex].time).toISOString().slice(0, 10));
      assert.equal(h.endTime, new Date(candles[h.endIndex].time).toISOString().slice(0, 10));
      assert.equal(h.knownAt, h.endIndex);
    }
    const threeBar = hits.filter((h) => h.code === 'CDLEVENINGSTAR');
    assert.ok(threeBar.length > 0 && threeBar.every((h) => h.endIndex - h.startIndex === 2));
  });

  it('when a pattern has no side (doji, spinning top), then it is neutral; otherwise the sign of TA-Lib\'s output', () => {
    for (const h of hits) {
      if (h.role === 'indecision') assert.equal(h.direction, 'neutral', h.code);
      else assert.equal(h.direction, h.strength > 0 ? 'bullish' : 'bearish', h.code);
    }
    assert.ok(hits.some((h) => h.code === 'CDLDOJI' && h.direction === 'neutral'));
  });

  it('when a confirmed hikkake (+-200) appears, then its span reaches back to the setup', () => {
    const confirmed = hits.filter((h) => h.code === 'CDLHIKKAKE' && Math.abs(h.strength) === 200);
    assert.ok(confirmed.length > 0);
    for (const h of confirmed) assert.ok(h.endIndex - h.startIndex >= 2 && h.endIndex - h.startIndex <= 6);
  });
});

/**
 * Locating a claim: the date formats models write, resolved against the chart's own bars, and
 * what happens when a date cannot be placed (never a fallback to the whole chart).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { placeDate, placeSpan, readDate } from '../../src/core/analysis/claim-dates.ts';
import { verificationFactsFor } from '../../src/core/analysis/verification-facts.ts';
import { verifyPattern } from '../../src/core/analysis/verify.ts';
import { formatCandleTime } from '../../src/core/market/candles.ts';
import { computeMarketStreams } from '../../src/core/market/facts.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

const all = sp500();
const t = indexOfDate(all, '2020-04-17');
const candles = all.slice(0, t + 1);
const from = t - 149;
const bars = { candles, from, to: t };
const dayOf = (i: number): string => formatCandleTime(candles[i].time);
const at = (text: string): string => {
  const p = placeDate(text, bars);
  return p.kind === 'bar' ? dayOf(p.index) : p.kind;
};

describe('claim dates: the formats models write', () => {
  const table: [string, string][] = [
    ['2020-03-20', '2020-03-20'],
    ['2020/03/20', '2020-03-20'],
    ['2020-3-20', '2020-03-20'],
    ['2020.03.20', '2020-03-20'],
    ['20200320', '2020-03-20'],
    ['03/20/2020', '2020-03-20'],
    ['20/03/2020', '2020-03-20'],
    ['20-03-2020', '2020-03-20'],
    ['20 March 2020', '2020-03-20'],
    ['March 20, 2020', '2020-03-20'],
    ['Mar 20 2020', '2020-03-20'],
    ['20 Mar', '2020-03-20'],
    ['Mar 10', '2020-03-10'],
    ['March 10th', '2020-03-10'],
    ['2020-03-20T00:00:00Z', '2020-03-20'],
    ['2020-03-20T00:00:00.000Z', '2020-03-20'],
    ['2020-03-20 00:00', '2020-03-20'],
    // Tried once after the rules were written, on wordings not tuned for:
    ['24-Mar-2020', '2020-03-24'],
    ['Tue 24 Mar 2020', '2020-03-24'],
    ['Tuesday, March 24th, 2020', '2020-03-24'],
    ['3/24/20', '2020-03-24'],
    ['24.03.2020', '2020-03-24'],
    ['2020-03-24T15:30:00-04:00', '2020-03-24'],
  ];
  for (const [text, day] of table) {
    test(`when a claim says "${text}", then it is placed on the bar of ${day}`, () => {
      assert.equal(at(text), day);
    });
  }

  test('when day and month could be swapped, then the reading that falls on a bar of the chart wins', () => {
    // 2020-04-03 (a Friday, on the chart) and 2020-03-04 (a Wednesday, also on the chart): ambiguous.
    assert.equal(placeDate('03/04/2020', bars).kind, 'unresolved');
    // 2020-03-13 is a bar; month 13 does not exist, so "13/03/2020" is day-first without doubt.
    assert.equal(at('13/03/2020'), '2020-03-13');
    // 2020-02-01 is a Saturday, 2020-01-02 a trading day: both orders of these land on Jan 2.
    assert.equal(at('01/02/2020'), '2020-01-02');
    assert.equal(at('02/01/2020'), '2020-01-02');
    // March 7 2020 (a Saturday, inside the chart) or July 3 (after it): nothing to place it on.
    assert.equal(placeDate('03/07/2020', bars).kind, 'unresolved');
  });

  test('when a date lies after the last bar, then it is after the chart, never clamped onto the last bar', () => {
    assert.equal(placeDate('2020-04-20', bars).kind, 'after_chart');
    assert.equal(placeDate('May 2, 2020', bars).kind, 'after_chart');
  });

  test('when a date lies before the chart or on a day without a bar, then it is not placed', () => {
    assert.equal(placeDate('2019-01-02', bars).kind, 'before_chart');
    assert.equal(placeDate('2020-03-21', bars).kind, 'unresolved', 'a Saturday has no bar');
  });

  test('when the text is not a date, then readDate says why', () => {
    for (const text of ['', 'last week', '2020-02-30', '13/13/2020', 'the March low']) {
      assert.equal(typeof readDate(text), 'string', text);
    }
  });

  test('when a span has one date, then it stands for both ends; when it has none, it cannot be located', () => {
    assert.deepEqual(placeSpan(null, '2020-03-20', bars), { kind: 'span', from: indexOfDate(all, '2020-03-20'), to: indexOfDate(all, '2020-03-20') });
    assert.equal(placeSpan(null, null, bars).kind, 'unresolved');
    assert.equal(placeSpan('', '  ', bars).kind, 'unresolved');
  });
});

describe('claim dates: what verification makes of them', () => {
  const streams = computeMarketStreams(candles);
  const { verify } = verificationFactsFor(streams, t, from);
  const hit = verify.patterns.find((h) => h.kind === 'candlestick' && h.code === 'CDLENGULFING');
  assert.ok(hit, 'the window has an engulfing pattern to test with');
  const claim = (start: string | null, end: string | null, direction = hit.direction) =>
    verifyPattern({ kind: 'candlestick', confidence: 0.6, name: 'Engulfing Pattern', direction: direction as 'bullish', start, end }, verify);

  test('when the claim is dated in another format, then it is still matched at its bars', () => {
    const [y, m, d] = hit.endTime.split('-');
    assert.equal(claim(null, `${d}/${m}/${y}`).status, 'confirmed');
    assert.equal(claim(null, `${y}${m}${d}`).status, 'confirmed');
  });

  test('when the claim is dated after the chart ends, then contradicted', () => {
    const c = claim('2020-04-21', '2020-04-22');
    assert.equal(c.status, 'contradicted');
    assert.match(c.detail, /after the chart ends/);
  });

  test('when the claim has no date or an unreadable one, then unverifiable with the reason, never matched against the whole chart', () => {
    const none = claim(null, null);
    assert.equal(none.status, 'unverifiable');
    assert.match(none.detail, /no date/);
    const bad = claim('recently', 'recently');
    assert.equal(bad.status, 'unverifiable');
    assert.match(bad.detail, /cannot locate/);
  });

  test('when the stated bars hold the opposite direction, then contradicted even if the claimed direction sits one bar away', () => {
    const opposite = hit.direction === 'bullish' ? 'bearish' : 'bullish';
    const c = claim(hit.startTime, hit.endTime, opposite);
    assert.equal(c.status, 'contradicted');
  });
});

/** The one Timeframe vocabulary: spellings, annualisation, wording and request validation. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { timeframeSchema } from '../../src/contracts/timeframe.ts';
import { periodsPerYear } from '../../src/core/evaluation/backtest-metrics.ts';
import { barAdjective, barsPerYear, isDailyOrSlower, parseTimeframe, TIMEFRAME_MS, TIMEFRAMES } from '../../src/core/market/timeframe.ts';

describe('timeframes', () => {
  test('when a canonical timeframe is parsed, then it comes back unchanged, and 1m (minute) differs from 1M (month)', () => {
    for (const tf of TIMEFRAMES) assert.equal(parseTimeframe(tf), tf);
    assert.equal(parseTimeframe('1m'), '1m');
    assert.equal(parseTimeframe('1M'), '1M');
    assert.ok(TIMEFRAME_MS['1M'] > 40_000 * TIMEFRAME_MS['1m']);
  });

  test('when a common alias is given, then it maps to its canonical timeframe', () => {
    const cases: [string, string][] = [
      ['daily', '1d'], ['D', '1d'], [' 1D ', '1d'], ['1wk', '1w'], ['weekly', '1w'], ['1mo', '1M'], ['1MO', '1M'], ['monthly', '1M'],
      ['60m', '1h'], ['1H', '1h'], ['4H', '4h'], ['15min', '15m'],
    ];
    for (const [text, want] of cases) assert.equal(parseTimeframe(text), want, text);
  });

  test('when the text names no bar length, then it is null and the schema says what is accepted', () => {
    for (const text of ['', '2d', '1y', 'd1', '7h', 'hourly?', '1 d', null, undefined]) assert.equal(parseTimeframe(text), null, String(text));
    const bad = timeframeSchema.safeParse('2d');
    assert.equal(bad.success, false);
    assert.match(bad.error?.issues[0].message ?? '', /"2d" is not a timeframe: one of 1m, 5m, 15m, 1h, 4h, 1d, 1w, 1M/);
    assert.equal(timeframeSchema.parse('1mo'), '1M');
  });

  test('when bars are annualised, then daily is 252 on an exchange and 365 around the clock, and intraday follows the session', () => {
    assert.equal(barsPerYear('1d'), 252);
    assert.equal(barsPerYear('1d', 'continuous'), 365);
    assert.equal(barsPerYear('1w'), 52);
    assert.equal(barsPerYear('1M'), 12);
    assert.equal(barsPerYear('1h'), 252 * 6.5);
    assert.equal(barsPerYear('1h', 'continuous'), 365 * 24);
    assert.equal(barsPerYear('4h', 'continuous'), 365 * 6);
    assert.equal(barsPerYear('5m'), (252 * 6.5 * 60) / 5);
    // The replay reads the same table; an unknown timeframe is taken as daily.
    assert.equal(periodsPerYear('1wk'), 52);
    assert.equal(periodsPerYear('nonsense'), 252);
  });

  test('when a bar is described in words, then only 1d is daily', () => {
    assert.equal(barAdjective('1d'), 'daily');
    assert.equal(barAdjective('4h'), '4-hour');
    assert.deepEqual(TIMEFRAMES.filter(isDailyOrSlower), ['1d', '1w', '1M']);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_CANDLES, parseCandlesJson, parseCandleTime } from '../../src/core/market/candles.ts';
import { appErrorFrom, assertDetail, rows, rowsWith, T0 } from '../helpers/candle-rows.ts';

const NOON = Date.UTC(2024, 0, 2, 12, 0, 0);

describe('parseCandleTime', () => {
  test('when given epoch seconds, then it returns milliseconds', () => {
    assert.equal(parseCandleTime(1_704_196_800), NOON);
    assert.equal(parseCandleTime(1_704_196_800.5), NOON + 500);
  });

  test('when given epoch milliseconds, then it returns them unchanged', () => {
    assert.equal(parseCandleTime(NOON), NOON);
  });

  test('when given epoch seconds or milliseconds as digit strings, then they read like the numbers', () => {
    assert.equal(parseCandleTime('1704196800'), NOON);
    assert.equal(parseCandleTime(` ${NOON} `), NOON);
  });

  test('when given a bare ISO date, then it is midnight UTC', () => {
    assert.equal(parseCandleTime('2024-01-02'), Date.UTC(2024, 0, 2));
  });

  test('when given ISO date-times with Z or an offset, then the offset is applied', () => {
    assert.equal(parseCandleTime('2024-01-02T12:00:00Z'), NOON);
    assert.equal(parseCandleTime('2024-01-02T12:00:00.250Z'), NOON + 250);
    assert.equal(parseCandleTime('2024-01-02T14:00:00+02:00'), NOON);
    assert.equal(parseCandleTime('2024-01-02T07:00:00-05:00'), NOON);
    assert.equal(parseCandleTime('2024-01-02T17:30:00+0530'), NOON);
  });

  test('when an ISO date-time has no offset, then it is read as UTC whatever the server time zone', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      assert.equal(parseCandleTime('2024-01-02T12:00:00'), NOON);
      assert.equal(parseCandleTime('2024-01-02 12:00'), NOON);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  test('when the value is not a usable time, then it is NaN', () => {
    for (const bad of ['', '  ', 'yesterday', '01/02/2024', '2024-13-01', '2024-01-02garbage', null, undefined, true, {}]) {
      assert.ok(Number.isNaN(parseCandleTime(bad)), `${JSON.stringify(bad)} should be NaN`);
    }
    assert.ok(Number.isNaN(parseCandleTime(Number.NaN)));
    assert.ok(Number.isNaN(parseCandleTime(Number.POSITIVE_INFINITY)));
  });

  test('when the calendar date does not exist (Feb 30), then it is NaN rather than rolled into March', () => {
    assert.ok(Number.isNaN(parseCandleTime('2024-02-30')));
    assert.ok(Number.isNaN(parseCandleTime('2023-02-29T10:00:00Z')));
    assert.equal(parseCandleTime('2024-02-29'), Date.UTC(2024, 1, 29));
  });

  test('when the number is beyond the range a Date can hold, then it is NaN', () => {
    assert.ok(Number.isNaN(parseCandleTime(1e16)));
    assert.ok(Number.isNaN(parseCandleTime('99999999999999999999')));
    assert.equal(parseCandleTime(8.64e15), 8.64e15);
  });
});

describe('parseCandlesJson', () => {
  test('when rows mix ISO strings, epoch seconds and epoch milliseconds, then all become increasing ms times', () => {
    const candles = parseCandlesJson([
      { time: '2024-01-02', open: 1, high: 2, low: 0.5, close: 1.5 },
      { time: '2024-01-03T00:00:00+01:00', open: 1, high: 2, low: 0.5, close: 1.5 },
      { time: 1_704_326_400, open: 1, high: 2, low: 0.5, close: 1.5 },
      { time: 1_704_412_800_000, open: 1, high: 2, low: 0.5, close: 1.5 },
    ]);
    assert.deepEqual(
      candles.map((c) => c.time),
      [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 2, 23), Date.UTC(2024, 0, 4), Date.UTC(2024, 0, 5)],
    );
  });

  test('when rows carry extra fields, then they are ignored and not copied', () => {
    const candles = parseCandlesJson(rows(3, () => ({ adjclose: 5, note: 'x', nested: { a: 1 } })));
    assert.deepEqual(Object.keys(candles[0]).sort(), ['close', 'high', 'low', 'open', 'time', 'volume']);
  });

  test('when no row has volume, then the candles have none and that is valid', () => {
    const candles = parseCandlesJson(rows(3, () => ({ volume: undefined })));
    assert.equal(candles.length, 3);
    assert.equal('volume' in candles[0], false);
  });

  test('when volume is given on some rows but not others, then it is invalid_candles naming the field and a row', () => {
    const err = appErrorFrom(() => parseCandlesJson(rowsWith(5, 3, { volume: undefined })), 'invalid_candles');
    assertDetail(err.details, { field: 'volume', row: 3 });
  });

  test('when only one row has volume, then the detail points at that row', () => {
    const err = appErrorFrom(
      () => parseCandlesJson(rows(5, (i) => ({ volume: i === 2 ? 10 : undefined }))),
      'invalid_candles',
    );
    assertDetail(err.details, { field: 'volume', row: 2 });
  });

  test('when the input is not an array, then it is invalid_candles on the candles field', () => {
    for (const bad of [null, {}, 'a,b', 3]) {
      assertDetail(appErrorFrom(() => parseCandlesJson(bad), 'invalid_candles').details, { field: 'candles' });
    }
  });

  test('when a row is not an object, then the only detail names that row (no spurious volume problem)', () => {
    const input: unknown[] = rows(3);
    input[1] = [1, 2, 3, 4, 5];
    const err = appErrorFrom(() => parseCandlesJson(input), 'invalid_candles');
    assertDetail(err.details, { row: 1 });
    assert.equal(err.details.length, 1, JSON.stringify(err.details));
  });

  const nonFinite: [string, unknown][] = [
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a numeric string', '101'],
    ['null', null],
    ['a boolean', true],
  ];
  for (const field of ['open', 'high', 'low', 'close'] as const) {
    for (const [label, value] of nonFinite) {
      test(`when ${field} is ${label}, then the detail names row 2 and ${field}`, () => {
        const err = appErrorFrom(() => parseCandlesJson(rowsWith(4, 2, { [field]: value })), 'invalid_candles');
        assertDetail(err.details, { row: 2, field });
      });
    }
    test(`when ${field} is missing, then the detail names the row and says missing`, () => {
      const input = rows(3);
      delete (input[1] as Record<string, unknown>)[field];
      const d = assertDetail(appErrorFrom(() => parseCandlesJson(input), 'invalid_candles').details, { row: 1, field });
      assert.match(d.message, /missing/);
    });
  }

  test('when every price of a row is zero or negative, then each price field gets its own > 0 detail', () => {
    for (const bad of [0, -1]) {
      const err = appErrorFrom(
        () => parseCandlesJson(rowsWith(3, 1, { open: bad, high: bad, low: bad, close: bad })),
        'invalid_candles',
      );
      for (const field of ['open', 'high', 'low', 'close']) {
        const d = assertDetail(err.details, { row: 1, field });
        assert.match(d.message, /> 0/);
      }
    }
  });

  test('when only the low is zero, then low is named', () => {
    const err = appErrorFrom(() => parseCandlesJson(rowsWith(3, 2, { low: 0 })), 'invalid_candles');
    assertDetail(err.details, { row: 2, field: 'low' });
    assert.equal(err.details.length, 1);
  });

  test('when high is below max(open, close), then the detail names high', () => {
    // open 100, close 102: a high of 101 is above the open but below the close.
    const err = appErrorFrom(() => parseCandlesJson(rowsWith(3, 0, { high: 101 })), 'invalid_candles');
    const d = assertDetail(err.details, { row: 0, field: 'high' });
    assert.match(d.message, /max\(open, close\)/);
  });

  test('when low is above min(open, close), then the detail names low', () => {
    // open 101, close 102 on row 1: a low of 101.5 is below the close but above the open.
    const err = appErrorFrom(() => parseCandlesJson(rowsWith(3, 1, { low: 101.5 })), 'invalid_candles');
    assertDetail(err.details, { row: 1, field: 'low' });
  });

  test('when high equals max(open, close) and low equals min(open, close), then the bar is valid', () => {
    assert.equal(parseCandlesJson(rows(3, (i) => ({ high: 102 + i, low: 100 + i }))).length, 3);
  });

  test('when volume is negative or not a number, then the detail names volume', () => {
    for (const bad of [-1, 'lots', Number.NaN]) {
      const err = appErrorFrom(() => parseCandlesJson(rowsWith(3, 2, { volume: bad })), 'invalid_candles');
      assertDetail(err.details, { row: 2, field: 'volume' });
    }
  });

  test('when volume is zero, then it is valid', () => {
    assert.equal(parseCandlesJson(rows(3, () => ({ volume: 0 })))[0].volume, 0);
  });

  test('when a time is unreadable, then the detail names the row and time', () => {
    const err = appErrorFrom(() => parseCandlesJson(rowsWith(3, 1, { time: 'soon' })), 'invalid_candles');
    assertDetail(err.details, { row: 1, field: 'time' });
  });

  test('when a time is beyond the Date range, then it is a time detail, not a crash', () => {
    const err = appErrorFrom(() => parseCandlesJson(rows(3, (i) => ({ time: 1e16 + i * 1e12 }))), 'invalid_candles');
    assertDetail(err.details, { row: 0, field: 'time' });
  });

  test('when two rows share a time, then the second is named as a duplicate', () => {
    const err = appErrorFrom(() => parseCandlesJson(rowsWith(4, 2, { time: T0 + 86_400 })), 'invalid_candles');
    const d = assertDetail(err.details, { row: 2, field: 'time' });
    assert.match(d.message, /duplicate/);
  });

  test('when the same instant is written as seconds and as milliseconds, then it is still a duplicate', () => {
    const input = rows(2);
    input[1].time = T0 * 1000;
    assertDetail(appErrorFrom(() => parseCandlesJson(input), 'invalid_candles').details, { row: 1, field: 'time' });
  });

  test('when a time goes backwards, then that row is named and the message says times must increase', () => {
    const err = appErrorFrom(() => parseCandlesJson(rowsWith(4, 3, { time: T0 })), 'invalid_candles');
    const d = assertDetail(err.details, { row: 3, field: 'time' });
    assert.match(d.message, /strictly increase/);
  });

  test('when there is one bar or none, then it is invalid_candles on the count', () => {
    for (const n of [0, 1]) {
      const err = appErrorFrom(() => parseCandlesJson(rows(n)), 'invalid_candles');
      assertDetail(err.details, { field: 'candles' });
      assert.match(err.message, new RegExp(`got ${n}`));
    }
  });

  test('when there are 2 bars, then that is enough', () => {
    assert.equal(parseCandlesJson(rows(2)).length, 2);
  });

  test('when there are exactly 10,000 bars, then they are accepted', () => {
    assert.equal(MAX_CANDLES, 10_000);
    assert.equal(parseCandlesJson(rows(10_000)).length, 10_000);
  });

  test('when there are 10,001 bars, then it is invalid_candles on the count', () => {
    const err = appErrorFrom(() => parseCandlesJson(rows(10_001)), 'invalid_candles');
    assertDetail(err.details, { field: 'candles' });
    assert.match(err.message, /10001/);
  });

  test('when one row breaks several rules, then every problem is listed', () => {
    const err = appErrorFrom(
      () => parseCandlesJson(rowsWith(3, 1, { time: 'x', open: -5, volume: -1 })),
      'invalid_candles',
    );
    for (const field of ['time', 'open', 'volume']) assertDetail(err.details, { row: 1, field });
  });

  test('when many rows are bad, then at most 50 details are listed but the message counts them all', () => {
    const err = appErrorFrom(() => parseCandlesJson(rows(200, () => ({ volume: -1 }))), 'invalid_candles');
    assert.equal(err.details.length, 50);
    assert.match(err.message, /^200 problem\(s\)/);
    assert.match(err.message, /first 50 listed/);
    assert.deepEqual(
      err.details.slice(0, 3).map((d) => d.row),
      [0, 1, 2],
    );
  });
});

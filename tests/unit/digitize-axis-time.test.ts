import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assignBarTimes, parseTimeLabel, readTimeLabels, type TimeAnchor } from '../../src/core/digitize/time-labels.ts';
import type { AxisLabel } from '../../src/core/digitize/types.ts';
import { sp500 } from '../helpers/sample-data.ts';

const utc = (y: number, m: number, d = 1, h = 0, min = 0): number => Date.UTC(y, m - 1, d, h, min);
const DAY = 86_400_000;

describe('parseTimeLabel', () => {
  const table: [string, object][] = [
    ['2020-03-06', { year: 2020, month: 3, day: 6 }],
    ['2020/03/06', { year: 2020, month: 3, day: 6 }],
    ['2020-03-06 15:30', { year: 2020, month: 3, day: 6, minutes: 930 }],
    ['2020-03', { year: 2020, month: 3 }],
    ['2019', { year: 2019 }],
    ['Mar', { month: 3 }],
    ['March', { month: 3 }],
    ['Sept', { month: 9 }],
    ['Mar 2020', { year: 2020, month: 3 }],
    ["Jan '20", { year: 2020, month: 1 }],
    ["Mar'20", { year: 2020, month: 3 }],
    ['Mar-20', { year: 2020, month: 3 }],
    ['15:30', { minutes: 930 }],
    ['9:05', { minutes: 545 }],
    ['Apr 17', { month: 4, day: 17 }],
    ['17 Apr', { month: 4, day: 17 }],
    ['Apr 17, 2020', { year: 2020, month: 4, day: 17 }],
    ['17 Apr 2020', { year: 2020, month: 4, day: 17 }],
    ['17', { day: 17 }],
    ['03/06/2020', { year: 2020, month: 3, day: 6 }],
    ['06.03.2020', { year: 2020, month: 3, day: 6 }],
    // OCR confusions
    ['0ct', { month: 10 }],
    ['Ju1', { month: 7 }],
    ['5ep 2019', { year: 2019, month: 9 }],
    ['2O2O-O3', { year: 2020, month: 3 }],
    ['2Ol9', { year: 2019 }],
  ];
  for (const [text, want] of table) {
    test(`when the label is ${JSON.stringify(text)}, then it states ${JSON.stringify(want)}`, () => {
      assert.deepEqual(parseTimeLabel(text), want);
    });
  }

  test('when a slashed date could only be day first, then the axis can say so', () => {
    assert.deepEqual(parseTimeLabel('03/06/2020', true), { year: 2020, month: 6, day: 3 });
  });

  for (const text of ['', 'abc', '3,400', '13:75', '2020-13', '2020-02-30', 'Foo 2020', '1850', '45', 'Mar Apr', '2019 2020', 'Feb 30 2021']) {
    test(`when the label is ${JSON.stringify(text)}, then it is not a time`, () => {
      assert.equal(typeof parseTimeLabel(text), 'string');
    });
  }
});

const labels = (texts: string[], x0 = 50, dx = 100): AxisLabel[] => texts.map((text, k) => ({ text, at: x0 + dx * k, confidence: 90 }));

describe('readTimeLabels', () => {
  test('when full dates are read, then each is an anchor at its column', () => {
    const r = readTimeLabels(labels(['2019-09-13', '2019-10-11', '2019-11-08']));
    assert.equal(r.dateKnown, true);
    assert.deepEqual(
      r.anchors.map((a) => [a.x, a.time, a.precision]),
      [
        [50, utc(2019, 9, 13), 'day'],
        [150, utc(2019, 10, 11), 'day'],
        [250, utc(2019, 11, 8), 'day'],
      ],
    );
  });

  test('when a year label leads bare months (matplotlib concise dates), then the months take its year and roll over', () => {
    const r = readTimeLabels(labels(['Nov', 'Dec', '2020', 'Feb', 'Mar']));
    assert.deepEqual(
      r.anchors.map((a) => a.time),
      [utc(2019, 11), utc(2019, 12), utc(2020, 1), utc(2020, 2), utc(2020, 3)],
    );
    assert.deepEqual(
      r.anchors.map((a) => a.precision),
      ['month', 'month', 'year', 'month', 'month'],
    );
  });

  test("when months carry 'YY years, then those are read", () => {
    const r = readTimeLabels(labels(["Nov '19", "Jan '20", "Mar '20"]));
    assert.deepEqual(
      r.anchors.map((a) => a.time),
      [utc(2019, 11), utc(2020, 1), utc(2020, 3)],
    );
  });

  test('when no label names a year, then there are no anchors unless a year is given', () => {
    const texts = ['Oct', 'Nov', 'Dec', 'Jan', 'Feb'];
    const none = readTimeLabels(labels(texts));
    assert.deepEqual(none.anchors, []);
    assert.equal(none.rejected.length, 5);
    const given = readTimeLabels(labels(texts), { year: 2020 });
    assert.deepEqual(
      given.anchors.map((a) => a.time),
      [utc(2019, 10), utc(2019, 11), utc(2019, 12), utc(2020, 1), utc(2020, 2)],
    );
  });

  test('when bare day numbers follow a month (TradingView daily), then they take its month, rolling into the next', () => {
    const r = readTimeLabels(labels(['Mar 2020', '9', '16', '23', '30', 'Apr', '13']));
    assert.deepEqual(
      r.anchors.map((a) => a.time),
      [utc(2020, 3), utc(2020, 3, 9), utc(2020, 3, 16), utc(2020, 3, 23), utc(2020, 3, 30), utc(2020, 4), utc(2020, 4, 13)],
    );
  });

  test('when times of day sit between day labels, then they take the date on their left, or the day before the first', () => {
    const r = readTimeLabels(labels(['14:00', 'Apr 17 2020', '10:00', '12:00', '14:00', '10:00']));
    assert.deepEqual(
      r.anchors.map((a) => a.time),
      [utc(2020, 4, 16, 14), utc(2020, 4, 17), utc(2020, 4, 17, 10), utc(2020, 4, 17, 12), utc(2020, 4, 17, 14), utc(2020, 4, 18, 10)],
    );
    assert.equal(r.dateKnown, true);
  });

  test('when only times of day are legible, then the anchors space the bars but the date is unknown', () => {
    const r = readTimeLabels(labels(['09:30', '10:00', '10:30', '11:00']));
    assert.equal(r.dateKnown, false);
    assert.deepEqual(
      r.anchors.map((a) => a.time),
      [9.5, 10, 10.5, 11].map((h) => h * 3_600_000),
    );
  });

  test('when a label is misread out of order or is not a time, then it is rejected and the rest stay', () => {
    const r = readTimeLabels(labels(['2019-09-13', '2019-10-11', '2010-11-08', '2019-12-09', 'SPX']));
    assert.deepEqual(
      r.anchors.map((a) => a.text),
      ['2019-09-13', '2019-10-11', '2019-12-09'],
    );
    assert.deepEqual(r.rejected.map((x) => x.text).sort(), ['2010-11-08', 'SPX']);
  });

  test('when fewer than two labels read as times, then there are none', () => {
    assert.deepEqual(readTimeLabels(labels(['2019-09-13', 'abc'])).anchors, []);
    assert.deepEqual(readTimeLabels([]).anchors, []);
  });
});

describe('assignBarTimes', () => {
  const candles = sp500().slice(-150);
  const xs = candles.map((_, i) => 32 + 6.3 * i);
  const anchorAt = (i: number, precision: TimeAnchor['precision'] = 'day'): TimeAnchor => ({ x: xs[i] + 0.4, time: candles[i].time, precision, text: '' });

  test('when daily stock bars are evenly spaced with a dated label every 20 bars, then most bars get their exact date', () => {
    const anchors = [0, 20, 40, 60, 80, 100, 120, 140].map((i) => anchorAt(i));
    const r = assignBarTimes(anchors, xs);
    assert.ok(r);
    assert.deepEqual(r.period, { unit: 'day', business: true });
    assert.equal(r.axis, 'index');
    const exact = r.times.filter((t, i) => t === candles[i].time).length;
    assert.ok(exact >= 148, `${exact} of 150 exact`);
    for (const i of [0, 20, 140]) assert.equal(r.times[i], candles[i].time);
    r.times.forEach((t, i) => assert.ok(Math.abs(t - candles[i].time) <= 3 * DAY, `bar ${i}`));
    for (let i = 1; i < r.times.length; i++) assert.ok(r.times[i] > r.times[i - 1]);
    for (const t of r.times) assert.ok(![0, 6].includes(new Date(t).getUTCDay()));
  });

  test('when only month labels are legible, then bars get business days near their dates', () => {
    const firstOfMonth = candles.map((c, i) => i).filter((i) => i > 0 && new Date(candles[i].time).getUTCMonth() !== new Date(candles[i - 1].time).getUTCMonth());
    const anchors = firstOfMonth.map((i) => {
      const d = new Date(candles[i].time);
      return { x: xs[i], time: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), precision: 'month' as const, text: '' };
    });
    const r = assignBarTimes(anchors, xs);
    assert.ok(r);
    assert.deepEqual(r.period, { unit: 'day', business: true });
    for (const i of firstOfMonth) assert.equal(r.times[i], candles[i].time);
    r.times.forEach((t, i) => assert.ok(Math.abs(t - candles[i].time) <= 4 * DAY, `bar ${i}`));
  });

  test('when bars are weekly, then the period is a week and bars step by seven days', () => {
    const mondays = Array.from({ length: 60 }, (_, i) => utc(2019, 1, 7) + i * 7 * DAY);
    const wx = mondays.map((_, i) => 20 + 10 * i);
    const r = assignBarTimes(
      [0, 25, 50].map((i) => ({ x: wx[i], time: mondays[i], precision: 'day' as const, text: '' })),
      wx,
    );
    assert.ok(r);
    assert.deepEqual(r.period, { unit: 'week' });
    assert.deepEqual(r.times, mondays);
  });

  test('when bars are 5-minute intraday, then each bar gets its minute', () => {
    const t0 = utc(2020, 4, 17, 13, 30);
    const times = Array.from({ length: 78 }, (_, i) => t0 + i * 300_000);
    const bx = times.map((_, i) => 5 + 12 * i);
    const r = assignBarTimes(
      [6, 18, 30, 42, 54, 66].map((i) => ({ x: bx[i], time: times[i], precision: 'minute' as const, text: '' })),
      bx,
    );
    assert.ok(r);
    assert.deepEqual(r.period, { unit: 'minute', minutes: 5 });
    assert.deepEqual(r.times, times);
  });

  test('when x is proportional to time (weekend gaps on a date axis), then each bar takes the day at its column', () => {
    const t0 = candles[0].time;
    const px = candles.map((c) => 100 + ((c.time - t0) / DAY) * 3.1);
    const months = [utc(2019, 10), utc(2019, 11), utc(2019, 12), utc(2020, 1), utc(2020, 2), utc(2020, 3), utc(2020, 4)];
    const anchors = months.map((time) => ({ x: 100 + ((time - t0) / DAY) * 3.1 + 0.3, time, precision: 'month' as const, text: '' }));
    const r = assignBarTimes(anchors, px);
    assert.ok(r);
    assert.equal(r.axis, 'time');
    assert.deepEqual(r.period, { unit: 'day', business: true });
    assert.deepEqual(
      r.times,
      candles.map((c) => c.time),
    );
  });

  test('when there are too few anchors or the bars are not in order, then there are no times', () => {
    assert.equal(assignBarTimes([anchorAt(0)], xs), null);
    assert.equal(assignBarTimes([anchorAt(0), anchorAt(20)], [...xs].reverse()), null);
  });
});

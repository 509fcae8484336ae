import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCandlesCsv } from '../../src/core/market/candles.ts';
import { parseCsvRecords } from '../../src/core/market/csv.ts';
import { appErrorFrom, assertDetail, sampleCsvText } from '../helpers/candle-rows.ts';

const HEADER = 'date,open,high,low,close,volume';
const BODY = ['2024-01-02,100,103,99,102,1000', '2024-01-03,102,105,101,104,1100', '2024-01-04,104,106,100,101,1200'];
const PLAIN = [HEADER, ...BODY].join('\n');
const DAY1 = Date.UTC(2024, 0, 2);

describe('parseCsvRecords', () => {
  test('when lines end in LF, then each line is one record with its 1-based line number', () => {
    const recs = parseCsvRecords('a,b\n1,2\n3,4');
    assert.deepEqual(recs, [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  test('when lines end in CRLF, then no field keeps a carriage return', () => {
    const recs = parseCsvRecords('a,b\r\n1,2\r\n3,4\r\n');
    assert.deepEqual(
      recs.map((r) => r.fields),
      [
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ],
    );
    assert.deepEqual(
      recs.map((r) => r.line),
      [1, 2, 3],
    );
  });

  test('when lines end in a bare CR, then they still split', () => {
    assert.deepEqual(
      parseCsvRecords('a,b\r1,2').map((r) => r.fields),
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    );
  });

  test('when the text starts with a BOM, then the first header field does not contain it', () => {
    const recs = parseCsvRecords('\uFEFFdate,open\n1,2');
    assert.equal(recs[0].fields[0], 'date');
  });

  test('when a quoted field holds commas and doubled quotes, then it is one field with literal quotes', () => {
    const recs = parseCsvRecords('name,note\n"a, b","say ""hi"", ok"');
    assert.deepEqual(recs[1].fields, ['a, b', 'say "hi", ok']);
  });

  test('when a quoted field spans lines, then the record keeps its start line and the next record is numbered after it', () => {
    const recs = parseCsvRecords('h1,h2\n"multi\nline",x\nnext,y');
    assert.deepEqual(recs[1], { line: 2, fields: ['multi\nline', 'x'] });
    assert.deepEqual(recs[2], { line: 4, fields: ['next', 'y'] });
  });

  test('when blank lines and a trailing newline are present, then they produce no records', () => {
    const recs = parseCsvRecords('a,b\n\n1,2\n\n');
    assert.deepEqual(
      recs.map((r) => r.line),
      [1, 3],
    );
  });

  test('when a quote is never closed, then it is invalid_csv naming the line the field started on', () => {
    const err = appErrorFrom(() => parseCsvRecords('a,b\n1,2\n3,"oops\n4,5'), 'invalid_csv');
    assertDetail(err.details, { line: 3 });
    assert.match(err.message, /line 3/);
  });

  test('when text follows a closing quote, then it is invalid_csv naming the line', () => {
    const err = appErrorFrom(() => parseCsvRecords('a,b\n"x"y,2'), 'invalid_csv');
    assertDetail(err.details, { line: 2 });
  });

  test('when a quote appears inside an unquoted field, then it is invalid_csv naming the line', () => {
    const err = appErrorFrom(() => parseCsvRecords('a,b\n1,2\nab"c,2'), 'invalid_csv');
    assertDetail(err.details, { line: 3 });
  });
});

describe('parseCandlesCsv', () => {
  test('when the CSV is plain, then every row becomes a candle with the time at midnight UTC', () => {
    const candles = parseCandlesCsv(PLAIN);
    assert.equal(candles.length, 3);
    assert.deepEqual(candles[0], { time: DAY1, open: 100, high: 103, low: 99, close: 102, volume: 1000 });
    assert.equal(candles[2].time - candles[1].time, 86_400_000);
  });

  test('when the CSV has a BOM, CRLF line ends and quoted fields, then it parses to the same candles', () => {
    const quoted = BODY.map((l) => l.split(',').map((f) => `"${f}"`).join(','));
    const messy = `\uFEFF${['"date","open","high","low","close","volume"', ...quoted].join('\r\n')}\r\n`;
    assert.deepEqual(parseCandlesCsv(messy), parseCandlesCsv(PLAIN));
  });

  test('when the header is in mixed case with spaces, then it is still recognised', () => {
    const text = [' Date ,OPEN,High,LOW,Close,VOLUME', ...BODY].join('\n');
    assert.deepEqual(parseCandlesCsv(text), parseCandlesCsv(PLAIN));
  });

  for (const alias of ['date', 'time', 'timestamp', 'datetime', 'TimeStamp', 'DATETIME']) {
    test(`when the time column is called "${alias}", then it is used as the time`, () => {
      const text = [`${alias},open,high,low,close`, '2024-01-02,1,2,1,1.5', '2024-01-03,1,2,1,1.5'].join('\n');
      const candles = parseCandlesCsv(text);
      assert.equal(candles[0].time, DAY1);
    });
  }

  test('when the columns are in another order and extra columns (adjclose, note) are present, then the extras are ignored', () => {
    const text = [
      'note,close,adjclose,low,high,open,date,volume',
      'x,102,1,99,103,100,2024-01-02,1000',
      'y,104,2,101,105,102,2024-01-03,1100',
    ].join('\n');
    const candles = parseCandlesCsv(text);
    assert.deepEqual(candles[0], { time: DAY1, open: 100, high: 103, low: 99, close: 102, volume: 1000 });
    assert.deepEqual(Object.keys(candles[1]).sort(), ['close', 'high', 'low', 'open', 'time', 'volume']);
  });

  test('when there is no volume column, then the candles have no volume', () => {
    const candles = parseCandlesCsv(['time,open,high,low,close', '2024-01-02,1,2,1,1.5', '2024-01-03,1,2,1,1.5'].join('\n'));
    assert.equal('volume' in candles[0], false);
  });

  for (const column of ['open', 'high', 'low', 'close']) {
    test(`when the "${column}" column is missing, then it is invalid_csv naming the column and line 1`, () => {
      const header = ['date', 'open', 'high', 'low', 'close'].filter((c) => c !== column).join(',');
      const err = appErrorFrom(() => parseCandlesCsv(`${header}\n2024-01-02,1,2,1\n2024-01-03,1,2,1`), 'invalid_csv');
      assert.match(err.message, new RegExp(`\\b${column}\\b`));
      assertDetail(err.details, { line: 1 });
    });
  }

  test('when no time column exists, then it is invalid_csv listing the accepted names', () => {
    const err = appErrorFrom(() => parseCandlesCsv('when,open,high,low,close\nx,1,2,1,1\ny,1,2,1,1'), 'invalid_csv');
    assert.match(err.message, /date\|time\|timestamp\|datetime/);
  });

  test('when a line has the wrong number of fields, then it is invalid_csv naming that line', () => {
    const text = [HEADER, BODY[0], BODY[1], '2024-01-04,104,106,100', BODY[2]].join('\n');
    const err = appErrorFrom(() => parseCandlesCsv(text), 'invalid_csv');
    assertDetail(err.details, { line: 4 });
    assert.match(err.message, /Line 4 has 4 fields; the header has 6/);
  });

  test('when a line has an extra field, then it is invalid_csv naming that line', () => {
    const text = [HEADER, BODY[0], `${BODY[1]},9`].join('\n');
    assertDetail(appErrorFrom(() => parseCandlesCsv(text), 'invalid_csv').details, { line: 3 });
  });

  test('when the CSV is empty, then it is invalid_csv', () => {
    appErrorFrom(() => parseCandlesCsv(''), 'invalid_csv');
    appErrorFrom(() => parseCandlesCsv('\uFEFF\r\n\r\n'), 'invalid_csv');
  });

  test('when the CSV has a header only, then it is invalid_candles for too few bars', () => {
    const err = appErrorFrom(() => parseCandlesCsv(`${HEADER}\n`), 'invalid_candles');
    assert.match(err.message, /got 0/);
  });

  test('when a price is not a number, then the detail names row, line and field and quotes the text', () => {
    const text = [HEADER, BODY[0], '2024-01-03,abc,105,101,104,1100', BODY[2]].join('\n');
    const err = appErrorFrom(() => parseCandlesCsv(text), 'invalid_candles');
    const d = assertDetail(err.details, { row: 1, line: 3, field: 'open' });
    assert.match(d.message, /abc/);
  });

  test('when a price is the text NaN or Infinity, then it is rejected as not finite', () => {
    for (const bad of ['NaN', 'Infinity', '-Infinity']) {
      const text = [HEADER, BODY[0], `2024-01-03,102,${bad},101,104,1100`].join('\n');
      assertDetail(appErrorFrom(() => parseCandlesCsv(text), 'invalid_candles').details, { row: 1, line: 3, field: 'high' });
    }
  });

  test('when a quoted field spans lines, then later row errors name the physical line', () => {
    const text = ['date,open,high,low,close,note', '2024-01-02,1,2,1,1,"two\nlines"', '2024-01-03,1,2,1,-1,x'].join('\n');
    assertDetail(appErrorFrom(() => parseCandlesCsv(text), 'invalid_candles').details, { row: 1, line: 4, field: 'close' });
  });

  test('when the time column holds epoch seconds, then they are read as seconds', () => {
    const candles = parseCandlesCsv(['timestamp,open,high,low,close', '1704153600,1,2,1,1', '1704240000,1,2,1,1'].join('\n'));
    assert.equal(candles[0].time, DAY1);
  });

  test('when volume is blank on some lines only, then it is invalid_candles about the volume field', () => {
    const text = [HEADER, BODY[0], '2024-01-03,102,105,101,104,', BODY[2]].join('\n');
    const err = appErrorFrom(() => parseCandlesCsv(text), 'invalid_candles');
    assertDetail(err.details, { field: 'volume', row: 1 });
  });

  test('when the real S&P 500 sample is parsed, then it has 5,105 bars from 2000-01-03 to 2020-04-17', () => {
    const candles = parseCandlesCsv(sampleCsvText());
    assert.equal(candles.length, 5105);
    assert.deepEqual(candles[0], {
      time: Date.UTC(2000, 0, 3),
      open: 1469.25,
      high: 1478,
      low: 1438.359985,
      close: 1455.219971,
      volume: 931_800_000,
    });
    assert.equal(candles.at(-1)?.time, Date.UTC(2020, 3, 17));
    assert.equal(candles.at(-1)?.close, 2874.560059);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import request from 'supertest';
import type { ErrorDetail } from '../../src/core/errors.ts';
import { assertDetail, DAY_SECONDS, lastSampleCsv, type Row, rows, rowsWith, T0 } from '../helpers/candle-rows.ts';
import { httpApp } from '../helpers/http-app.ts';

const app = httpApp();
const ENDPOINTS = ['/v1/indicators', '/v1/render'] as const;

interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

/** Assert a JSON error with this status and code (and never a 5xx); return its body. */
function expectError(res: request.Response, status: number, code: string): ErrorBody {
  assert.ok(res.status < 500, `a 5xx answered bad input: ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  const body = res.body as ErrorBody;
  assert.equal(body.error.code, code, body.error.message);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(Array.isArray(body.error.details));
  return body;
}

function postJson(path: string, body: unknown): request.Test {
  return request(app).post(path).set('Content-Type', 'application/json').send(JSON.stringify(body));
}

/** Each validation rule: the rows that break it, and the detail that must name where. */
const RULES: { name: string; candles: () => Row[]; detail: Partial<ErrorDetail> }[] = [
  { name: 'a price is a string', candles: () => rowsWith(5, 2, { open: '101' }), detail: { row: 2, field: 'open' } },
  { name: 'a price is null', candles: () => rowsWith(5, 3, { close: null }), detail: { row: 3, field: 'close' } },
  { name: 'a price is missing', candles: () => rowsWith(5, 1, { high: undefined }), detail: { row: 1, field: 'high' } },
  { name: 'a price is negative', candles: () => rowsWith(5, 4, { low: -1 }), detail: { row: 4, field: 'low' } },
  {
    name: 'a price is zero',
    candles: () => rowsWith(5, 0, { open: 0, low: 0 }),
    detail: { row: 0, field: 'open' },
  },
  { name: 'high < max(open, close)', candles: () => rowsWith(5, 2, { high: 101.5 }), detail: { row: 2, field: 'high' } },
  { name: 'low > min(open, close)', candles: () => rowsWith(5, 1, { low: 101.5 }), detail: { row: 1, field: 'low' } },
  { name: 'volume is negative', candles: () => rowsWith(5, 3, { volume: -10 }), detail: { row: 3, field: 'volume' } },
  { name: 'volume is a string', candles: () => rowsWith(5, 3, { volume: 'many' }), detail: { row: 3, field: 'volume' } },
  {
    name: 'volume is on some rows only',
    candles: () => rowsWith(5, 2, { volume: undefined }),
    detail: { row: 2, field: 'volume' },
  },
  {
    name: 'a time is duplicated',
    candles: () => rowsWith(5, 3, { time: T0 + 2 * DAY_SECONDS }),
    detail: { row: 3, field: 'time' },
  },
  { name: 'a time goes backwards', candles: () => rowsWith(5, 4, { time: T0 }), detail: { row: 4, field: 'time' } },
  { name: 'a time is unreadable', candles: () => rowsWith(5, 1, { time: 'last tuesday' }), detail: { row: 1, field: 'time' } },
  {
    name: 'a time is beyond the Date range',
    candles: () => rows(3, (i) => ({ time: 1e16 + i * 1e12 })),
    detail: { row: 0, field: 'time' },
  },
  { name: 'a row is not an object', candles: () => [...rows(2), 5 as unknown as Row], detail: { row: 2 } },
  { name: 'there is 1 bar', candles: () => rows(1), detail: { field: 'candles' } },
  { name: 'there are no bars', candles: () => [], detail: { field: 'candles' } },
  { name: 'there are 10,001 bars', candles: () => rows(10_001), detail: { field: 'candles' } },
];

for (const path of ENDPOINTS) {
  describe(`POST ${path} validation`, () => {
    for (const rule of RULES) {
      test(`when ${rule.name}, then 422 invalid_candles names ${JSON.stringify(rule.detail)}`, async () => {
        const res = await postJson(path, { symbol: 'TEST', candles: rule.candles() });
        assertDetail(expectError(res, 422, 'invalid_candles').error.details, rule.detail);
      });
    }

    test('when a JSON number overflows (1e309 parses as Infinity), then 422 names the row and field', async () => {
      const good = JSON.stringify(rows(3)).slice(1, -1);
      const raw = `{"candles":[{"time":1,"open":1e309,"high":2,"low":1,"close":1.5},${good}]}`;
      const res = await request(app).post(path).set('Content-Type', 'application/json').send(raw);
      const d = assertDetail(expectError(res, 422, 'invalid_candles').error.details, { row: 0, field: 'open' });
      assert.match(d.message, /Infinity/);
    });

    test('when -1e309 is a volume, then 422 names volume', async () => {
      const raw = `{"candles":[{"time":1,"open":1,"high":2,"low":1,"close":1.5,"volume":-1e309},{"time":2,"open":1,"high":2,"low":1,"close":1.5,"volume":1}]}`;
      const res = await request(app).post(path).set('Content-Type', 'application/json').send(raw);
      assertDetail(expectError(res, 422, 'invalid_candles').error.details, { row: 0, field: 'volume' });
    });

    test('when many rows are bad, then at most 50 details come back and the message counts all', async () => {
      const res = await postJson(path, { candles: rows(120, () => ({ volume: -1 })) });
      const body = expectError(res, 422, 'invalid_candles');
      assert.equal(body.error.details.length, 50);
      assert.match(body.error.message, /^120 problem/);
    });

    test('when the CSV in a JSON body has a bad price, then 422 names row, line and field', async () => {
      const csv = ['date,open,high,low,close', '2024-01-02,1,2,1,1.5', '2024-01-03,1,2,-1,1.5'].join('\n');
      const res = await postJson(path, { csv });
      assertDetail(expectError(res, 422, 'invalid_candles').error.details, { row: 1, line: 3, field: 'low' });
    });

    test('when the CSV has a line with the wrong field count, then 400 invalid_csv names the line', async () => {
      const csv = ['date,open,high,low,close', '2024-01-02,1,2,1,1.5', '2024-01-03,1,2'].join('\n');
      const res = await postJson(path, { csv });
      assertDetail(expectError(res, 400, 'invalid_csv').error.details, { line: 3 });
    });

    test('when the CSV lacks a price column, then 400 invalid_csv', async () => {
      const res = await postJson(path, { csv: 'date,open,high,low\n2024-01-02,1,2,1\n2024-01-03,1,2,1' });
      assert.match(expectError(res, 400, 'invalid_csv').error.message, /close/);
    });

    test('when the CSV has an unterminated quote, then 400 invalid_csv names the line', async () => {
      const res = await postJson(path, { csv: 'date,open,high,low,close\n"2024-01-02,1,2,1,1.5' });
      assertDetail(expectError(res, 400, 'invalid_csv').error.details, { line: 2 });
    });

    test('when a raw text/csv body breaks a rule, then 422 names row, line and field', async () => {
      const csv = ['date,open,high,low,close', '2024-01-02,1,2,1,1.5', '2024-01-02,1,2,1,1.5'].join('\r\n');
      const res = await request(app).post(`${path}?symbol=X`).set('Content-Type', 'text/csv').send(csv);
      assertDetail(expectError(res, 422, 'invalid_candles').error.details, { row: 1, line: 3, field: 'time' });
    });

    test('when the JSON is malformed, then 400 invalid_json', async () => {
      const res = await request(app).post(path).set('Content-Type', 'application/json').send('{"candles": [');
      expectError(res, 400, 'invalid_json');
    });

    test('when the body is a JSON array, then 400 invalid_request', async () => {
      const res = await postJson(path, rows(3));
      expectError(res, 400, 'invalid_request');
    });

    test('when the body is JSON null or a bare string, then 400', async () => {
      for (const raw of ['null', '"candles"', '42']) {
        const res = await request(app).post(path).set('Content-Type', 'application/json').send(raw);
        assert.equal(res.status, 400, raw);
        assert.match((res.body as ErrorBody).error.code, /^invalid_(json|request)$/);
      }
    });

    test('when the body has an unknown top-level field, then 400 unknown_field names it', async () => {
      const res = await postJson(path, { candels: rows(3), candles: rows(3) });
      const body = expectError(res, 400, 'unknown_field');
      assertDetail(body.error.details, { field: 'candels' });
      assert.match(body.error.message, /candels/);
    });

    test('when candle rows carry extra fields, then they are ignored and the request succeeds', async () => {
      const res = await postJson(path, { candles: rows(30, (i) => ({ adjclose: i, note: 'x' })) });
      assert.equal(res.status, 200);
    });

    test('when both candles and csv are sent, then 400 invalid_request', async () => {
      const res = await postJson(path, { candles: rows(3), csv: 'date,open,high,low,close' });
      assertDetail(expectError(res, 400, 'invalid_request').error.details, { field: 'csv' });
    });

    test('when neither candles nor csv is sent, then 400 invalid_request', async () => {
      const res = await postJson(path, { symbol: 'SPX' });
      assertDetail(expectError(res, 400, 'invalid_request').error.details, { field: 'candles' });
    });

    test('when the JSON body is empty, then 400 invalid_request (neither candles nor csv)', async () => {
      const res = await request(app).post(path).set('Content-Type', 'application/json').send('');
      expectError(res, 400, 'invalid_request');
    });

    test('when candles is not an array, then 422 invalid_candles on the candles field', async () => {
      const res = await postJson(path, { candles: { time: 1 } });
      assertDetail(expectError(res, 422, 'invalid_candles').error.details, { field: 'candles' });
    });

    test('when csv is not a string or symbol is too long, then 400 invalid_request names the field', async () => {
      let res = await postJson(path, { csv: 12 });
      assertDetail(expectError(res, 400, 'invalid_request').error.details, { field: 'csv' });
      res = await postJson(path, { candles: rows(3), symbol: 'X'.repeat(33) });
      assertDetail(expectError(res, 400, 'invalid_request').error.details, { field: 'symbol' });
    });

    test('when the content type is application/xml, then 415 unsupported_media_type', async () => {
      const res = await request(app).post(path).set('Content-Type', 'application/xml').send('<candles/>');
      expectError(res, 415, 'unsupported_media_type');
    });

    test('when the content type is form-encoded, then 415', async () => {
      const res = await request(app).post(path).set('Content-Type', 'application/x-www-form-urlencoded').send('a=1');
      expectError(res, 415, 'unsupported_media_type');
    });

    test('when the charset is unsupported, then 415', async () => {
      const res = await request(app).post(path).set('Content-Type', 'application/json; charset=klingon').send('{}');
      expectError(res, 415, 'unsupported_media_type');
    });

    test('when the body is larger than maxBodyBytes, then 413 payload_too_large for JSON and CSV', async () => {
      const small = httpApp(2048);
      let res = await request(small)
        .post(path)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ candles: rows(100) }));
      expectError(res, 413, 'payload_too_large');
      res = await request(small).post(path).set('Content-Type', 'text/csv').send(lastSampleCsv(100));
      expectError(res, 413, 'payload_too_large');
    });

    test('when the body fits within a small maxBodyBytes, then it is accepted', async () => {
      const small = httpApp(2048);
      const body = JSON.stringify({ candles: rows(3) });
      assert.ok(body.length < 2048);
      const res = await request(small).post(path).set('Content-Type', 'application/json').send(body);
      assert.equal(res.status, 200);
    });

    test('when a raw text/csv body comes with ?symbol=&timeframe=, then it succeeds', async () => {
      const res = await request(app)
        .post(`${path}?symbol=SPX&timeframe=1d`)
        .set('Content-Type', 'text/csv')
        .send(lastSampleCsv(60));
      assert.equal(res.status, 200);
      if (path === '/v1/indicators') {
        assert.equal(res.body.symbol, 'SPX');
        assert.equal(res.body.timeframe, '1d');
        assert.equal(res.body.facts.bars, 60);
      } else {
        assert.equal(res.headers['content-type'], 'image/png');
      }
    });

    test('when a raw text/plain CSV body with a BOM and CRLF is sent, then it succeeds', async () => {
      const csv = `\uFEFF${lastSampleCsv(40).replace(/\n/g, '\r\n')}\r\n`;
      const res = await request(app).post(path).set('Content-Type', 'text/plain; charset=utf-8').send(csv);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });
  });
}

describe('POST /v1/render chart options', () => {
  const candles = rows(30);
  const cases: { name: string; chart: unknown; status: number; code: string; field: string }[] = [
    { name: 'width is 99999', chart: { width: 99_999 }, status: 400, code: 'invalid_chart_options', field: 'chart.width' },
    { name: 'height is 10', chart: { height: 10 }, status: 400, code: 'invalid_chart_options', field: 'chart.height' },
    { name: 'width is not an integer', chart: { width: 800.5 }, status: 400, code: 'invalid_chart_options', field: 'chart.width' },
    { name: 'width is a string', chart: { width: '800' }, status: 400, code: 'invalid_chart_options', field: 'chart.width' },
    {
      name: 'an overlay is unknown',
      chart: { overlays: ['sma20', 'vwap'] },
      status: 400,
      code: 'invalid_chart_options',
      field: 'chart.overlays.1',
    },
    { name: 'a pane is unknown', chart: { panes: ['cci'] }, status: 400, code: 'invalid_chart_options', field: 'chart.panes.0' },
    { name: 'style is unknown', chart: { style: 'line' }, status: 400, code: 'invalid_chart_options', field: 'chart.style' },
    { name: 'theme is unknown', chart: { theme: 'blue' }, status: 400, code: 'invalid_chart_options', field: 'chart.theme' },
    { name: 'last is 1', chart: { last: 1 }, status: 400, code: 'invalid_chart_options', field: 'chart.last' },
    { name: 'volume is a string', chart: { volume: 'yes' }, status: 400, code: 'invalid_chart_options', field: 'chart.volume' },
    { name: 'chart is null', chart: null, status: 400, code: 'invalid_chart_options', field: 'chart' },
    { name: 'a chart option key is unknown', chart: { colour: 'red' }, status: 400, code: 'unknown_field', field: 'chart.colour' },
  ];
  for (const c of cases) {
    test(`when ${c.name}, then ${c.status} ${c.code} names ${c.field}`, async () => {
      const res = await postJson('/v1/render', { candles, chart: c.chart });
      assertDetail(expectError(res, c.status, c.code).error.details, { field: c.field });
    });
  }

  test('when width is 1e309 in the raw JSON, then 400 invalid_chart_options', async () => {
    const raw = `{"chart":{"width":1e309},"candles":${JSON.stringify(candles)}}`;
    const res = await request(app).post('/v1/render').set('Content-Type', 'application/json').send(raw);
    assertDetail(expectError(res, 400, 'invalid_chart_options').error.details, { field: 'chart.width' });
  });

  test('when chart options are sent to /v1/indicators, then 400 unknown_field names chart', async () => {
    const res = await postJson('/v1/indicators', { candles, chart: { width: 800 } });
    assertDetail(expectError(res, 400, 'unknown_field').error.details, { field: 'chart' });
  });
});

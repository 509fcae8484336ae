/** POST /v1/indicators lists every candlestick hit of the bars a chart would draw, as the verifier sees them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import request from 'supertest';
import { httpApp } from '../helpers/http-app.ts';
import { lastSampleCsv } from '../helpers/candle-rows.ts';

const app = httpApp();

interface Hit {
  kind: string;
  endIndex: number;
}

describe('POST /v1/indicators: the candlestick hits of the chart window', () => {
  test('when 300 bars are sent, then hits of the last 150 bars are listed (not only the last 30), and none older', async () => {
    const res = await request(app).post('/v1/indicators').send({ csv: lastSampleCsv(300) });
    assert.equal(res.status, 200);
    const hits = (res.body.facts.patterns as Hit[]).filter((p) => p.kind === 'candlestick');
    const t = res.body.facts.asOf.index as number;
    assert.ok(hits.some((h) => h.endIndex <= t - 30), 'hits older than 30 bars are listed');
    assert.ok(hits.every((h) => h.endIndex >= t - 149), 'nothing before the 150-bar window');
  });

  test('when last is given, then the window is that many bars; the indicators still use the whole series', async () => {
    const whole = await request(app).post('/v1/indicators').send({ csv: lastSampleCsv(300) });
    const short = await request(app).post('/v1/indicators').send({ csv: lastSampleCsv(300), last: 40 });
    assert.equal(short.status, 200);
    const t = short.body.facts.asOf.index as number;
    const hits = (short.body.facts.patterns as Hit[]).filter((p) => p.kind === 'candlestick');
    assert.ok(hits.length > 0);
    assert.ok(hits.every((h) => h.endIndex >= t - 39));
    assert.deepEqual(short.body.facts.indicators, whole.body.facts.indicators);
  });

  test('when last is out of range, then 400 with the field named', async () => {
    const res = await request(app).post('/v1/indicators').send({ csv: lastSampleCsv(300), last: 1 });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_request');
    assert.ok(res.body.error.details.some((d: { field?: string }) => d.field === 'last'));
  });
});

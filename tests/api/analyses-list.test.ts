/** GET /v1/analyses: the history, newest first, a page at a time. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { analysesPageSchema } from '../../src/contracts/analyses-list.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { lastSampleCsv } from '../helpers/candle-rows.ts';

let app: AnalysisApp;
const ids: string[] = [];

before(async () => {
  app = await startAnalysisApp({ store: await openMemoryStore() });
  for (const symbol of ['H1', 'H2', 'H3']) {
    const res = await request(app.app).post('/v1/analyze').send({ symbol, csv: lastSampleCsv(60) });
    assert.equal(res.status, 200);
    ids.push(res.body.id as string);
  }
});
after(async () => {
  await app.close();
  await app.store.close();
});

describe('GET /v1/analyses', () => {
  test('when asked for pages of 2, then the newest come first and the cursor leads to the rest, then ends', async () => {
    const first = await request(app.app).get('/v1/analyses?limit=2');
    assert.equal(first.status, 200);
    const p1 = analysesPageSchema.parse(first.body);
    assert.deepEqual(p1.items.map((i) => i.id), [ids[2], ids[1]]);
    assert.deepEqual(p1.items.map((i) => i.symbol), ['H3', 'H2']);
    assert.ok(p1.nextCursor);
    const second = analysesPageSchema.parse((await request(app.app).get(`/v1/analyses?limit=2&cursor=${p1.nextCursor}`)).body);
    assert.deepEqual(second.items.map((i) => i.id), [ids[0]]);
    assert.equal(second.nextCursor, null);
    const item = p1.items[0];
    assert.equal(item.source, 'ohlcv');
    assert.equal(item.analyzer, 'local');
    assert.ok(['buy', 'sell', 'hold'].includes(item.action));
  });

  test('when no limit is given, then up to 20 come back; each opens at /v1/analyses/:id', async () => {
    const page = analysesPageSchema.parse((await request(app.app).get('/v1/analyses')).body);
    assert.equal(page.items.length, 3);
    const one = await request(app.app).get(`/v1/analyses/${page.items[0].id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.id, page.items[0].id);
  });

  test('when the limit or cursor is bad, or an unknown parameter is sent, then 400 with the field named', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'cursor=xyz', 'cursor=1;DROP', 'sort=asc']) {
      const res = await request(app.app).get(`/v1/analyses?${q}`);
      assert.equal(res.status, 400, q);
      assert.ok(['invalid_request', 'unknown_field'].includes(res.body.error.code), q);
    }
  });
});

/** The cache never serves an answer made by other rules, policy or prompts than the running ones. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { engineFingerprint } from '../../src/composition/engine-fingerprint.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { lastSampleCsv } from '../helpers/candle-rows.ts';

let app: AnalysisApp;
before(async () => {
  app = await startAnalysisApp({ store: await openMemoryStore() });
});
after(async () => {
  await app.close();
  await app.store.close();
});

describe('the engine fingerprint in the cache key', () => {
  test('when computed twice, then it is the same short hash, and the app uses it', () => {
    assert.match(engineFingerprint(), /^[0-9a-f]{16}$/);
    assert.equal(engineFingerprint(), engineFingerprint());
    assert.equal(app.deps.engine, engineFingerprint());
  });

  test('when the engine changes between two identical requests, then the second is not served from the cache', async () => {
    const body = { symbol: 'FP', csv: lastSampleCsv(220) };
    const first = await request(app.app).post('/v1/analyze').send(body);
    const again = await request(app.app).post('/v1/analyze').send(body);
    assert.equal(again.body.provider.cached, true);
    assert.equal(again.body.id, first.body.id);
    app.deps.engine = 'another-build';
    const changed = await request(app.app).post('/v1/analyze').send(body);
    assert.equal(changed.status, 200);
    assert.equal(changed.body.provider.cached, false);
    assert.notEqual(changed.body.id, first.body.id);
  });
});

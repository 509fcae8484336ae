import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/composition/config.ts';
import { buildServices } from '../../src/composition/root.ts';
import type { AnalysisStore, PurgeResult } from '../../src/ports/analysis-store.ts';
import { startPurgeTimer } from '../../src/use-cases/purge-analyses.ts';
import { openMemoryStore } from '../helpers/analysis-app.ts';
import { makeRecord } from '../helpers/store-fixtures.ts';

const DAY = 86_400_000;

describe('CHARTLENS_RETENTION_DAYS', () => {
  it('when unset, then analyses are kept forever; when set, then it is a positive number of days', () => {
    assert.equal(loadConfig({}).retentionDays, null);
    assert.equal(loadConfig({ CHARTLENS_RETENTION_DAYS: '30' }).retentionDays, 30);
    assert.equal(loadConfig({ CHARTLENS_RETENTION_DAYS: '0.5' }).retentionDays, 0.5);
    for (const bad of ['0', '-3', 'a month', '']) assert.throws(() => loadConfig({ CHARTLENS_RETENTION_DAYS: bad }), /CHARTLENS_RETENTION_DAYS/, bad);
  });
});

describe('the purge job', () => {
  let store: AnalysisStore;
  before(async () => {
    store = await openMemoryStore();
  });
  after(async () => {
    await store?.close();
  });

  it('when the services start with a retention, then analyses older than it are purged at once, newer ones kept; closing stops the timer', async () => {
    const old = makeRecord({ createdAt: new Date(Date.now() - 40 * DAY).toISOString() });
    const recent = makeRecord({ createdAt: new Date(Date.now() - 10 * DAY).toISOString() });
    await store.save(old);
    await store.save(recent);
    const services = await buildServices(loadConfig({ CHARTLENS_LOG: 'silent', CHARTLENS_DATA_DIR: ':memory:', CHARTLENS_RETENTION_DAYS: '30' }), { store, workers: 0, calibration: null });
    try {
      // The first purge is scheduled at start-up; wait for it (bounded), not for a wall-clock figure.
      for (let i = 0; i < 200 && (await store.get(old.id)) !== null; i++) await sleep(25);
      assert.equal(await store.get(old.id), null, 'the 40-day-old analysis is purged');
      assert.ok(await store.get(recent.id), 'the 10-day-old one is kept');
    } finally {
      await services.close();
    }
  });

  it('when the store fails, then the failure is logged and the next run tries again', async () => {
    let calls = 0;
    const events: string[] = [];
    const flaky: AnalysisStore = Object.assign(Object.create(store) as AnalysisStore, {
      purge: (before: Date): Promise<PurgeResult> => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('store down'));
        return store.purge!(before);
      },
    });
    // Runs only when asked: the timer's own first run is an hour away.
    const timer = startPurgeTimer(flaky, 30, { intervalMs: 3_600_000, firstDelayMs: 3_600_000, log: (event) => events.push(event) });
    try {
      assert.equal(await timer.runNow(), null, 'the failed run reports nothing purged');
      assert.deepEqual(events, ['purge_failed']);
      const result = await timer.runNow();
      assert.ok(result, 'the next run purges');
      assert.equal(calls, 2);
    } finally {
      await timer.stop();
    }
    assert.equal(await timer.runNow(), null, 'a stopped timer runs nothing');
    assert.equal(calls, 2);
  });
});

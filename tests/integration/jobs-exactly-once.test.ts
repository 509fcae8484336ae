/**
 * One stored analysis per job, whatever happens to the tries: the analysis id is the job id, so a
 * retry after a try that saved and then lost its worker answers with the saved analysis, and two
 * tries at once end with one stored analysis. The job handler runs here against a real store and
 * the real analysis (a recording queue stands in for pg-boss).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import type { AnalysisJobData, CallbackJobData, JobQueue, JobRun } from '../../src/ports/job-queue.ts';
import { runAnalysisJob } from '../../src/use-cases/jobs-run.ts';
import type { JobsDeps } from '../../src/use-cases/jobs.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { candleSlice } from '../helpers/score-fixtures.ts';

let store: AnalysisStore;
let app: AnalysisApp;
const callbacks: CallbackJobData[] = [];

before(async () => {
  store = await openMemoryStore();
  app = await startAnalysisApp({ store });
});
after(async () => {
  await app.close();
  await store.close();
});

/** The job deps of the app, with a queue that only records the callbacks it is given. */
function deps(): JobsDeps {
  const refuse = (): Promise<never> => Promise.reject(new Error('not used here'));
  const queue: JobQueue = {
    description: 'recording',
    start: () => Promise.resolve(),
    submit: refuse,
    find: refuse,
    cancel: refuse,
    submitCallback: (data) => {
      callbacks.push(data);
      return Promise.resolve();
    },
    work: refuse,
    close: () => Promise.resolve(),
  };
  return { queue, analyze: app.deps, callbackSecret: 'x'.repeat(16), callbacks: { post: refuse }, market: undefined };
}

function run(id: string, data: AnalysisJobData, attempt = 1): JobRun<AnalysisJobData> {
  return { id, data, attempt, lastAttempt: attempt >= 3 };
}

/** The store with some of its methods replaced (a class instance cannot be spread). */
function storeWith(inner: AnalysisStore, over: Partial<AnalysisStore>): AnalysisStore {
  return {
    save: (r) => inner.save(r),
    get: (id) => inner.get(id),
    findByCacheKey: (k) => inner.findByCacheKey(k),
    getImage: (id) => inner.getImage(id),
    list: (p) => inner.list(p),
    ping: () => inner.ping(),
    close: () => Promise.resolve(),
    ...over,
  };
}

/** A store whose save throws after it has saved, as a worker killed between the save and the job's completion leaves it. */
function savesThenDies(inner: AnalysisStore): AnalysisStore {
  return storeWith(inner, {
    save: async (r) => {
      await inner.save(r);
      throw new Error('the worker died right after saving');
    },
  });
}

describe('the job handler: one stored analysis per job', () => {
  test('when a try saved its analysis but failed before the job was marked done, then the retry answers with that analysis and stores no second one', async () => {
    const id = randomUUID();
    const data: AnalysisJobData = { request: { symbol: 'SPX', candles: candleSlice(500, 220) } };
    const dying = { ...deps(), analyze: { ...app.deps, store: savesThenDies(store) } };
    const first = await runAnalysisJob(dying, run(id, data, 1));
    // The first try's own store.get after the throw finds the saved analysis, so it is already done.
    assert.equal(first.status, 'done');
    const saved = await store.get(id);
    assert.ok(saved, 'the first try saved under the job id');
    const retry = await runAnalysisJob(deps(), run(id, data, 2));
    assert.equal(retry.status, 'done');
    assert.equal(retry.status === 'done' && retry.result.analysisId, id);
    assert.equal((await store.get(id))?.analysis.createdAt, saved.analysis.createdAt, 'the same analysis, not a new one');
    const page = await store.list({ limit: 100 });
    assert.equal(page.items.filter((i) => i.id === id).length, 1);
  });

  test('when two tries of one job run at once, then both answer done with the one analysis stored under the job id', async () => {
    const id = randomUUID();
    const data: AnalysisJobData = { request: { symbol: 'SPX', candles: candleSlice(900, 220), news: [{ headline: 'Two at once' }] } };
    const [a, b] = await Promise.all([runAnalysisJob(deps(), run(id, data, 1)), runAnalysisJob(deps(), run(id, data, 2))]);
    assert.equal(a.status, 'done');
    assert.equal(b.status, 'done');
    assert.equal(a.status === 'done' && a.result.analysisId, id);
    assert.equal(b.status === 'done' && b.result.analysisId, id);
    const page = await store.list({ limit: 100 });
    assert.equal(page.items.filter((i) => i.id === id).length, 1);
  });

  test('when the same request was answered before, then the job answers from the cache: its result names the stored analysis, marked cached', async () => {
    const data: AnalysisJobData = { request: { symbol: 'SPX', candles: candleSlice(1500, 220) } };
    const first = await runAnalysisJob(deps(), run(randomUUID(), data));
    const second = await runAnalysisJob(deps(), run(randomUUID(), data));
    assert.ok(first.status === 'done' && second.status === 'done');
    assert.equal(second.result.analysisId, first.result.analysisId);
    assert.equal((second.result.provider as { cached: boolean }).cached, true);
  });

  test('when bad input is found while running, then the try fails for good (no retry); a throw of ours is retried as internal_error', async () => {
    const bad = await runAnalysisJob(deps(), run(randomUUID(), { request: { candles: [{ time: 'x', open: 1, high: 1, low: 1, close: 1 }] } }));
    assert.equal(bad.status, 'failed');
    assert.equal(bad.status === 'failed' && bad.error.code, 'invalid_candles');
    const broken = { ...deps(), analyze: { ...app.deps, store: storeWith(store, { get: () => Promise.reject(new Error('boom')) }) } };
    const ours = await runAnalysisJob(broken, run(randomUUID(), { request: { candles: candleSlice(10, 60) } }));
    assert.equal(ours.status, 'retry');
    assert.equal(ours.status === 'retry' && ours.error.code, 'internal_error');
  });

  test('when a done job has a callbackUrl, then its callback is queued with the result', async () => {
    const id = randomUUID();
    callbacks.length = 0;
    const outcome = await runAnalysisJob(deps(), run(id, { request: { candles: candleSlice(2000, 120) }, callbackUrl: 'http://127.0.0.1:9/hook' }));
    assert.equal(outcome.status, 'done');
    assert.equal(callbacks.length, 1);
    assert.equal(callbacks[0].jobId, id);
    assert.equal(callbacks[0].outcome.status, 'done');
  });
});

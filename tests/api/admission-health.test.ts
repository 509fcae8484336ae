/**
 * Admission control over real HTTP (a listening server on 127.0.0.1, one worker thread, the
 * OpenAI analyzer on a fake model that answers slowly): a model's wait lends its slot, so slow
 * models do not fill the cap; with one slot held (a body still arriving) and one queue place, a
 * third request is refused with 503 `overloaded` and Retry-After while /healthz, /readyz and the
 * docs still answer; the queued one completes; a client that leaves the queue is dropped without
 * running. The order of events is driven by what the server reports (/readyz counters,
 * the requests the fake model received), not by sleeping.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/composition/config.ts';
import { buildServices } from '../../src/composition/root.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import { plainHold } from '../../testing/model-replies.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { rows } from '../helpers/candle-rows.ts';

/** How long the fake model takes to answer: long enough for the test to line its requests up behind it. */
const MODEL_DELAY_MS = 1500;

let store: AnalysisStore;
let a: AnalysisApp;
let server: Server;
let base: string;

before(async () => {
  store = await openMemoryStore();
  a = await startAnalysisApp({
    store,
    openai: true,
    defaultAnalyzer: 'openai',
    workers: 1,
    env: { CHARTLENS_MAX_INFLIGHT: '1', CHARTLENS_MAX_QUEUED: '1', CHARTLENS_QUEUE_TIMEOUT_MS: '60000', CHARTLENS_TIMEOUT_MS: '20000' },
  });
  a.fake?.setFallback({ kind: 'slow', delayMs: MODEL_DELAY_MS, then: { kind: 'json', body: plainHold() } });
  server = await new Promise<Server>((resolve) => {
    const s = a.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await a.close();
  await store.close();
});

/** A distinct request each time (another bar count), so none is answered from the cache. */
let nth = 0;
function analyze(signal?: AbortSignal): Promise<Response> {
  nth++;
  return fetch(`${base}/v1/analyze`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: `T${nth}`, candles: rows(60 + nth) }), signal });
}

async function counters(): Promise<{ inFlight: number; queued: number; rejected: number }> {
  const res = await fetch(`${base}/readyz`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { admission?: { inFlight: number; queued: number; rejected: number } };
  assert.ok(body.admission, '/readyz reports the admission counters');
  return body.admission;
}

/** Poll until `check` holds (the server's own report), or fail after `limitMs`. */
async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Hold the one slot: a request whose body never finishes arriving (admission comes before the body is read). */
async function holdSlot(): Promise<{ letGo(): void }> {
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"candles": [');
  await until('the slow request holds the slot', async () => (await counters()).inFlight === 1);
  return { letGo: () => socket.destroy() };
}

describe('admission control: one slot, one queue place', () => {
  test('when an analysis waits on the model, then it lends its slot: a second one is admitted at once and both reach the model together', async () => {
    const modelCalls = a.fake?.requests.length ?? 0;
    const first = analyze();
    await until('the first analysis is at the model', () => (a.fake?.requests.length ?? 0) > modelCalls);
    assert.equal((await counters()).inFlight, 0, 'a model wait holds no slot');
    const second = analyze();
    await until('the second analysis is at the model too, not queued', () => (a.fake?.requests.length ?? 0) >= modelCalls + 2);
    const [r1, r2] = await Promise.all([first, second]);
    assert.equal(r1.status, 200);
    assert.equal(r2.status, 200);
    await until('the slots are free again', async () => (await counters()).inFlight === 0);
  });

  test('when a third request arrives behind a held slot and a full queue, then 503 overloaded with Retry-After; /healthz answers; the queued one completes', async () => {
    const before = await counters();
    const holder = await holdSlot();
    const second = analyze();
    await until('the second analysis waits in the queue', async () => (await counters()).queued === 1);

    const third = await analyze();
    assert.equal(third.status, 503);
    assert.match(third.headers.get('retry-after') ?? '', /^[1-9]\d*$/, 'Retry-After is whole seconds, at least 1');
    const body = (await third.json()) as { error: { code: string; message: string; details: unknown[] } };
    assert.equal(body.error.code, 'overloaded');
    assert.deepEqual(body.error.details, []);

    // The same cap covers the other expensive routes.
    const render = await fetch(`${base}/v1/render`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ candles: rows(30) }) });
    assert.equal(render.status, 503);
    assert.equal(((await render.json()) as { error: { code: string } }).error.code, 'overloaded');

    // The probes and the docs are never capped.
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    for (const path of ['/openapi.json', '/docs', '/']) assert.equal((await fetch(`${base}${path}`)).status, 200, path);
    assert.deepEqual(await counters(), { inFlight: 1, queued: 1, rejected: before.rejected + 2 });

    holder.letGo();
    const r2 = await second;
    assert.equal(r2.status, 200);
    const analysis = (await r2.json()) as { provider: { analyzer: string; degraded: unknown } };
    assert.equal(analysis.provider.analyzer, 'openai');
    assert.equal(analysis.provider.degraded, false);
    await until('the slots are free again', async () => (await counters()).inFlight === 0);
    assert.deepEqual(await counters(), { inFlight: 0, queued: 0, rejected: before.rejected + 2 });
  });

  test('when a queued client disconnects, then its request leaves the queue and never runs', async () => {
    const before = await counters();
    const modelCalls = a.fake?.requests.length ?? 0;
    const holder = await holdSlot();
    const gone = new AbortController();
    const queued = analyze(gone.signal);
    await until('the analysis waits in the queue', async () => (await counters()).queued === 1);
    gone.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    await until('the queue is empty again', async () => (await counters()).queued === 0);
    holder.letGo();
    await until('the held slot is free', async () => (await counters()).inFlight === 0);

    // The next request is admitted, and the model saw it, not the dropped one.
    const next = await analyze();
    assert.equal(next.status, 200);
    assert.equal((a.fake?.requests.length ?? 0) - modelCalls, 1, 'the model answered the next request only');
    await until('the slots are free again', async () => (await counters()).inFlight === 0);
    assert.deepEqual(await counters(), { inFlight: 0, queued: 0, rejected: before.rejected });
  });
});

describe('admission control: slots given back', () => {
  /** Send the head and part of a body, then drop the connection: the handler sees a client that left mid-body. */
  async function abandonMidBody(head: string, partialBody: string): Promise<void> {
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(head + partialBody);
    await until('the request is admitted', async () => (await counters()).inFlight === 1);
    socket.destroy();
  }

  for (const [kind, type, partial] of [
    ['JSON', 'application/json', '{"candles": [{"time": 1, "open": 1'],
    ['multipart', 'multipart/form-data; boundary=XyZ', '--XyZ\r\nContent-Disposition: form-data; name="image"; filename="c.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG'],
  ] as const) {
    test(`when an admitted client leaves in the middle of a ${kind} body, then its slot is given back`, async () => {
      const before = await counters();
      await abandonMidBody(`POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n\r\n`, partial);
      await until('the slot is free again', async () => (await counters()).inFlight === 0);
      assert.deepEqual(await counters(), { inFlight: 0, queued: 0, rejected: before.rejected });
    });
  }
});

describe('the server profile', () => {
  test('when built from the default configuration, then facts and charts go to a worker pool; with CHARTLENS_WORKERS=0 they stay on the main thread', async () => {
    const pooled = await buildServices(loadConfig({ CHARTLENS_LOG: 'silent', CHARTLENS_DATA_DIR: ':memory:' }), { store });
    const mainThread = await buildServices(loadConfig({ CHARTLENS_LOG: 'silent', CHARTLENS_DATA_DIR: ':memory:', CHARTLENS_WORKERS: '0' }), { store });
    try {
      assert.ok(pooled.analyze.preparer, 'a prepare pool');
      assert.equal(mainThread.analyze.preparer, undefined);
    } finally {
      await pooled.close();
      await mainThread.close();
    }
  });
});

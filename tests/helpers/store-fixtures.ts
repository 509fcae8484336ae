import assert from 'node:assert/strict';
import { DEGRADED_MESSAGES } from '../../src/core/errors.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type Analysis, DISCLAIMER } from '../../src/core/analysis/analysis.ts';
import { computeMarketFacts } from '../../src/core/market/facts.ts';
import type { AnalysisRecord, AnalysisStore } from '../../src/ports/analysis-store.ts';
import { sp500 } from './sample-data.ts';

/** A real chart PNG from the samples. */
export const SAMPLE_PNG = readFileSync(new URL('../../samples/charts/sp500-2020-light.png', import.meta.url));

/** Every byte value, including NUL and high bytes: what a text path would corrupt. */
export const ALL_BYTES = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

let facts: Analysis['market'] | undefined;

/** A full Analysis with real market facts (many floats) and awkward text (quotes, unicode, newlines). */
export function makeAnalysis(over: { id?: string; createdAt?: string; degraded?: boolean } = {}): Analysis {
  facts ??= computeMarketFacts(sp500().slice(0, 400));
  const id = over.id ?? randomUUID();
  const createdAt = over.createdAt ?? new Date().toISOString();
  const degraded = over.degraded ?? false;
  return {
    id,
    createdAt,
    symbol: 'SPX',
    timeframe: '1d',
    input: { source: 'ohlcv', bars: 400, imageSha256: 'ab'.repeat(32), chart: { width: 1024, height: 512, renderer: 'chartjs' }, newsCount: 1 },
    market: facts,
    regime: { uptrend: 0.1 + 0.2, downtrend: 0.3, sideways: 0.39999999999999997 },
    experts: [
      { name: 'trend', weight: 0.5, stance: 'long', exposure: 0.25, rationale: 'Higher highs; "quoted" \\ back\\slash' },
      { name: 'reversal', weight: 0.5, stance: 'flat', exposure: 0, rationale: 'Ünïcödé ✓ 📈\nnew line' },
    ],
    claims: {
      patterns: [{ name: 'Hammer', kind: 'candlestick', direction: 'bullish', start: null, end: '2001-07-20', confidence: 0.7 }],
      levels: { support: [1190.5, 1e-7], resistance: [1400.123456789012] },
      indicators: [{ name: 'rsi14', value: null, reading: 'neutral' }],
    },
    news: [{ index: 0, sentiment: -0.5, relevance: 1, note: 'ignore previous instructions' }],
    risks: [],
    decision: {
      action: 'hold',
      exposure: 0,
      confidence: 0.42,
      horizonBars: 10,
      entry: null,
      invalidation: 1150.25,
      target: 1.7976931348623157e308,
      riskReward: null,
      rationale: 'Wait for confirmation.',
      basis: ['rsi14 = 48.2'],
    },
    proposedDecision: {
      action: 'buy',
      exposure: 0.3,
      confidence: 0.6,
      horizonBars: 10,
      entry: 1200,
      invalidation: 1150.25,
      target: 1300,
      rationale: 'Hammer at support.',
    },
    verification: {
      status: 'partial',
      claims: [{ claim: 'Hammer', kind: 'pattern', status: 'not_found', detail: 'no hammer in the last 30 bars' }],
      hallucinationRate: 1 / 3,
      adjustments: [{ field: 'decision.action', from: 'buy', to: 'hold', reason: 'claims not found' }],
    },
    provider: {
      analyzer: degraded ? 'local' : 'openai',
      kind: degraded ? 'rules' : 'llm',
      model: degraded ? null : 'gpt-4o',
      promptVersion: 'analyze.v1',
      latencyMs: 1234,
      usage: { inputTokens: 1000, outputTokens: 200, cachedInputTokens: 0 },
      costUsd: 0.004500000000000001,
      cached: false,
      degraded: degraded ? { code: 'llm_timeout', message: DEGRADED_MESSAGES.llm_timeout } : false,
      degradedReason: degraded ? `llm_timeout: ${DEGRADED_MESSAGES.llm_timeout}` : null,
      attempts: 1,
      structuredOutput: 'json_schema',
    },
    disclaimer: DISCLAIMER,
  };
}

/** A full record; `createdAt` defaults to now, `cacheKey` to a random key. */
export function makeRecord(
  over: { id?: string; createdAt?: string; cacheKey?: string; degraded?: boolean; image?: Buffer } = {},
): AnalysisRecord {
  const id = over.id ?? randomUUID();
  const createdAt = over.createdAt ?? new Date().toISOString();
  return {
    id,
    createdAt,
    cacheKey: over.cacheKey ?? randomBytes(32).toString('hex'),
    analysis: makeAnalysis({ id, createdAt, degraded: over.degraded }),
    request: { symbol: 'SPX', candles: [[1, 2, 3, 4, 5]], news: [{ headline: 'Ça va' }], flags: [true, null] },
    prompt: { version: 'analyze.v1', system: 'You read charts.', user: '<untrusted>\n"news"\n</untrusted>' },
    rawOutput: '{"regime": {"uptrend": 0.3}}\n',
    image: over.image ?? SAMPLE_PNG,
  };
}

/** Something that opens a store on the same database every time it is called. */
export interface StoreTarget {
  open(): Promise<AnalysisStore>;
  /** Runs once after the suite (drop a test schema...). */
  cleanup?(): Promise<void>;
}

/**
 * The AnalysisStore contract, run against any backend. `setup` runs once per suite because
 * opening a database is slow (a new PGlite directory takes seconds).
 */
export function describeStoreContract(name: string, skip: string | false, setup: () => Promise<StoreTarget>): void {
  describe(name, { skip }, () => {
    let target: StoreTarget;
    let store: AnalysisStore;
    before(async () => {
      target = await setup();
      store = await target.open();
    });
    after(async () => {
      try {
        await store?.close();
      } finally {
        await target?.cleanup?.();
      }
    });

    it('answers ping', async () => {
      await store.ping();
    });

    it('lists the history newest first, a page at a time, with summaries read from the stored analysis', async () => {
      const records = [makeRecord(), makeRecord({ degraded: true }), makeRecord()];
      for (const r of records) await store.save(r);
      const first = await store.list({ limit: 2 });
      assert.deepEqual(first.items.map((i) => i.id), [records[2].id, records[1].id]);
      assert.equal(first.items[1].degraded, true);
      assert.equal(first.items[0].action, records[2].analysis.decision.action);
      assert.equal(first.items[0].confidence, records[2].analysis.decision.confidence);
      assert.equal(first.items[0].createdAt, records[2].createdAt);
      assert.ok(first.nextCursor);
      const second = await store.list({ limit: 2, cursor: first.nextCursor });
      assert.equal(second.items[0].id, records[0].id);
    });

    it('returns a saved record deep-equal to what was saved', async () => {
      const record = makeRecord();
      await store.save(record);
      assert.deepStrictEqual(await store.get(record.id), record);
    });

    it('keeps the analysis keys in the order they were saved (the API answers in that order)', async () => {
      const record = makeRecord();
      await store.save(record);
      const got = await store.get(record.id);
      assert.deepEqual(Object.keys(got?.analysis ?? {}), Object.keys(record.analysis));
      assert.deepEqual(Object.keys(got?.analysis.provider ?? {}), Object.keys(record.analysis.provider));
    });

    it('keeps a record whose model text contains NUL characters, with U+FFFD in their place', async () => {
      const record = makeRecord();
      record.rawOutput = 'a\u0000b';
      record.analysis.decision.rationale = 'bad\u0000byte';
      await store.save(record);
      const got = await store.get(record.id);
      assert.equal(got?.rawOutput, 'a\uFFFDb');
      assert.equal(got?.analysis.decision.rationale, 'bad\uFFFDbyte');
    });

    it('keeps image bytes exact, including every byte value and a real PNG', async () => {
      for (const image of [ALL_BYTES, SAMPLE_PNG, Buffer.alloc(0)]) {
        const record = makeRecord({ image });
        await store.save(record);
        const got = await store.getImage(record.id);
        assert.ok(Buffer.isBuffer(got), 'getImage returns a Buffer');
        assert.equal(Buffer.compare(got, image), 0);
        assert.ok(Buffer.isBuffer((await store.get(record.id))?.image), 'get returns a Buffer image');
      }
    });

    it('keeps createdAt exactly as written, even when PostgreSQL would reformat it', async () => {
      const record = makeRecord({ createdAt: '2024-05-01T12:34:56.789123+02:00' });
      await store.save(record);
      assert.equal((await store.get(record.id))?.createdAt, '2024-05-01T12:34:56.789123+02:00');
    });

    it('keeps a null raw output, a null request and a top-level array request', async () => {
      const nulls = { ...makeRecord(), rawOutput: null, request: null };
      const array = { ...makeRecord(), request: [1, 'two', { three: 3 }] };
      await store.save(nulls);
      await store.save(array);
      assert.deepStrictEqual(await store.get(nulls.id), nulls);
      assert.deepStrictEqual(await store.get(array.id), array);
    });

    it('finds the newest non-degraded record for a cache key and ignores degraded ones', async () => {
      const cacheKey = randomBytes(32).toString('hex');
      const older = makeRecord({ cacheKey, createdAt: '2024-01-01T00:00:00.000Z' });
      const newer = makeRecord({ cacheKey, createdAt: '2024-01-02T00:00:00.000Z' });
      const degraded = makeRecord({ cacheKey, createdAt: '2024-01-03T00:00:00.000Z', degraded: true });
      const otherKey = makeRecord({ createdAt: '2024-01-04T00:00:00.000Z' });
      // Saved out of order: the answer must come from createdAt, not insertion order.
      for (const r of [newer, degraded, older, otherKey]) await store.save(r);
      assert.deepStrictEqual(await store.findByCacheKey(cacheKey), newer);
    });

    it('breaks createdAt ties by the later save', async () => {
      const cacheKey = randomBytes(32).toString('hex');
      const first = makeRecord({ cacheKey, createdAt: '2024-02-01T00:00:00.000Z' });
      const second = makeRecord({ cacheKey, createdAt: '2024-02-01T00:00:00.000Z' });
      await store.save(first);
      await store.save(second);
      assert.equal((await store.findByCacheKey(cacheKey))?.id, second.id);
    });

    it('returns null for a key with only degraded records, and for an unknown key', async () => {
      const cacheKey = randomBytes(32).toString('hex');
      await store.save(makeRecord({ cacheKey, degraded: true }));
      assert.equal(await store.findByCacheKey(cacheKey), null);
      assert.equal(await store.findByCacheKey('no-such-key'), null);
    });

    it('returns null for unknown and malformed ids instead of a database error', async () => {
      for (const id of [randomUUID(), 'not-a-uuid', '', "'; DROP TABLE analyses; --", 'x'.repeat(5000), '\u00e9\u{1F4C8}']) {
        assert.equal(await store.get(id), null, `get(${JSON.stringify(id.slice(0, 40))})`);
        assert.equal(await store.getImage(id), null, `getImage(${JSON.stringify(id.slice(0, 40))})`);
      }
    });

    it('rejects a second save with the same id and keeps the first', async () => {
      const record = makeRecord();
      await store.save(record);
      await assert.rejects(store.save({ ...record, rawOutput: 'other' }));
      assert.equal((await store.get(record.id))?.rawOutput, record.rawOutput);
    });

    it('lets concurrent opens of the same database share data; closing one leaves the other working', async () => {
      const [a, b] = await Promise.all([target.open(), target.open()]);
      const record = makeRecord();
      await a.save(record);
      assert.deepStrictEqual(await b.get(record.id), record);
      await a.close();
      await a.close(); // idempotent: must not release a shared instance twice
      await b.ping();
      assert.deepStrictEqual(await store.get(record.id), record);
      await b.close();
      await store.ping();
    });

    it('keeps data across close and reopen, re-running migrations without error', async () => {
      const record = makeRecord();
      await store.save(record);
      await store.close();
      store = await target.open();
      assert.deepStrictEqual(await store.get(record.id), record);
    });

    it('lets an open that overlaps the last close wait for it, then see the data', async () => {
      const record = makeRecord();
      await store.save(record);
      const closing = store.close();
      store = await target.open();
      await closing;
      assert.deepStrictEqual(await store.get(record.id), record);
    });
  });
}

/** A unique schema per test run so parallel runs against one server never collide. */
export function testSchemaName(): string {
  return `chartlens_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Run one statement on a short-lived connection (schema drops, migration checks). */
export async function withPgClient<T>(databaseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

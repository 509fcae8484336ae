import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadMigrations, migrate } from '../../src/adapters/store/migrate.ts';
import { openAnalysisStore, PgAnalysisStore } from '../../src/adapters/store/pg-store.ts';
import { packCandles, unpackCandles } from '../../src/adapters/store/record-codec.ts';
import { MEMORY_DIR, openPglite, openPgPool, type SqlClient } from '../../src/adapters/store/sql-client.ts';
import { loadConfig } from '../../src/composition/config.ts';
import { buildServices } from '../../src/composition/root.ts';
import { formatCandleTime } from '../../src/core/market/candles.ts';
import type { AnalysisRecord, AnalysisStore } from '../../src/ports/analysis-store.ts';
import { analyzeChart } from '../../src/use-cases/analyze-chart.ts';
import { toAnalyzeCommand } from '../../src/use-cases/analyze-request.ts';
import { purgeExpired } from '../../src/use-cases/purge-analyses.ts';
import { sp500 } from '../helpers/sample-data.ts';
import { ALL_BYTES, makeRecord, SAMPLE_PNG, testSchemaName, withPgClient } from '../helpers/store-fixtures.ts';

const DATABASE_URL = process.env.DATABASE_URL;
const NO_PG = DATABASE_URL ? false : 'DATABASE_URL not set: set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run the PostgreSQL suite';
const DAY = 86_400_000;

/** A request as parseAnalyzeRequest keeps it for the audit trail: validated candles, with or without volume. */
function requestWithCandles(bars = 300, volume = true): Record<string, unknown> {
  const candles = sp500()
    .slice(1000, 1000 + bars)
    .map((c) => (volume ? { time: c.time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume ?? 0 } : { time: c.time, open: c.open, high: c.high, low: c.low, close: c.close }));
  return { symbol: 'SPX', timeframe: '1d', news: [{ headline: 'h' }], candles, imageBytes: null };
}

/** A database at migration 001, holding two analyses saved the old way (the second sharing the first's image). */
async function oldShapeRows(db: SqlClient): Promise<AnalysisRecord[]> {
  await migrate(db, loadMigrations().slice(0, 1));
  const records = [makeRecord(), makeRecord(), makeRecord({ image: ALL_BYTES, degraded: true })];
  records[0].request = requestWithCandles(20);
  for (const r of records) {
    await db.query(
      `INSERT INTO analyses (id, created_at, created_at_text, cache_key, degraded, analysis, request, prompt, raw_output, image)
       VALUES ($1, $2::timestamptz, $3, $4, $5, $6::json, $7::jsonb, $8::jsonb, $9, $10)`,
      [r.id, r.createdAt, r.createdAt, r.cacheKey, r.analysis.provider.degraded !== false, JSON.stringify(r.analysis), JSON.stringify(r.request), JSON.stringify(r.prompt), r.rawOutput, r.image],
    );
  }
  return records;
}

async function blobCount(db: SqlClient): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blobs');
  return row.n;
}

/** The blob and purge behaviour, on any database: `open` gives a fresh client at migration 000 (nothing applied). */
function describeBlobs(name: string, skip: string | false, open: () => Promise<{ db: SqlClient; cleanup(): Promise<void> }>): void {
  describe(name, { skip }, () => {
    let db: SqlClient;
    let cleanup: () => Promise<void>;
    let store: PgAnalysisStore;
    let old: AnalysisRecord[];
    before(async () => {
      ({ db, cleanup } = await open());
      old = await oldShapeRows(db);
      await migrate(db);
      store = new PgAnalysisStore(db, async () => {});
    });
    after(async () => {
      await db?.close();
      await cleanup?.();
    });

    it('when rows were saved before migration 002, then they read back unchanged: record, image, list and cache lookup', async () => {
      for (const r of old) {
        assert.deepStrictEqual(await store.get(r.id), r);
        assert.equal(Buffer.compare((await store.getImage(r.id)) as Buffer, r.image), 0);
      }
      assert.deepStrictEqual(await store.findByCacheKey(old[0].cacheKey), old[0]);
      assert.deepStrictEqual(await store.findCachedAnalysis(old[1].cacheKey), old[1].analysis);
      assert.equal(await store.findCachedAnalysis(old[2].cacheKey), null, 'degraded rows are never a hit');
      const page = await store.list({ limit: 10 });
      const summary = page.items.find((i) => i.id === old[2].id);
      assert.equal(summary?.degraded, true);
      assert.equal(summary?.action, old[2].analysis.decision.action);
      assert.equal(summary?.analyzer, old[2].analysis.provider.analyzer);
      assert.equal(await blobCount(db), 2, 'their two distinct images moved to blobs, one copy each');
    });

    it('when the same image and the same candles are saved twice, then each is stored once and both records read back whole', async () => {
      const before = await blobCount(db);
      const request = requestWithCandles();
      const a = { ...makeRecord({ image: SAMPLE_PNG }), request };
      const b = { ...makeRecord({ image: SAMPLE_PNG }), request: { ...request, news: [{ headline: 'other' }] } };
      await store.save(a);
      await store.save(b);
      // SAMPLE_PNG is already there (the old rows); the candles are new: one blob for both records.
      assert.equal(await blobCount(db), before + 1);
      assert.deepStrictEqual(await store.get(a.id), a);
      assert.deepStrictEqual(await store.get(b.id), b);
      assert.deepStrictEqual(Object.keys((await store.get(a.id))?.request as object), Object.keys(request), 'the request keeps its key order');
    });

    it('when candles come without volume, or are not plain OHLCV rows, then they still read back exactly', async () => {
      const plain = { ...makeRecord(), request: requestWithCandles(50, false) };
      const odd = { ...makeRecord(), request: { candles: [{ time: 1, open: 2, high: 3, low: 1, close: 2, note: 'x' }] } };
      const negativeZero = { ...makeRecord(), request: { candles: [{ time: 0, open: -0, high: 1e-300, low: -1e300, close: Number.MAX_VALUE }] } };
      for (const r of [plain, odd, negativeZero]) {
        await store.save(r);
        assert.deepStrictEqual(await store.get(r.id), r);
      }
      assert.ok(Object.is(((await store.get(negativeZero.id))?.request as { candles: { open: number }[] }).candles[0].open, -0));
    });

    it('when purging, then old analyses go, and so do the blobs only they used; shared ones stay', async () => {
      const oldOnly = Buffer.from('an image only an old analysis used');
      const shared = Buffer.from('an image an old and a new analysis share');
      const stale = [makeRecord({ createdAt: '2020-01-01T00:00:00.000Z', image: oldOnly }), makeRecord({ createdAt: '2020-01-02T00:00:00.000Z', image: shared })];
      const fresh = makeRecord({ createdAt: new Date().toISOString(), image: shared });
      for (const r of [...stale, fresh]) await store.save(r);
      const result = await store.purge(new Date('2021-01-01T00:00:00.000Z'));
      assert.equal(result.analyses, 2);
      assert.ok(result.blobs >= 1, 'at least the old-only image went');
      for (const r of stale) assert.equal(await store.get(r.id), null);
      assert.equal(Buffer.compare((await store.getImage(fresh.id)) as Buffer, shared), 0, 'the shared image stays');
      const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blobs WHERE bytes = $1', [oldOnly]);
      assert.equal(row.n, 0, 'the old-only image is gone');
      // Every remaining row still reads whole (nothing it points at was purged).
      for (const item of (await store.list({ limit: 100 })).items) assert.ok(await store.get(item.id), item.id);
      assert.deepStrictEqual(await store.purge(new Date('2021-01-01T00:00:00.000Z')), { analyses: 0, blobs: 0 }, 'a second purge finds nothing');
    });

    it('when the retention is N days, then purgeExpired deletes what is older than now minus N days only', async () => {
      const now = Date.parse('2030-06-30T00:00:00.000Z');
      const older = makeRecord({ createdAt: new Date(now - 31 * DAY).toISOString() });
      const newer = makeRecord({ createdAt: new Date(now - 29 * DAY).toISOString() });
      await store.save(older);
      await store.save(newer);
      await purgeExpired(store, 30, now);
      assert.equal(await store.get(older.id), null);
      assert.ok(await store.get(newer.id));
    });
  });
}

describeBlobs('blobs, both row shapes and the purge on PGlite', false, async () => ({ db: await openPglite(MEMORY_DIR), cleanup: async () => {} }));

describeBlobs('blobs, both row shapes and the purge on PostgreSQL (DATABASE_URL)', NO_PG, async () => {
  const schema = testSchemaName();
  await withPgClient(DATABASE_URL!, (c) => c.query(`CREATE SCHEMA "${schema}"`));
  return { db: openPgPool({ connectionString: DATABASE_URL!, schema }), cleanup: () => withPgClient(DATABASE_URL!, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => {}) };
});

describe('packCandles', () => {
  it('when the rows are plain OHLCV, then they pack to 8 bytes a value and unpack to equal rows; anything else is left alone', () => {
    const rows = requestWithCandles(300).candles as Record<string, number>[];
    const packed = packCandles(rows);
    assert.ok(packed);
    assert.equal(packed.length, 12 + 300 * 6 * 8);
    assert.deepStrictEqual(unpackCandles(packed), rows);
    for (const other of [[], [[1, 2, 3, 4, 5]], [{ time: 1, open: 1, high: 1, low: 1, close: Number.NaN }], [{ open: 1, time: 1, high: 1, low: 1, close: 1 }], 'csv', null]) {
      assert.equal(packCandles(other), null, JSON.stringify(other));
    }
  });
});

describe('bytes per analysis, real analyses of 300 bars on PGlite', () => {
  let store: AnalysisStore;
  let services: Awaited<ReturnType<typeof buildServices>>;
  const body = (start: number, headline: string) => ({
    symbol: 'SPX',
    timeframe: '1d',
    news: [{ headline }],
    candles: sp500()
      .slice(start, start + 300)
      .map((c) => ({ time: formatCandleTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume })),
  });
  before(async () => {
    store = await openAnalysisStore({ dataDir: MEMORY_DIR });
    services = await buildServices(loadConfig({ CHARTLENS_LOG: 'silent', CHARTLENS_DATA_DIR: MEMORY_DIR }), { store, workers: 0 });
  });
  after(async () => {
    await services?.close();
    await store?.close();
  });

  it('when 12 different charts are analysed, then everything but their PNGs takes under 40 KB each; the same chart again adds no image', async () => {
    const empty = await store.usage!();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await analyzeChart(services.analyze, toAnalyzeCommand(body(300 * i, 'first')))).id);
    const used = await store.usage!();
    let pngBytes = 0;
    for (const id of ids) pngBytes += ((await store.getImage(id)) as Buffer).length;
    const perAnalysis = (used.bytes - empty.bytes) / ids.length;
    const withoutPng = (used.bytes - empty.bytes - pngBytes) / ids.length;
    assert.equal(used.blobs - empty.blobs, 24, 'one image and one candles blob per chart');
    assert.ok(withoutPng <= 40_000, `${Math.round(withoutPng)} bytes per analysis besides the PNG (${Math.round(perAnalysis)} with it)`);
    // The same bars with other news: another analysis, the same chart and candles.
    for (let i = 0; i < 12; i++) await analyzeChart(services.analyze, toAnalyzeCommand(body(300 * i, 'second')));
    const again = await store.usage!();
    assert.equal(again.analyses - used.analyses, 12);
    assert.equal(again.blobs, used.blobs, 'no new blob: the chart and the candles were stored already');
    assert.ok((again.bytes - used.bytes) / 12 <= 40_000, `${Math.round((again.bytes - used.bytes) / 12)} bytes per repeat analysis`);
  });
});

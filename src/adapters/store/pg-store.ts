import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { AnalysisRecord, AnalysisStore, PurgeResult, StoreUsage } from '../../ports/analysis-store.ts';
import { migrate } from './migrate.ts';
import { decodeAnalysis, decodeBody, encodeRecord, summaryOf, withoutNul } from './record-codec.ts';
import { MEMORY_DIR, openPglite, openPgPool, quoteIdent, type SqlClient } from './sql-client.ts';
import type { AnalysesPage, AnalysisSummary } from '../../contracts/analyses-list.ts';

export interface OpenStoreOptions {
  /** A PostgreSQL URL; when set, the store uses that server instead of embedded PGlite. */
  databaseUrl?: string;
  /** Embedded PGlite lives in `${dataDir}/pglite`; `':memory:'` gives a fresh in-memory database. */
  dataDir: string;
  /** PostgreSQL only: use (and create) this schema, e.g. one per test run. */
  schema?: string;
}

/** Open the analysis store: PostgreSQL when `databaseUrl` is set, else embedded PGlite. Migrates first. */
export async function openAnalysisStore(options: OpenStoreOptions): Promise<AnalysisStore> {
  if (options.databaseUrl) {
    const { databaseUrl, schema } = options;
    const db = await migrated(openPgPool({ connectionString: databaseUrl, schema }), schema);
    return new PgAnalysisStore(db, () => db.close());
  }
  if (options.schema) throw new Error('The schema option needs databaseUrl (PGlite has one schema per data directory)');
  if (options.dataDir === MEMORY_DIR) {
    const db = await migrated(await openPglite(MEMORY_DIR));
    return new PgAnalysisStore(db, () => db.close());
  }
  return openSharedPglite(resolve(pgliteDir(options.dataDir)));
}

/** Create the schema (if any) and apply migrations; a client that fails this is closed. */
async function migrated(db: SqlClient, schema?: string): Promise<SqlClient> {
  try {
    if (schema) await createSchema(db, schema);
    await migrate(db);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

interface SharedPglite {
  ready: Promise<SqlClient>;
  refs: number;
  /** Set when the last handle closed; a new open waits for it. */
  closing?: Promise<void>;
}

/** PGlite allows one instance per data directory per process, so every open of a directory shares it. */
const pglites = new Map<string, SharedPglite>();

async function openSharedPglite(dir: string): Promise<AnalysisStore> {
  let shared = pglites.get(dir);
  if (!shared || shared.closing) {
    // Two instances must never run on one directory, not even while the old one shuts down.
    const previous = shared?.closing?.catch(() => {}) ?? Promise.resolve();
    const ready = previous.then(() => openPglite(dir)).then((db) => migrated(db));
    shared = { ready, refs: 0 };
    pglites.set(dir, shared);
    // A failed open must not stay cached: the next caller should try again.
    ready.catch(() => pglites.get(dir) === shared && pglites.delete(dir));
  }
  const entry = shared;
  entry.refs++;
  let db: SqlClient;
  try {
    db = await entry.ready;
  } catch (err) {
    entry.refs--;
    throw err;
  }
  return new PgAnalysisStore(db, async () => {
    // The last handle closes the instance; a later open starts a new one.
    if (--entry.refs > 0) return;
    entry.closing = db.close();
    try {
      await entry.closing;
    } finally {
      if (pglites.get(dir) === entry) pglites.delete(dir);
    }
  });
}

/** Creates the schema under an advisory lock: concurrent CREATE SCHEMA IF NOT EXISTS can collide. */
async function createSchema(db: SqlClient, schema: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('chartlens.schema:' || $1::text))`, [schema]);
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  });
}

interface Row {
  id: string;
  created_at_text: string;
  cache_key: string;
  /** Rows saved since migration 002: the compressed document; the JSON columns below are null. */
  body: Buffer | null;
  analysis: AnalysisRecord['analysis'] | null;
  request: unknown;
  prompt: AnalysisRecord['prompt'] | null;
  raw_output: string | null;
  image: Buffer;
  candles: Buffer | null;
}

interface SummaryRow {
  seq: string;
  id: string;
  created_at_text: string;
  symbol: string | null;
  timeframe: string | null;
  source: string;
  action: string;
  exposure: number | string;
  confidence: number | string;
  verification: string;
  analyzer: string;
  degraded: boolean;
}

/** A whole record: the row (either shape, see migration 002) with its image and candles blobs. */
const RECORD = `SELECT a.id, a.created_at_text, a.cache_key, a.body, a.analysis, a.request, a.prompt, a.raw_output,
         img.bytes AS image, cdl.bytes AS candles
    FROM analyses a JOIN blobs img ON img.sha256 = a.image_sha256 LEFT JOIN blobs cdl ON cdl.sha256 = a.candles_sha256`;

/** The newest non-degraded row of a cache key (the partial index analyses_cache_key_idx). */
const CACHED = `WHERE a.cache_key = $1 AND NOT a.degraded ORDER BY a.created_at DESC, a.seq DESC LIMIT 1`;

/** The AnalysisStore over any SqlClient (PGlite or pg): one set of SQL for both. */
export class PgAnalysisStore implements AnalysisStore {
  #closed = false;

  private readonly db: SqlClient;
  private readonly onClose: () => Promise<void>;

  constructor(db: SqlClient, onClose: () => Promise<void>) {
    this.db = db;
    this.onClose = onClose;
  }

  async save(r: AnalysisRecord): Promise<void> {
    // Compressed off the event loop; the image and the candles go to blobs once, however often they recur.
    const e = await encodeRecord(r);
    const sum = summaryOf(r.analysis);
    // One statement, so a row never points at a blob that is not there (and the purge's lock sees it whole).
    await this.db.query(
      `WITH image AS (
         INSERT INTO blobs (sha256, bytes) VALUES ($6, $7) ON CONFLICT (sha256) DO NOTHING
       ), candles AS (
         INSERT INTO blobs (sha256, bytes) SELECT $8::text, $9::bytea WHERE $8::text IS NOT NULL ON CONFLICT (sha256) DO NOTHING
       )
       INSERT INTO analyses (id, created_at, created_at_text, cache_key, degraded, image_sha256, candles_sha256, body,
                             raw_output, symbol, timeframe, source, action, exposure, confidence, verification, analyzer)
       VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $8, $10, NULL, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        r.id,
        // Twice: one parameter used as both timestamptz and text would be typed timestamptz and reformatted.
        r.createdAt,
        r.createdAt,
        r.cacheKey,
        r.analysis.provider.degraded !== false,
        e.image.sha256,
        e.image.bytes,
        e.candles?.sha256 ?? null,
        e.candles?.bytes ?? null,
        e.body,
        sum.symbol === null ? null : withoutNul(sum.symbol),
        sum.timeframe === null ? null : withoutNul(sum.timeframe),
        sum.source,
        sum.action,
        sum.exposure,
        sum.confidence,
        sum.verification,
        withoutNul(sum.analyzer),
      ],
    );
  }

  async get(id: string): Promise<AnalysisRecord | null> {
    const rows = await this.db.query<Row>(`${RECORD} WHERE a.id = $1`, [id]);
    return rows.length > 0 ? toRecord(rows[0]) : null;
  }

  async findByCacheKey(cacheKey: string): Promise<AnalysisRecord | null> {
    const rows = await this.db.query<Row>(`${RECORD} ${CACHED}`, [cacheKey]);
    return rows.length > 0 ? toRecord(rows[0]) : null;
  }

  /** What a cache hit answers with: the analysis alone, without reading the image or the candles. */
  async findCachedAnalysis(cacheKey: string): Promise<AnalysisRecord['analysis'] | null> {
    const rows = await this.db.query<Pick<Row, 'body' | 'analysis'>>(`SELECT a.body, a.analysis FROM analyses a ${CACHED}`, [cacheKey]);
    if (rows.length === 0) return null;
    const { body, analysis } = rows[0];
    return body ? decodeAnalysis(body) : analysis;
  }

  async list(page: { limit: number; cursor?: string }): Promise<AnalysesPage> {
    // seq is the insertion order: newest first, and a stable cursor even for equal timestamps.
    const rows = await this.db.query<SummaryRow>(
      `SELECT seq::text AS seq, id, created_at_text, symbol, timeframe, source, action, exposure, confidence, verification, analyzer, degraded
         FROM analyses WHERE ($1::bigint IS NULL OR seq < $1::bigint)
        ORDER BY seq DESC LIMIT $2`,
      [page.cursor ?? null, page.limit + 1],
    );
    const items = rows.slice(0, page.limit).map((r) => ({
      id: r.id,
      createdAt: r.created_at_text,
      symbol: r.symbol,
      timeframe: r.timeframe,
      source: r.source as AnalysisSummary['source'],
      action: r.action as AnalysisSummary['action'],
      exposure: Number(r.exposure),
      confidence: Number(r.confidence),
      verification: r.verification as AnalysisSummary['verification'],
      analyzer: r.analyzer,
      degraded: r.degraded,
    }));
    return { items, nextCursor: rows.length > page.limit ? rows[page.limit - 1].seq : null };
  }

  async getImage(id: string): Promise<Buffer | null> {
    const rows = await this.db.query<{ image: Buffer }>('SELECT img.bytes AS image FROM analyses a JOIN blobs img ON img.sha256 = a.image_sha256 WHERE a.id = $1', [id]);
    return rows.length > 0 ? rows[0].image : null;
  }

  /**
   * Delete the analyses created before `before`, then every blob no analysis points at. The blobs
   * table is locked against saves meanwhile (SHARE ROW EXCLUSIVE conflicts with the ROW EXCLUSIVE
   * an insert takes): a save that finds its image already stored cannot lose it to this purge.
   */
  async purge(before: Date): Promise<PurgeResult> {
    return this.db.transaction(async (tx) => {
      await tx.exec('LOCK TABLE blobs IN SHARE ROW EXCLUSIVE MODE');
      const [a] = await tx.query<{ n: number }>('WITH d AS (DELETE FROM analyses WHERE created_at < $1::timestamptz RETURNING 1) SELECT count(*)::int AS n FROM d', [before.toISOString()]);
      const [b] = await tx.query<{ n: number }>(
        `WITH d AS (
           DELETE FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.image_sha256 = b.sha256)
                                 AND NOT EXISTS (SELECT 1 FROM analyses a WHERE a.candles_sha256 = b.sha256)
           RETURNING 1)
         SELECT count(*)::int AS n FROM d`,
      );
      return { analyses: a.n, blobs: b.n };
    });
  }

  /** Rows and on-disk bytes (tables, TOAST and indexes) of the analyses and their blobs. */
  async usage(): Promise<StoreUsage> {
    const [u] = await this.db.query<{ analyses: number; blobs: number; bytes: string }>(
      `SELECT (SELECT count(*)::int FROM analyses) AS analyses, (SELECT count(*)::int FROM blobs) AS blobs,
              (pg_total_relation_size('analyses') + pg_total_relation_size('blobs'))::text AS bytes`,
    );
    return { analyses: u.analyses, blobs: u.blobs, bytes: Number(u.bytes) };
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /** The embedded PGlite this store runs on; null on PostgreSQL. */
  get embedded(): PGlite | null {
    return this.db.pglite ?? null;
  }

  /** Idempotent: a second close must not release a shared PGlite twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.onClose();
  }
}

function toRecord(row: Row): AnalysisRecord {
  const parts = row.body
    ? decodeBody(row.body, row.candles)
    : // A row saved before migration 002: its JSON columns, as they were read then.
      { analysis: row.analysis as AnalysisRecord['analysis'], request: row.request, prompt: row.prompt as AnalysisRecord['prompt'], rawOutput: row.raw_output };
  return { id: row.id, createdAt: row.created_at_text, cacheKey: row.cache_key, ...parts, image: row.image };
}

/**
 * The PGlite instance a store runs on, or null when it is on PostgreSQL (or not this store). PGlite
 * allows one instance per data directory per process, so the job queue shares the store's.
 */
export function embeddedPglite(store: AnalysisStore): PGlite | null {
  return store instanceof PgAnalysisStore ? store.embedded : null;
}

/** Where the embedded database of a data directory lives (for logs and docs). */
export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

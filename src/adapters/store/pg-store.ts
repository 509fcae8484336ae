import { join, resolve } from 'node:path';
import type { AnalysisRecord, AnalysisStore } from '../../ports/analysis-store.ts';
import { migrate } from './migrate.ts';
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
  analysis: AnalysisRecord['analysis'];
  request: unknown;
  prompt: AnalysisRecord['prompt'];
  raw_output: string | null;
  image: Buffer;
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

const COLUMNS = 'id, created_at_text, cache_key, analysis, request, prompt, raw_output, image';

/**
 * PostgreSQL cannot store U+0000 in text or JSONB, and model output can contain it; it becomes
 * U+FFFD (the replacement character) so one stray byte does not lose a whole analysis.
 */
function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? withoutNul(v) : v));
}

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
    // JSON is stringified here: pg would turn a top-level array into a PostgreSQL array literal.
    await this.db.query(
      `INSERT INTO analyses (id, created_at, created_at_text, cache_key, degraded, analysis, request, prompt, raw_output, image)
       VALUES ($1, $2::timestamptz, $3, $4, $5, $6::json, $7::jsonb, $8::jsonb, $9, $10)`,
      [
        r.id,
        // Twice: one parameter used as both timestamptz and text would be typed timestamptz and reformatted.
        r.createdAt,
        r.createdAt,
        r.cacheKey,
        r.analysis.provider.degraded !== false,
        toJsonText(r.analysis),
        toJsonText(r.request ?? null),
        toJsonText(r.prompt),
        r.rawOutput === null ? null : withoutNul(r.rawOutput),
        r.image,
      ],
    );
  }

  async get(id: string): Promise<AnalysisRecord | null> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM analyses WHERE id = $1`, [id]);
    return rows.length > 0 ? toRecord(rows[0]) : null;
  }

  async findByCacheKey(cacheKey: string): Promise<AnalysisRecord | null> {
    const rows = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM analyses WHERE cache_key = $1 AND NOT degraded
       ORDER BY created_at DESC, seq DESC LIMIT 1`,
      [cacheKey],
    );
    return rows.length > 0 ? toRecord(rows[0]) : null;
  }

  async list(page: { limit: number; cursor?: string }): Promise<AnalysesPage> {
    // seq is the insertion order: newest first, and a stable cursor even for equal timestamps.
    const rows = await this.db.query<SummaryRow>(
      `SELECT seq::text AS seq, id, created_at_text,
              analysis->>'symbol' AS symbol, analysis->>'timeframe' AS timeframe,
              analysis->'input'->>'source' AS source,
              analysis->'decision'->>'action' AS action,
              (analysis->'decision'->>'exposure')::float8 AS exposure,
              (analysis->'decision'->>'confidence')::float8 AS confidence,
              analysis->'verification'->>'status' AS verification,
              analysis->'provider'->>'analyzer' AS analyzer, degraded
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
    const rows = await this.db.query<{ image: Buffer }>('SELECT image FROM analyses WHERE id = $1', [id]);
    return rows.length > 0 ? rows[0].image : null;
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /** Idempotent: a second close must not release a shared PGlite twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.onClose();
  }
}

function toRecord(row: Row): AnalysisRecord {
  return {
    id: row.id,
    createdAt: row.created_at_text,
    cacheKey: row.cache_key,
    analysis: row.analysis,
    request: row.request,
    prompt: row.prompt,
    rawOutput: row.raw_output,
    image: row.image,
  };
}

/** Where the embedded database of a data directory lives (for logs and docs). */
export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

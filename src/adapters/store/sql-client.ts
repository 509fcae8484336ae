import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * What a store needs from a PostgreSQL connection: parameterised queries and raw SQL scripts.
 * Both implementations take Buffer parameters for bytea and return bytea columns as Buffer.
 */
export interface SqlQueryable {
  /** One statement with $1..$n parameters; rows as objects. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** A script of one or more statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A PostgreSQL database, embedded (PGlite) or a server (pg.Pool). */
export interface SqlClient extends SqlQueryable {
  /** Runs `fn` in BEGIN/COMMIT on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** The embedded instance itself (PGlite only), for another user of the same database: the job queue. */
  readonly pglite?: PGlite;
}

/** In-memory PGlite: a fresh, unshared database per open (for tests). */
export const MEMORY_DIR = ':memory:';

/**
 * PGlite's own bytea codec goes through a JS array byte by byte (about 0.35 s per MB each way) and
 * returns Uint8Array; Node's hex codec is many times faster and gives the Buffer that pg gives.
 */
const BYTEA_AS_BUFFER = {
  serializers: {
    [types.BYTEA]: (x: unknown) => {
      if (!(x instanceof Uint8Array)) throw new TypeError('bytea parameters must be a Buffer or Uint8Array');
      return `\\x${Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex')}`;
    },
  },
  parsers: { [types.BYTEA]: (x: string) => Buffer.from(x.slice(2), 'hex') },
};

/**
 * A PGlite client. PGlite is one connection per process and serialises query, exec and
 * transaction on its own mutex, so no extra locking is needed here.
 */
export async function openPglite(dir: string): Promise<SqlClient> {
  let db: PGlite;
  if (dir === MEMORY_DIR) {
    db = await PGlite.create(BYTEA_AS_BUFFER);
  } else {
    mkdirSync(dir, { recursive: true });
    db = await PGlite.create(dir, BYTEA_AS_BUFFER);
  }
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): SqlQueryable => ({
    query: async <T>(text: string, params?: unknown[]) => (await q.query<T>(text, params)).rows,
    exec: async (sql) => void (await q.exec(sql)),
  });
  return {
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
    pglite: db,
  };
}

interface PgOptions {
  connectionString: string;
  /** Schema to put first on every connection's search_path (must already exist to be used). */
  schema?: string;
}

/** A pg.Pool client. */
export function openPgPool({ connectionString, schema }: PgOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString,
    // A startup parameter, so every pooled connection gets it before its first query.
    ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
  });
  // An idle client that loses its server (restart, network) emits 'error'; without a listener
  // that would crash the process. The next query gets a fresh connection.
  pool.on('error', () => {});
  const on = (q: pg.Pool | pg.PoolClient): SqlQueryable => ({
    query: async <T>(text: string, params?: unknown[]) =>
      (await q.query(text, params)).rows as T[],
    // Without parameters pg uses the simple query protocol, which accepts several statements.
    exec: async (sql) => void (await q.query(sql)),
  });
  return {
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // If ROLLBACK itself fails the connection is in an unknown state: destroy it.
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

/** Schema names come from config and tests; allow plain identifiers only, then quote anyway. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid schema name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

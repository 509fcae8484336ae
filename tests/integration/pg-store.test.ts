import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadMigrations, migrate } from '../../src/adapters/store/migrate.ts';
import { openAnalysisStore, PgAnalysisStore } from '../../src/adapters/store/pg-store.ts';
import { MEMORY_DIR, openPglite, openPgPool } from '../../src/adapters/store/sql-client.ts';
import { describeStoreContract, makeRecord, testSchemaName, withPgClient } from '../helpers/store-fixtures.ts';

const DATABASE_URL = process.env.DATABASE_URL;
const NO_PG = DATABASE_URL
  ? false
  : 'DATABASE_URL not set: set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run the PostgreSQL suite';
const VERSIONS = loadMigrations().map((m) => m.version);

describeStoreContract('AnalysisStore on PGlite in a data directory', false, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chartlens-store-'));
  return {
    async open() {
      const store = await openAnalysisStore({ dataDir });
      assert.ok(existsSync(join(dataDir, 'pglite', 'PG_VERSION')), 'the database lives in <dataDir>/pglite');
      return store;
    },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

describeStoreContract('AnalysisStore on PostgreSQL (DATABASE_URL)', NO_PG, async () => {
  const schema = testSchemaName();
  return {
    open: () => openAnalysisStore({ databaseUrl: DATABASE_URL, dataDir: 'unused', schema }),
    cleanup: () => dropSchema(schema),
  };
});

describe('store migrations and options', () => {
  it('applies each migration once on in-memory PGlite; a second run applies nothing', async () => {
    const db = await openPglite(MEMORY_DIR);
    try {
      assert.deepStrictEqual(await migrate(db), VERSIONS);
      assert.deepStrictEqual(await migrate(db), []);
      const rows = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepStrictEqual(rows.map((r) => r.version), VERSIONS);
    } finally {
      await db.close();
    }
  });

  it('opens a fresh, unshared in-memory PGlite for dataDir ":memory:"', async () => {
    const store = await openAnalysisStore({ dataDir: MEMORY_DIR });
    try {
      const record = makeRecord();
      await store.save(record);
      assert.deepStrictEqual(await store.get(record.id), record);
    } finally {
      await store.close();
    }
  });

  it('refuses a schema without databaseUrl, and a schema name that is not a plain identifier', async () => {
    await assert.rejects(openAnalysisStore({ dataDir: MEMORY_DIR, schema: 'x' }), /needs databaseUrl/);
    // Checked before any connection is made, so no server is needed.
    await assert.rejects(
      openAnalysisStore({ databaseUrl: 'postgres://127.0.0.1:1/none', dataDir: 'unused', schema: 'a"; DROP' }),
      /Invalid schema name/,
    );
  });

  it('racing first starts on an empty PostgreSQL schema apply each migration exactly once', { skip: NO_PG }, async () => {
    const schema = testSchemaName();
    try {
      const stores = await Promise.all(
        [1, 2, 3].map(() => openAnalysisStore({ databaseUrl: DATABASE_URL, dataDir: 'unused', schema })),
      );
      await Promise.all(stores.map((s) => s.close()));
      const db = openPgPool({ connectionString: DATABASE_URL!, schema });
      try {
        assert.deepStrictEqual(await migrate(db), []);
        const rows = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepStrictEqual(rows.map((r) => r.version), VERSIONS);
        // The store over a bare client works too (the factory only adds migrations and sharing).
        const store = new PgAnalysisStore(db, async () => {});
        await store.ping();
      } finally {
        await db.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});

async function dropSchema(schema: string): Promise<void> {
  await withPgClient(DATABASE_URL!, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { silentLogger } from '../../src/log.js';
import { openDatabase, type AppDatabase } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';

/**
 * The databases integration tests run on. Each `open()` gives a fresh, migrated, isolated database:
 * SQLite in a new temp dir; PostgreSQL in a new schema of TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), dropped on close. SKIP_POSTGRES=1 leaves PostgreSQL out.
 *
 *   describe.each(databaseEngines())('jobs on $name', (engine) => { ... await engine.open() ... });
 */
export interface TestDatabase extends AppDatabase {
  /** Where it lives: pass as `dataDir` / `databaseUrl` to openDatabase (e.g. from a child process). */
  dataDir: string;
  databaseUrl: string | undefined;
  /**
   * Another independent connection to the same database (its close does not drop anything). PostgreSQL only
   * in one process: two better-sqlite3 connections in one process can deadlock each other's busy wait.
   */
  reopen(): Promise<AppDatabase>;
}

export interface DatabaseEngine {
  name: 'sqlite' | 'postgres';
  /** `migrate: false` leaves the database empty (for migration tests). */
  open(opts?: { migrate?: boolean }): Promise<TestDatabase>;
}

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function databaseEngines(): DatabaseEngine[] {
  const engines: DatabaseEngine[] = [{ name: 'sqlite', open: openSqlite }];
  if (process.env.SKIP_POSTGRES !== '1') engines.push({ name: 'postgres', open: openPostgres });
  return engines;
}

async function openSqlite(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-test-'));
  const app = await openDatabase({ dataDir, log: silentLogger() });
  if (opts.migrate !== false) await migrateToLatest(app).catch(closeAndRethrow(app));
  return {
    ...app,
    dataDir,
    databaseUrl: undefined,
    reopen: () => openDatabase({ dataDir, log: silentLogger() }),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const base = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
  const schema = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  const databaseUrl = url.toString();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-test-'));
  // openDatabase creates the schema named in ?schema= and puts only it on the search_path.
  const app = await openDatabase({ dataDir, databaseUrl, log: silentLogger() });
  if (opts.migrate !== false) await migrateToLatest(app).catch(closeAndRethrow(app));
  return {
    ...app,
    dataDir,
    databaseUrl,
    reopen: () => openDatabase({ dataDir, databaseUrl, log: silentLogger() }),
    close: async () => {
      await app.close();
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      try {
        await admin.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await admin.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const closeAndRethrow = (app: AppDatabase) => async (err: unknown) => {
  await app.close().catch(() => undefined);
  throw err;
};

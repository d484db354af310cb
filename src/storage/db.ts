import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Database } from './schema.js';
import { ImmediateSqliteDialect, withStatementCache } from './sqliteDialect.js';

export type Dialect = 'sqlite' | 'postgres';

export interface AppDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  dataDir: string;
  /**
   * `postgres://` or `postgresql://` selects PostgreSQL; anything else (or nothing) uses SQLite in `dataDir`.
   * Isolate an installation (or a test) in its own schema with `?schema=name`: the schema is created when
   * missing and becomes the only entry of `search_path`. A raw `?options=-c search_path=name` is passed
   * through to the server as is (the schema must then exist).
   */
  databaseUrl?: string;
  log?: Logger;
}

export const SQLITE_FILE_NAME = 'qrbill.sqlite';

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<AppDatabase> {
  return isPostgresUrl(opts.databaseUrl) ? openPostgres(opts.databaseUrl, opts.log) : openSqlite(opts.dataDir, opts.log);
}

function openSqlite(dataDir: string, log?: Logger): AppDatabase {
  const file = path.join(dataDir, SQLITE_FILE_NAME);
  let handle: BetterSqlite3.Database;
  try {
    mkdirSync(dataDir, { recursive: true });
    handle = new BetterSqlite3(file);
    // WAL lets readers proceed while one writer commits; NORMAL sync is durable across process crashes in WAL.
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
    // Another process (a CLI command, a second worker) may hold the write lock for a moment.
    handle.pragma('busy_timeout = 5000');
    handle.pragma('foreign_keys = ON');
    if (process.env.XP_NOCKPT) handle.pragma('wal_autocheckpoint = 0');
  } catch (err) {
    throw new AppError('DATABASE_OPEN_FAILED', `Cannot open the SQLite database at ${file}`, { cause: err });
  }
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(handle) }) });
  log?.info({ dialect: 'sqlite', file }, 'database opened');
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Splits our `?schema=` parameter off the URL: `pg` would pass unknown parameters to the server. */
export function parsePostgresUrl(databaseUrl: string): { connectionString: string; schema?: string } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch (err) {
    throw new AppError('DATABASE_URL_INVALID', 'DATABASE_URL is not a valid URL', { cause: err });
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { connectionString: databaseUrl };
  if (!SCHEMA_NAME.test(schema)) {
    throw new AppError('DATABASE_URL_INVALID', `schema "${schema}" must be a plain identifier (letters, digits, _)`);
  }
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

async function openPostgres(databaseUrl: string, log?: Logger): Promise<AppDatabase> {
  const { connectionString, schema } = parsePostgresUrl(databaseUrl);
  const pg = await pgDriver();
  if (schema !== undefined) await ensureSchema(pg, connectionString, schema);
  const pool = new pg.Pool({
    connectionString,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its connection emits on the pool; unhandled, that would crash the process.
  pool.on('error', (err) => log?.warn({ err }, 'idle PostgreSQL connection failed'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw new AppError('DATABASE_OPEN_FAILED', 'Cannot connect to PostgreSQL', { cause: err, retryable: true });
  }
  log?.info({ dialect: 'postgres', schema: schema ?? 'default' }, 'database opened');
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

/** The PostgreSQL driver, loaded only by installations that use it (it is ≈ 4 MB resident that SQLite ones never need). */
async function pgDriver(): Promise<typeof import('pg').default> {
  return (await import('pg')).default;
}

async function ensureSchema(pg: typeof import('pg').default, connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    // Name validated by SCHEMA_NAME; identifiers cannot be bound as parameters.
    await client.query(`create schema if not exists "${schema}"`);
  } catch (err) {
    // Two processes creating the same schema at once: the loser sees a unique violation; the schema exists.
    if ((err as { code?: string }).code !== '23505') {
      throw new AppError('DATABASE_OPEN_FAILED', `Cannot create PostgreSQL schema "${schema}"`, {
        cause: err,
        retryable: true,
      });
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs `fn` in one transaction. Inside, use only `trx`: on SQLite the single connection is held by the
 * transaction, so a query through the outer `db` would wait for it forever.
 */
export function transaction<T>(
  app: AppDatabase | Kysely<Database>,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const db = app instanceof Kysely ? app : app.db;
  // Already inside a transaction: join it, so helpers compose with a caller's transaction.
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
}

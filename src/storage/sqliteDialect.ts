import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) BEGIN. A deferred transaction that reads
 * first and writes later fails with SQLITE_BUSY, without waiting, when another process committed in between
 * (WAL cannot upgrade a stale read snapshot). BEGIN IMMEDIATE takes the write lock up front, so
 * `busy_timeout` applies and every transaction behaves as a single writer.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing (parsing and planning the SQL) costs as much as
 * running a small statement. The same SQL text reuses its prepared statement, from a bounded cache. Safe because
 * better-sqlite3 runs a statement to completion synchronously and kysely never streams here (a statement being
 * iterated could not be reused).
 */
export function withStatementCache<T extends { prepare(sql: string): unknown }>(handle: T, size = 500): T {
  const cache = new Map<string, unknown>();
  const prepare = handle.prepare.bind(handle);
  handle.prepare = ((sql: string) => {
    const hit = cache.get(sql);
    if (hit !== undefined) {
      // Most recently used last: Map keeps insertion order, so the first key is the one to evict.
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const stmt = prepare(sql);
    cache.set(sql, stmt);
    if (cache.size > size) cache.delete(cache.keys().next().value!);
    return stmt;
  }) as T['prepare'];
  return handle;
}

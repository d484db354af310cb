import { Migrator, sql, type MigrationProvider } from 'kysely';
import { AppError, errorMessage } from '../errors.js';
import type { AppDatabase } from './db.js';
import { allMigrations } from './migrations/index.js';

async function migratorFor(app: AppDatabase): Promise<Migrator> {
  const provider: MigrationProvider = { getMigrations: async () => allMigrations(app.dialect) };
  let migrationTableSchema: string | undefined;
  if (app.dialect === 'postgres') {
    // Without an explicit schema Kysely decides "already migrated" by finding kysely_migration in ANY schema
    // of the database, so a second installation (or test) sharing the database would skip its own tables.
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(app.db);
    const schema = rows[0]?.schema;
    if (!schema) {
      throw new AppError('MIGRATION_FAILED', 'PostgreSQL has no current schema: check search_path in DATABASE_URL');
    }
    migrationTableSchema = schema;
  }
  return new Migrator({ db: app.db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
}

/**
 * Kysely's "does the migration table exist" check lists the tables of every schema in the database;
 * a schema dropped by someone else at that moment (another installation or test sharing the
 * database) makes PostgreSQL answer 3F000 for a schema that is not ours. Nothing was changed then
 * (migrations run in one transaction), so trying again is safe.
 */
function isForeignSchemaRace(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '3F000') return true;
  }
  return false;
}

/** Applies every pending migration in order; safe to run from several processes at once (Kysely locks). */
export async function migrateToLatest(app: AppDatabase): Promise<{ applied: string[] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(app);
    } catch (err) {
      if (attempt >= 5 || !isForeignSchemaRace(err)) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function migrateOnce(app: AppDatabase): Promise<{ applied: string[] }> {
  let migrator: Migrator;
  try {
    migrator = await migratorFor(app);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('MIGRATION_FAILED', `Cannot prepare migrations: ${errorMessage(err)}`, { cause: err });
  }
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.filter((r) => r.status === 'Error').map((r) => r.migrationName);
    const where = failed.length ? ` in ${failed.join(', ')}` : '';
    throw new AppError('MIGRATION_FAILED', `Database migration failed${where}: ${errorMessage(error)}`, {
      cause: error,
      details: { failed, applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) },
    });
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Names of migrations not yet applied (empty when the database is ready). */
export async function pendingMigrations(app: AppDatabase): Promise<string[]> {
  try {
    const migrator = await migratorFor(app);
    const infos = await migrator.getMigrations();
    return infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('MIGRATION_FAILED', `Cannot read migration state: ${errorMessage(err)}`, {
      cause: err,
      retryable: true,
    });
  }
}

import { randomBytes } from 'node:crypto';
import { oauthHosts, type Config } from './config.js';
import type { Logger } from './log.js';
import { clockFor, type Clock } from './clock.js';
import { openDatabase, type AppDatabase } from './storage/db.js';
import { migrateToLatest } from './storage/migrate.js';
import { setSettingIfAbsent } from './storage/settings.js';
import { BitrixClients } from './bitrix/client.js';
import { SellerCache } from './crm/sellerCache.js';
import { JobStore } from './jobs/store.js';
import { WorkSignal } from './jobs/signal.js';
import { Metrics } from './metrics.js';

/**
 * Everything HTTP handlers, the worker and the CLI share. Built once per process; tests build
 * their own with a temp database, a manual clock and a sandbox portal.
 */
export interface AppDeps {
  config: Config;
  log: Logger;
  clock: Clock;
  database: AppDatabase;
  bitrix: BitrixClients;
  /** Secret that signs public document links (never logged). */
  linkSecret: string;
  /** The durable job store (the only way to the jobs and job_effects tables). */
  jobs: JobStore;
  metrics: Metrics;
  /** The landlord's requisites, cached per portal for a few minutes (read for every document). */
  sellerCache: SellerCache;
  /** False when the caller passed its own database in (then the caller closes it). */
  ownsDatabase: boolean;
  /** Notified after a job is enqueued so an idle worker starts at once instead of at its next poll. */
  work: WorkSignal;
}

export interface CreateDepsOptions {
  clock?: Clock;
  /** Skip applying migrations (the `migrate` command applies them itself and reports). */
  skipMigrations?: boolean;
  /** An already opened database (tests open theirs in an isolated PostgreSQL schema). */
  database?: AppDatabase;
}

const LINK_SECRET_KEY = 'link_signing_secret';

export async function createDeps(config: Config, log: Logger, opts: CreateDepsOptions = {}): Promise<AppDeps> {
  const clock = opts.clock ?? clockFor(config);
  if (config.QRBILL_NOW && !opts.clock) {
    log.warn(
      { qrbillNow: config.QRBILL_NOW.toISOString() },
      'QRBILL_NOW is set: TRIAL CLOCK — this process believes it is %s; for demos and acceptance runs only, never in production',
      config.QRBILL_NOW.toISOString(),
    );
  }
  const database =
    opts.database ?? (await openDatabase({ dataDir: config.DATA_DIR, databaseUrl: config.DATABASE_URL, log }));
  try {
    if (!opts.skipMigrations) {
      const { applied } = await migrateToLatest(database);
      if (applied.length) log.info({ applied }, 'database migrations applied');
    }
    // The secret lives in the database so every instance sharing it signs and verifies the same links.
    const linkSecret =
      config.LINK_SECRET ?? (await setSettingIfAbsent(database.db, LINK_SECRET_KEY, randomBytes(32).toString('base64url')));
    const jobs = new JobStore(database, clock);
    const metrics = new Metrics(jobs);
    const bitrix = new BitrixClients({
      db: database.db,
      oauth: {
        clientId: config.B24_CLIENT_ID ?? '',
        clientSecret: config.B24_CLIENT_SECRET ?? '',
        hosts: oauthHosts(config),
      },
      log,
      clock,
      observer: metrics.bitrixObserver(),
    });
    return { config, log, clock, database, bitrix, jobs, metrics, linkSecret, sellerCache: new SellerCache(), ownsDatabase: !opts.database, work: new WorkSignal() };
  } catch (err) {
    if (!opts.database) await database.close();
    throw err;
  }
}

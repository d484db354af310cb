import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { transaction, type AppDatabase } from '../storage/db.js';
import type { Database, Job, JobStatus, JobsTable } from '../storage/schema.js';
import { BulkInsert } from '../storage/bulkInsert.js';
import type { JobKind } from './types.js';

/**
 * The durable job store: the only code that reads or writes the `jobs` and `job_effects` tables.
 *
 * A job is identified by a business key that is unique forever, runs at most `max_attempts` times, and is owned
 * while running by one claim. A claim is fenced by (worker id, attempt number): every claim increments
 * `attempts`, so a worker whose lease expired and was taken over can no longer extend, complete, retry or fail
 * the job — its writes match no row and report `false`.
 */

/** Error recorded on a job whose worker vanished during its final attempt. */
export const LEASE_EXPIRED_ERROR = 'JOB_LEASE_EXPIRED: the worker running the final attempt stopped responding';

export const DEFAULT_MAX_ATTEMPTS = 5;

export interface EnqueueInput<P> {
  /** A typed kind (its payload type checked here, its schema on claim), or a bare name. */
  kind: JobKind<P> | string;
  /**
   * Business key, unique forever: enqueueing a key that ever existed (even a finished job) creates nothing.
   * Recurring work puts its period in the key (`schedule:<contract>:2026-12`).
   */
  key: string;
  /** JSON-serialisable. */
  payload: P;
  /** Not before this instant (default: now). */
  runAt?: Date;
  /** Runs including the first (default: the kind's, else 5). */
  maxAttempts?: number;
}

export interface ClaimOptions {
  workerId: string;
  limit: number;
  leaseMs: number;
  /** Claim what is due by this instant (default now); `runDue` passes its start so retries wait. */
  dueBy?: Date;
}

/** Identifies one claim of a job: each claim increments attempts, so a stale worker's writes match nothing. */
export interface ClaimRef {
  id: number;
  attempt: number;
  workerId: string;
}

/** A claimed job as the worker sees it: the row with its payload parsed (its kind's schema checks it next). */
export interface ClaimedJob {
  row: Job;
  payload: { ok: true; value: unknown } | { ok: false; error: AppError };
}

export type JobCounts = Record<JobStatus, number>;

type Db = Kysely<Database> | Transaction<Database>;

type NewJobRow = Pick<JobsTable, 'kind' | 'key' | 'payload_json' | 'run_at' | 'max_attempts' | 'created_at'>;

/** `enqueueMany`'s insert: the accept path enqueues each group commit's robot jobs with it. */
const insertJobs = new BulkInsert<NewJobRow>(['kind', 'key', 'payload_json', 'run_at', 'max_attempts', 'created_at'], (db, rows) =>
  db
    .insertInto('jobs')
    .values(rows.map((r) => ({ ...r, status: 'pending' as const, attempts: 0, updated_at: r.created_at })))
    .onConflict((oc) => oc.column('key').doNothing()),
);

export class JobStore {
  constructor(
    private readonly app: AppDatabase,
    private readonly clock: Clock,
  ) {}

  private get db(): Kysely<Database> {
    return this.app.db;
  }

  /** Adds a job unless its key ever existed; inside `trx` the job appears only if that transaction commits. */
  async enqueue<P>(input: EnqueueInput<P>, trx?: Transaction<Database>): Promise<{ id: number; created: boolean }> {
    const kind = typeof input.kind === 'string' ? input.kind : input.kind.name;
    const maxAttempts = input.maxAttempts ?? (typeof input.kind === 'string' ? undefined : input.kind.maxAttempts) ?? DEFAULT_MAX_ATTEMPTS;
    if (!kind || !input.key) throw new AppError('JOB_INVALID', 'A job needs a kind and a key');
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new AppError('JOB_INVALID', `maxAttempts must be a positive integer, got ${maxAttempts}`);
    }
    const payloadJson = JSON.stringify(input.payload);
    if (payloadJson === undefined) throw new AppError('JOB_INVALID', `Job ${input.key}: payload is not JSON`);
    const db: Db = trx ?? this.db;
    const now = this.clock.now().toISOString();
    const inserted = await db
      .insertInto('jobs')
      .values({
        kind,
        key: input.key,
        payload_json: payloadJson,
        status: 'pending',
        run_at: (input.runAt ?? this.clock.now()).toISOString(),
        attempts: 0,
        max_attempts: maxAttempts,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id: inserted.id, created: true };
    const existing = await db.selectFrom('jobs').select('id').where('key', '=', input.key).executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }

  /**
   * Adds several jobs of one kind in one statement, skipping keys that ever existed; inside `trx` they appear only
   * if that transaction commits.
   */
  async enqueueMany<P>(kind: JobKind<P>, jobs: Array<{ key: string; payload: P; runAt?: Date }>, trx?: Transaction<Database>): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.clock.now().toISOString();
    await insertJobs.run(
      trx ?? this.db,
      jobs.map((j) => ({
        kind: kind.name,
        key: j.key,
        payload_json: JSON.stringify(j.payload),
        run_at: j.runAt?.toISOString() ?? now,
        max_attempts: kind.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        created_at: now,
      })),
    );
  }

  /**
   * Claims up to `limit` jobs — pending ones due by `dueBy`, and running ones whose lease expired (their worker
   * crashed) — each becoming running under `workerId` with a fresh lease and one more attempt; a job whose worker
   * died on its final attempt fails instead (a job that crashes its worker every time is not retried forever).
   * PostgreSQL locks the rows FOR UPDATE SKIP LOCKED, so concurrent workers claim disjoint sets; SQLite serialises
   * claims with BEGIN IMMEDIATE.
   */
  async claim(opts: ClaimOptions): Promise<ClaimedJob[]> {
    if (opts.limit < 1) return [];
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const due = (opts.dueBy ?? now).toISOString();
    const lockedUntil = new Date(now.getTime() + opts.leaseMs).toISOString();
    const claimed = await transaction(this.app, async (trx) => {
      await trx
        .updateTable('jobs')
        .set({ status: 'failed', last_error: LEASE_EXPIRED_ERROR, locked_by: null, locked_until: null, finished_at: nowIso, updated_at: nowIso })
        .where('status', '=', 'running')
        .where('locked_until', '<', due)
        .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
        .execute();
      let pick = trx
        .selectFrom('jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', due)]),
            eb.and([eb('status', '=', 'running'), eb('locked_until', '<', due), eb('attempts', '<', eb.ref('max_attempts'))]),
          ]),
        )
        .orderBy('run_at')
        .orderBy('id')
        .limit(opts.limit);
      if (this.app.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
      const ids = (await pick.execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      return trx
        .updateTable('jobs')
        .set((eb) => ({ status: 'running', locked_by: opts.workerId, locked_until: lockedUntil, attempts: eb('attempts', '+', 1), updated_at: nowIso }))
        .where('id', 'in', ids)
        .returningAll()
        .execute();
    });
    return claimed
      .sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : a.id - b.id))
      .map((row) => ({ row, payload: parsePayload(row) }));
  }

  /** Extends the claim's lease to `until`; false when the claim is no longer ours (taken over). */
  async extend(ref: ClaimRef, until: Date): Promise<boolean> {
    return this.updateClaim(ref, { locked_until: until.toISOString(), updated_at: this.clock.now().toISOString() });
  }

  /** Marks the claimed job done; false when the claim is no longer ours. */
  async complete(ref: ClaimRef): Promise<boolean> {
    const at = this.clock.now().toISOString();
    return this.updateClaim(ref, { status: 'done', locked_by: null, locked_until: null, finished_at: at, updated_at: at });
  }

  /** Puts the claimed job back to pending, due at `runAt`, keeping `lastError`; false when the claim is no longer ours. */
  async retry(ref: ClaimRef, runAt: Date, lastError: string): Promise<boolean> {
    const at = this.clock.now().toISOString();
    return this.updateClaim(ref, { status: 'pending', run_at: runAt.toISOString(), locked_by: null, locked_until: null, last_error: lastError, updated_at: at });
  }

  /** Fails the claimed job for good with `lastError`; false when the claim is no longer ours. */
  async fail(ref: ClaimRef, lastError: string): Promise<boolean> {
    const at = this.clock.now().toISOString();
    return this.updateClaim(ref, { status: 'failed', locked_by: null, locked_until: null, last_error: lastError, finished_at: at, updated_at: at });
  }

  private async updateClaim(ref: ClaimRef, set: Partial<Omit<Job, 'id'>>): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set(set)
      .where('id', '=', ref.id)
      .where('status', '=', 'running')
      .where('locked_by', '=', ref.workerId)
      .where('attempts', '=', ref.attempt)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Effect journal: runs `fn` once per job key and effect name across retries, crashes and workers, returning the
   * recorded result when a previous run completed it. The result must be JSON (`undefined` comes back as null, a
   * Date as its ISO string). A crash between `fn` and the record repeats `fn`: keep the remote call idempotent.
   */
  async effect<T>(jobKey: string, name: string, fn: () => Promise<T>): Promise<T> {
    const done = await this.recordedEffect(jobKey, name);
    if (done.found) return done.result as T;
    const result = await fn();
    await this.db
      .insertInto('job_effects')
      .values({ job_key: jobKey, effect: name, result_json: JSON.stringify(result ?? null) ?? 'null', created_at: this.clock.now().toISOString() })
      // Two runs raced through the same effect (a lease taken over mid-call): the first record stands.
      .onConflict((oc) => oc.columns(['job_key', 'effect']).doNothing())
      .execute();
    return result;
  }

  /** Whether a job's effect was completed, and its recorded result. */
  async recordedEffect(jobKey: string, name: string): Promise<{ found: false } | { found: true; result: unknown }> {
    const row = await this.db
      .selectFrom('job_effects')
      .select('result_json')
      .where('job_key', '=', jobKey)
      .where('effect', '=', name)
      .executeTakeFirst();
    return row ? { found: true, result: JSON.parse(row.result_json) as unknown } : { found: false };
  }

  /** A job by id (number) or business key (string). */
  async find(idOrKey: number | string): Promise<Job | undefined> {
    const q = this.db.selectFrom('jobs').selectAll();
    return (typeof idOrKey === 'number' ? q.where('id', '=', idOrKey) : q.where('key', '=', idOrKey)).executeTakeFirst();
  }

  /** Jobs newest first, optionally of one status. */
  async list(opts: { status?: JobStatus; limit: number }): Promise<Job[]> {
    let q = this.db.selectFrom('jobs').selectAll();
    if (opts.status !== undefined) q = q.where('status', '=', opts.status);
    return q.orderBy('id', 'desc').limit(opts.limit).execute();
  }

  /** Failed jobs of a kind changed since `since`, oldest first after id `afterId` (for sweeps that page). */
  async failedSince(kind: string, since: Date, opts: { afterId?: number; limit: number }): Promise<Job[]> {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', 'failed')
      .where('kind', '=', kind)
      .where('updated_at', '>=', since.toISOString())
      .where('id', '>', opts.afterId ?? 0)
      .orderBy('id')
      .limit(opts.limit)
      .execute();
  }

  /** Which of these keys exist as jobs. */
  async existingKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db.selectFrom('jobs').select('key').where('key', 'in', keys).execute();
    return new Set(rows.map((r) => r.key));
  }

  /** How many jobs are in each status (every status present, zero when none). */
  async counts(): Promise<JobCounts> {
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => ['status', eb.fn.countAll<number | string | bigint>().as('n')])
      .groupBy('status')
      .execute();
    const counts: JobCounts = { pending: 0, running: 0, done: 0, failed: 0 };
    // PostgreSQL returns count(*) as a bigint string.
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }

  /** How long the oldest due job has been waiting to run, in ms (0 when none): the backlog's age. */
  async oldestPendingAgeMs(): Promise<number> {
    const now = this.clock.now();
    const row = await this.db
      .selectFrom('jobs')
      .select('run_at')
      .where('status', '=', 'pending')
      .where('run_at', '<=', now.toISOString())
      .orderBy('run_at')
      .limit(1)
      .executeTakeFirst();
    return row ? Math.max(0, now.getTime() - Date.parse(row.run_at)) : 0;
  }
}

/**
 * Robot job keys hold Bitrix24's event token (`<workflow>|<activity>|<id>.<signature>`), which closes a
 * waiting step for anyone holding a token of that portal: logs keep the key up to the first `|` only.
 */
export function loggableKey(key: string): string {
  const bar = key.indexOf('|');
  return bar === -1 ? key : `${key.slice(0, bar)}|…`;
}

function parsePayload(row: Job): ClaimedJob['payload'] {
  try {
    return { ok: true, value: JSON.parse(row.payload_json) as unknown };
  } catch (err) {
    return { ok: false, error: new AppError('JOB_PAYLOAD_INVALID', `Job ${loggableKey(row.key)} has a payload that is not JSON`, { cause: err }) };
  }
}

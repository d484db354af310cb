import type { Kysely } from 'kysely';
import { transaction, type AppDatabase } from '../storage/db.js';
import type { Database, Job } from '../storage/schema.js';

/** Error recorded on a job whose worker vanished during its final attempt. */
export const LEASE_EXPIRED_ERROR = 'JOB_LEASE_EXPIRED: the worker running the final attempt stopped responding';

export interface ClaimOptions {
  workerId: string;
  limit: number;
  leaseMs: number;
  /** Current time: the lease runs from here. */
  now: Date;
  /** Claim what is due by this instant (default `now`); `runDue` passes its start so retries wait. */
  dueBy?: Date;
}

/**
 * Claims up to `limit` jobs: pending ones due by `dueBy`, and running ones whose lease expired (their
 * worker crashed). Each becomes running under this worker with a fresh lease and one more attempt.
 * PostgreSQL: rows are locked with FOR UPDATE SKIP LOCKED, so concurrent workers claim disjoint sets.
 * SQLite: the transaction starts with BEGIN IMMEDIATE, so claims from all processes are serialised.
 */
export async function claimJobs(app: AppDatabase, opts: ClaimOptions): Promise<Job[]> {
  if (opts.limit < 1) return [];
  const nowIso = opts.now.toISOString();
  const due = (opts.dueBy ?? opts.now).toISOString();
  const lockedUntil = new Date(opts.now.getTime() + opts.leaseMs).toISOString();
  const claimed = await transaction(app, async (trx) => {
    // A worker that died on the final attempt gets no further run: a job that crashes its worker every
    // time would otherwise be retried forever.
    await trx
      .updateTable('jobs')
      .set({
        status: 'failed',
        last_error: LEASE_EXPIRED_ERROR,
        locked_by: null,
        locked_until: null,
        finished_at: nowIso,
        updated_at: nowIso,
      })
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
          eb.and([
            eb('status', '=', 'running'),
            eb('locked_until', '<', due),
            eb('attempts', '<', eb.ref('max_attempts')),
          ]),
        ]),
      )
      .orderBy('run_at')
      .orderBy('id')
      .limit(opts.limit);
    if (app.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const ids = (await pick.execute()).map((r) => r.id);
    if (ids.length === 0) return [];

    return trx
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        locked_by: opts.workerId,
        locked_until: lockedUntil,
        attempts: eb('attempts', '+', 1),
        updated_at: nowIso,
      }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  });
  return claimed.sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : a.id - b.id));
}

/** Identifies one claim of a job: each claim increments attempts, so a stale worker's writes match nothing. */
export interface ClaimRef {
  id: number;
  attempt: number;
  workerId: string;
}

function whereClaim(db: Kysely<Database>, ref: ClaimRef) {
  return db
    .updateTable('jobs')
    .where('id', '=', ref.id)
    .where('status', '=', 'running')
    .where('locked_by', '=', ref.workerId)
    .where('attempts', '=', ref.attempt);
}

/** Returns false when the claim is no longer ours (lease expired and another worker took the job). */
export async function extendLease(db: Kysely<Database>, ref: ClaimRef, until: Date, now: Date): Promise<boolean> {
  const r = await whereClaim(db, ref)
    .set({ locked_until: until.toISOString(), updated_at: now.toISOString() })
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function completeJob(db: Kysely<Database>, ref: ClaimRef, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const r = await whereClaim(db, ref)
    .set({ status: 'done', locked_by: null, locked_until: null, finished_at: at, updated_at: at })
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function scheduleRetry(
  db: Kysely<Database>,
  ref: ClaimRef,
  now: Date,
  runAt: Date,
  lastError: string,
): Promise<boolean> {
  const r = await whereClaim(db, ref)
    .set({
      status: 'pending',
      run_at: runAt.toISOString(),
      locked_by: null,
      locked_until: null,
      last_error: lastError,
      updated_at: now.toISOString(),
    })
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function failJob(db: Kysely<Database>, ref: ClaimRef, now: Date, lastError: string): Promise<boolean> {
  const at = now.toISOString();
  const r = await whereClaim(db, ref)
    .set({ status: 'failed', locked_by: null, locked_until: null, last_error: lastError, finished_at: at, updated_at: at })
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

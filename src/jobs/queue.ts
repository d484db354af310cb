import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Database } from '../storage/schema.js';

export interface EnqueueInput {
  kind: string;
  /**
   * Business key, unique forever: enqueueing a key that ever existed (even a finished job) creates nothing.
   * Recurring work puts its period in the key (`schedule:<contract>:2026-12`).
   */
  key: string;
  /** JSON-serialisable. */
  payload: unknown;
  /** Not before this instant (default: now). */
  runAt?: Date;
  /** Runs including the first (default 5). */
  maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Adds a job unless one with the same key exists. Pass the caller's transaction to make the job appear
 * only if the rest of that transaction commits. After commit, wake the worker so it does not wait a poll.
 */
export async function enqueueJob(
  db: Kysely<Database> | Transaction<Database>,
  input: EnqueueInput,
  clock: Clock,
): Promise<{ id: number; created: boolean }> {
  const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!input.kind || !input.key) throw new AppError('JOB_INVALID', 'A job needs a kind and a key');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new AppError('JOB_INVALID', `maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  const payloadJson = JSON.stringify(input.payload);
  if (payloadJson === undefined) throw new AppError('JOB_INVALID', `Job ${input.key}: payload is not JSON`);
  const now = clock.now().toISOString();
  const inserted = await db
    .insertInto('jobs')
    .values({
      kind: input.kind,
      key: input.key,
      payload_json: payloadJson,
      status: 'pending',
      run_at: (input.runAt ?? clock.now()).toISOString(),
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

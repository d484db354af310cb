import type { Kysely } from 'kysely';
import { systemClock } from '../clock.js';
import type { Database, NewRobotCall, RobotCall, RobotCallStatus } from './schema.js';

/**
 * Records a robot call once per `event_token`. Bitrix24 redelivers a call it thinks failed; the repeat
 * returns the first call's id with `created: false`, so the caller does not enqueue a second job.
 */
export async function insertRobotCall(
  db: Kysely<Database>,
  call: NewRobotCall,
): Promise<{ id: number; created: boolean }> {
  const inserted = await db
    .insertInto('robot_calls')
    .values(call)
    .onConflict((oc) => oc.column('event_token').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db
    .selectFrom('robot_calls')
    .select('id')
    .where('event_token', '=', call.event_token)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

export async function getRobotCall(db: Kysely<Database>, id: number): Promise<RobotCall | undefined> {
  return db.selectFrom('robot_calls').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getRobotCallByToken(db: Kysely<Database>, eventToken: string): Promise<RobotCall | undefined> {
  return db.selectFrom('robot_calls').selectAll().where('event_token', '=', eventToken).executeTakeFirst();
}

/** Records what was sent with bizproc.event.send: return values on success, `errorText` on failure. */
export async function markRobotCallAnswered(
  db: Kysely<Database>,
  id: number,
  result: Record<string, unknown> | null,
  errorText: string | null,
  at: Date = systemClock.now(),
): Promise<void> {
  await db
    .updateTable('robot_calls')
    .set({
      status: 'answered',
      result_json: result === null ? null : JSON.stringify(result),
      error_text: errorText,
      answered_at: at.toISOString(),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Keeps the return values of a finished run before they are sent: a retry then sends the same answer
 * without running the robot again, and if sending fails for good the answer job sends them later.
 */
export async function saveRobotCallResult(
  db: Kysely<Database>,
  id: number,
  result: Record<string, unknown>,
  errorText: string | null,
): Promise<void> {
  await db
    .updateTable('robot_calls')
    .set({ result_json: JSON.stringify(result), error_text: errorText })
    .where('id', '=', id)
    .where('answered_at', 'is', null)
    .execute();
}

export async function markRobotCallStatus(
  db: Kysely<Database>,
  id: number,
  status: RobotCallStatus,
  errorText?: string | null,
): Promise<void> {
  await db
    .updateTable('robot_calls')
    .set({ status, ...(errorText === undefined ? {} : { error_text: errorText }) })
    .where('id', '=', id)
    .execute();
}

/** Newest first. */
export async function listRobotCalls(
  db: Kysely<Database>,
  opts: { memberId?: string; limit: number },
): Promise<RobotCall[]> {
  let q = db.selectFrom('robot_calls').selectAll();
  if (opts.memberId !== undefined) q = q.where('member_id', '=', opts.memberId);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

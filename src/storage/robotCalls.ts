import type { Kysely, Transaction } from 'kysely';
import type { Database, RobotCallRow, RobotCallStatus } from './schema.js';
import { BulkInsert } from './bulkInsert.js';

/** Return values sent with bizproc.event.send, `status` and `error_text` among them. */
export type RobotReturnValues = Record<string, string | number>;

/** A robot call as code sees it: properties and return values parsed at this edge. */
export type RobotCall = Omit<RobotCallRow, 'properties_json' | 'result_json'> & {
  properties: Record<string, unknown>;
  /** Kept once the run finished, sent (again) until answered. */
  result: RobotReturnValues | null;
};

export type NewRobotCall = Omit<RobotCall, 'id' | 'status' | 'result' | 'error_text' | 'answered_at'>;

function fromRow(row: RobotCallRow): RobotCall {
  const { properties_json, result_json, ...rest } = row;
  return {
    ...rest,
    properties: JSON.parse(properties_json) as Record<string, unknown>,
    result: result_json === null ? null : (JSON.parse(result_json) as RobotReturnValues),
  };
}

/**
 * Records robot calls once per `event_token`, several in one statement (calls that arrive together are committed
 * together). Bitrix24 redelivers a call it thinks failed: a repeat — of an earlier call, or within `calls` — is
 * reported as not created, so the caller enqueues no second job. Returns the event tokens created here.
 */
export async function insertRobotCalls(db: Kysely<Database> | Transaction<Database>, calls: NewRobotCall[]): Promise<Set<string>> {
  if (calls.length === 0) return new Set();
  const rows = calls.map((c) => ({
    member_id: c.member_id,
    robot_code: c.robot_code,
    event_token: c.event_token,
    workflow_id: c.workflow_id,
    document_id: c.document_id,
    document_type: c.document_type,
    properties_json: JSON.stringify(c.properties),
    use_subscription: c.use_subscription,
    auth_user_id: c.auth_user_id,
    received_at: c.received_at,
  }));
  const inserted = await insertCalls.run<{ event_token: string }>(db, rows);
  return new Set(inserted.map((r) => r.event_token));
}

type CallRow = Pick<RobotCallRow, 'member_id' | 'robot_code' | 'event_token' | 'workflow_id' | 'document_id' | 'document_type' | 'properties_json' | 'use_subscription' | 'auth_user_id' | 'received_at'>;

/** The accept path's insert (group commit: one per batch of calls), its SQL built once per row count. */
const insertCalls = new BulkInsert<CallRow>(
  ['member_id', 'robot_code', 'event_token', 'workflow_id', 'document_id', 'document_type', 'properties_json', 'use_subscription', 'auth_user_id', 'received_at'],
  (db, rows) =>
    db
      .insertInto('robot_calls')
      .values(rows.map((r) => ({ ...r, status: 'queued' as const })))
      .onConflict((oc) => oc.column('event_token').doNothing())
      .returning('event_token'),
);

/** One call: its id, and `created: false` when its event token was recorded before. */
export async function insertRobotCall(db: Kysely<Database> | Transaction<Database>, call: NewRobotCall): Promise<{ id: number; created: boolean }> {
  const created = (await insertRobotCalls(db, [call])).size === 1;
  const row = await db.selectFrom('robot_calls').select('id').where('event_token', '=', call.event_token).executeTakeFirstOrThrow();
  return { id: row.id, created };
}

export async function getRobotCallById(db: Kysely<Database>, id: number): Promise<RobotCall | undefined> {
  const row = await db.selectFrom('robot_calls').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function getRobotCallByToken(db: Kysely<Database>, eventToken: string): Promise<RobotCall | undefined> {
  const row = await db.selectFrom('robot_calls').selectAll().where('event_token', '=', eventToken).executeTakeFirst();
  return row && fromRow(row);
}

/** Calls by event token (those that exist). */
export async function getRobotCallsByTokens(db: Kysely<Database>, eventTokens: string[]): Promise<RobotCall[]> {
  if (eventTokens.length === 0) return [];
  const rows = await db.selectFrom('robot_calls').selectAll().where('event_token', 'in', eventTokens).execute();
  return rows.map(fromRow);
}

/** Records what was sent with bizproc.event.send: return values on success, `errorText` on failure. */
export async function markRobotCallAnswered(
  db: Kysely<Database>,
  id: number,
  result: RobotReturnValues | null,
  errorText: string | null,
  at: Date,
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
  result: RobotReturnValues,
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
  return (await q.orderBy('id', 'desc').limit(opts.limit).execute()).map(fromRow);
}

/**
 * Waiting calls without an answer, received since `since`, on active portals, among these event tokens: what the
 * orphan sweep must still answer.
 */
export async function unansweredWaitingCalls(db: Kysely<Database>, eventTokens: string[], since: Date): Promise<RobotCall[]> {
  if (eventTokens.length === 0) return [];
  const rows = await db
    .selectFrom('robot_calls')
    .innerJoin('portals', 'portals.member_id', 'robot_calls.member_id')
    .selectAll('robot_calls')
    .where('robot_calls.event_token', 'in', eventTokens)
    .where('robot_calls.answered_at', 'is', null)
    .where('robot_calls.use_subscription', '=', 'Y')
    .where('robot_calls.received_at', '>=', since.toISOString())
    // A portal waiting for reinstall cannot be answered now; once healed its calls are picked up.
    .where('portals.status', '=', 'active')
    .orderBy('robot_calls.id')
    .execute();
  return rows.map(fromRow);
}

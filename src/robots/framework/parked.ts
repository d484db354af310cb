import type { JobStore } from '../../jobs/store.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { getRobotCallById, saveRobotCallResult } from '../../storage/robotCalls.js';
import { findRobot } from '../registry.js';
import { emptyReturnValues } from './registration.js';
import { ROBOT_ANSWER_JOB, robotAnswerJobKey } from './jobKinds.js';
import type { RobotResult } from './types.js';

/**
 * Answers a robot call that was parked (its run returned PARKED): stores the values and enqueues the answer job,
 * in the caller's transaction — the one that claimed the right to answer, so the call is answered once. The answer
 * job sends the stored values with bizproc.event.send, with retries of its own.
 */
export async function answerParkedCall(trx: Transaction<Database>, jobs: JobStore, robotCallId: number, values: RobotResult): Promise<void> {
  const call = await getRobotCallById(trx, robotCallId);
  if (!call || call.answered_at !== null) return;
  const robot = findRobot(call.robot_code);
  const answer = { ...(robot ? emptyReturnValues(robot) : {}), ...values, status: String(values.status ?? 'ok'), error_text: String(values.error_text ?? '') };
  await saveRobotCallResult(trx, call.id, answer, answer.status === 'error' ? answer.error_text : null);
  await jobs.enqueue({ kind: ROBOT_ANSWER_JOB, key: robotAnswerJobKey(call.event_token), payload: { eventToken: call.event_token, reason: null } }, trx);
}

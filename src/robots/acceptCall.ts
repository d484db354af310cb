import type { AppDeps } from '../deps.js';
import type { Portal } from '../storage/schema.js';
import type { RobotCallPayload } from './parseCall.js';
import { findRobot } from './registry.js';
import { insertRobotCall } from '../storage/robotCalls.js';
import { enqueueJob } from '../jobs/queue.js';
import { propertyProblems } from './validateProperties.js';

export const ROBOT_JOB_KIND = 'robot';

/** One job per delivery: the event token is the platform's unique id of a robot run. */
export const robotJobKey = (eventToken: string) => `${ROBOT_JOB_KIND}:${eventToken}`;

export interface RobotJobPayload {
  eventToken: string;
  /** Set when the delivery's properties are invalid: the job only answers with this error. */
  invalid?: string;
}

/**
 * Records the call and enqueues its job in one transaction, keyed by the event token: a repeated
 * delivery of the same call finds both already there and enqueues nothing new. A call for a robot
 * code this version does not know is recorded too: its job answers the waiting step (after giving a
 * newer instance sharing the queue the chance to run it).
 */
export async function acceptRobotCall(
  deps: AppDeps,
  portal: Portal,
  robotCode: string,
  call: RobotCallPayload,
): Promise<{ created: boolean; invalid?: string }> {
  const robot = findRobot(robotCode);
  const invalid = robot ? propertyProblems(robot, call.properties) : undefined;
  const now = deps.clock.now();
  const created = await deps.database.db.transaction().execute(async (trx) => {
    const rec = await insertRobotCall(trx, {
      member_id: portal.member_id,
      robot_code: robotCode,
      event_token: call.eventToken,
      workflow_id: call.workflowId,
      document_id: call.documentId,
      document_type: call.documentType,
      properties_json: JSON.stringify(call.properties),
      use_subscription: call.useSubscription ? 'Y' : 'N',
      auth_user_id: call.userId,
      status: 'queued',
      result_json: null,
      error_text: null,
      received_at: now.toISOString(),
      answered_at: null,
    });
    if (!rec.created) return false;
    const payload: RobotJobPayload = { eventToken: call.eventToken, ...(invalid ? { invalid } : {}) };
    await enqueueJob(trx, { kind: ROBOT_JOB_KIND, key: robotJobKey(call.eventToken), payload, maxAttempts: 8 }, deps.clock);
    return true;
  });
  if (created) deps.wakeWorker();
  return { created, ...(invalid ? { invalid } : {}) };
}

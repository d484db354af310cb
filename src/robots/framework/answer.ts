import type { AppDeps } from '../../deps.js';
import type { JobContext } from '../../jobs/types.js';
import { errorMessage, isPermanent } from '../../errors.js';
import { markRobotCallAnswered, markRobotCallStatus, saveRobotCallResult, type RobotCall } from '../../storage/robotCalls.js';
import type { RobotAnswer } from './types.js';

/** The journal name of the send: the robot job and the answer job both look for it. */
export const EVENT_SEND_EFFECT = 'event.send';

/**
 * The one way a robot call gets its answer. The values are stored before anything is sent, so a retry (or
 * the answer job, if this job gives up) sends the same values without running the robot again. A waiting
 * step gets `bizproc.event.send` once per job (journaled; the platform ignores a second send anyway,
 * b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-event-send.md), then the call is marked answered.
 *
 * When the send fails and no retry of this job follows (last attempt or a permanent error) the call is marked
 * failed (a portal waiting for a reinstall is such a permanent error): the maintenance sweep hands it to an
 * answer job with retries of its own, which succeeds once the next robot call or a reinstall heals the portal.
 */
export async function sendRobotAnswer(deps: AppDeps, call: RobotCall, values: RobotAnswer, job: Pick<JobContext, 'effect' | 'isLastAttempt'>): Promise<void> {
  const { db } = deps.database;
  // A robot may answer with its own status (wait_for_payment: paid, overdue, cancelled); only `error` is a failure.
  const status = values.status === 'error' ? 'error' : 'ok';
  const errorText = String(values.error_text ?? '');
  if (call.result === null) await saveRobotCallResult(db, call.id, values, status === 'error' ? errorText : null);
  if (call.use_subscription === 'Y') {
    try {
      await job.effect(EVENT_SEND_EFFECT, () =>
        deps.bitrix.forPortal(call.member_id).call('bizproc.event.send', {
          EVENT_TOKEN: call.event_token,
          RETURN_VALUES: values,
          LOG_MESSAGE: status === 'ok' ? `${call.robot_code}: готово` : `${call.robot_code}: ошибка — ${errorText}`,
        }),
      );
    } catch (err) {
      if (job.isLastAttempt || isPermanent(err)) await markRobotCallStatus(db, call.id, 'failed', errorMessage(err));
      throw err;
    }
  }
  await markRobotCallAnswered(db, call.id, values, status === 'error' ? errorText : null, deps.clock.now());
  deps.metrics.robotAnswers.inc({ robot: call.robot_code, status: String(values.status ?? status) });
}

import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import { markRobotCallAnswered, markRobotCallStatus } from '../storage/robotCalls.js';
import { errorMessage } from '../errors.js';
import { ROBOT_JOB_KIND } from './acceptCall.js';

/**
 * Safety net for "every waiting robot gets an answer": a robot job the queue gave up on without
 * answering (its worker crashed on the final attempt, or it failed before the answer was sent)
 * leaves the workflow step waiting forever. This finds such calls and closes them with
 * status=error, so the business process can branch instead of hanging. Returns how many were answered.
 */
export async function answerOrphanedRobotCalls(deps: AppDeps, limit = 50): Promise<number> {
  const { db } = deps.database;
  const orphans = await db
    .selectFrom('robot_calls')
    .innerJoin('jobs', (j) => j.on('jobs.key', '=', sql<string>`${ROBOT_JOB_KIND} || ':' || robot_calls.event_token`))
    .select(['robot_calls.id', 'robot_calls.member_id', 'robot_calls.robot_code', 'robot_calls.event_token', 'jobs.last_error'])
    .where('jobs.status', '=', 'failed')
    .where('robot_calls.status', 'in', ['queued', 'running'])
    .where('robot_calls.use_subscription', '=', 'Y')
    .orderBy('robot_calls.id')
    .limit(limit)
    .execute();
  let answered = 0;
  for (const call of orphans) {
    const errorText = `Сервис QR-биллинга не смог выполнить робота (${(call.last_error ?? 'неизвестная ошибка').slice(0, 300)}). Запустите робота повторно; если ошибка повторится, сообщите администратору.`;
    const values = { status: 'error', error_text: errorText };
    try {
      await deps.bitrix.forPortal(call.member_id).call('bizproc.event.send', {
        EVENT_TOKEN: call.event_token,
        RETURN_VALUES: values,
        LOG_MESSAGE: `${call.robot_code}: ошибка — ${errorText}`,
      });
      await markRobotCallAnswered(db, call.id, values, errorText);
      answered++;
    } catch (err) {
      // The portal cannot be reached with our tokens either: nothing more we can do for this call.
      await markRobotCallStatus(db, call.id, 'failed', errorMessage(err));
      deps.log.error({ err, memberId: call.member_id, robot: call.robot_code }, 'could not answer an orphaned robot call');
    }
  }
  if (answered) deps.log.warn({ answered }, 'answered robot calls whose jobs had failed');
  return answered;
}

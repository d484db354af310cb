import type { AppDeps } from '../../deps.js';
import type { JobHandler } from '../../jobs/types.js';
import { getPortal } from '../../storage/portals.js';
import { getRobotCallByToken, markRobotCallAnswered, markRobotCallStatus, unansweredWaitingCalls } from '../../storage/robotCalls.js';
import type { RobotAnswer } from './types.js';
import { ROBOT_ANSWER_JOB, ROBOT_JOB, robotAnswerJobKey, robotJobKey, type RobotAnswerJobPayload } from './jobKinds.js';
import { EVENT_SEND_EFFECT, sendRobotAnswer } from './answer.js';
import { findRobot } from '../registry.js';
import { emptyReturnValues } from './registration.js';

/** Calls older than this are left alone: nobody is watching those steps any more. */
const SWEEP_WINDOW_MS = 7 * 86_400_000;
/** Failed robot jobs looked at per page of the sweep. */
const PAGE = 200;

/**
 * Safety net for "every waiting robot gets an answer": a robot job the queue gave up on without answering (its
 * worker crashed on the final attempt, the portal was unreachable for longer than the job's retries, or the portal
 * needed a reinstall and has healed since) leaves the workflow step waiting forever. This hands each such call to
 * one answer job, which sends what the run produced (or status=error) with retries of its own. Returns how many
 * answer jobs were created.
 */
export async function answerOrphanedRobotCalls(deps: AppDeps, limit = 50): Promise<number> {
  const { db } = deps.database;
  const since = new Date(deps.clock.now().getTime() - SWEEP_WINDOW_MS);
  const tokenOf = (key: string) => key.slice(ROBOT_JOB.name.length + 1);
  let created = 0;
  for (let afterId = 0; created < limit; ) {
    const failed = await deps.jobs.failedSince(ROBOT_JOB.name, since, { afterId, limit: PAGE });
    if (failed.length === 0) break;
    afterId = failed[failed.length - 1]!.id;
    const reasons = new Map(failed.map((j) => [tokenOf(j.key), j.last_error]));
    const orphans = await unansweredWaitingCalls(db, [...reasons.keys()], since);
    const answering = await deps.jobs.existingKeys(orphans.map((c) => robotAnswerJobKey(c.event_token)));
    for (const call of orphans) {
      if (created >= limit || answering.has(robotAnswerJobKey(call.event_token))) continue;
      const payload: RobotAnswerJobPayload = { eventToken: call.event_token, reason: reasons.get(call.event_token) ?? null };
      const res = await deps.jobs.enqueue({ kind: ROBOT_ANSWER_JOB, key: robotAnswerJobKey(call.event_token), payload });
      if (res.created) created++;
    }
  }
  if (created) {
    deps.log.warn({ created }, 'robot calls whose jobs failed without an answer are being answered');
    deps.work.notify();
  }
  return created;
}

/** `error_text` for a call whose run left no return values. */
function orphanErrorText(reason: string | null): string {
  return `Сервис QR-биллинга не смог выполнить робота (${(reason ?? 'неизвестная ошибка').slice(0, 300)}). Запустите робота повторно; если ошибка повторится, сообщите администратору.`;
}

/** Sends the answer of an orphaned robot call: the saved return values, or status=error. */
export function robotAnswerJobHandler(deps: AppDeps): JobHandler<RobotAnswerJobPayload> {
  return async (job, ctx) => {
    const { db } = deps.database;
    const call = await getRobotCallByToken(db, job.payload.eventToken);
    if (!call || call.answered_at !== null) return;
    const portal = await getPortal(db, call.member_id);
    if (!portal || portal.status === 'uninstalled') {
      await markRobotCallStatus(db, call.id, 'failed', 'portal is not installed');
      return;
    }
    // The robot job did send its answer and died before recording it: the step is closed already.
    const sent = await deps.jobs.recordedEffect(robotJobKey(call.event_token), EVENT_SEND_EFFECT);
    if (sent.found && call.result) {
      const values = call.result;
      await markRobotCallAnswered(db, call.id, values, values.status !== 'error' ? null : String(values.error_text ?? ''), deps.clock.now());
      return;
    }
    const robot = findRobot(call.robot_code);
    const values: RobotAnswer = call.result ?? {
      ...(robot ? emptyReturnValues(robot) : {}),
      status: 'error',
      error_text: orphanErrorText(job.payload.reason),
    };
    try {
      await sendRobotAnswer(deps, call, values, ctx);
    } catch (err) {
      if (ctx.isLastAttempt) deps.log.error({ err, memberId: call.member_id, robot: call.robot_code }, 'could not answer an orphaned robot call');
      throw err;
    }
    deps.log.warn({ memberId: call.member_id, robot: call.robot_code, status: values.status }, 'answered a robot call whose job had failed');
  };
}

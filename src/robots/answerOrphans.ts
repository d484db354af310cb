import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { JobContext, JobHandler } from '../jobs/worker.js';
import { enqueueJob } from '../jobs/queue.js';
import { getPortal } from '../storage/portals.js';
import { getRobotCallByToken, markRobotCallAnswered, markRobotCallStatus } from '../storage/robotCalls.js';
import { AppError, errorMessage } from '../errors.js';
import { BitrixErrorCode, isBitrixError } from '../bitrix/errors.js';
import { ROBOT_JOB_KIND, robotJobKey } from './acceptCall.js';

export const ROBOT_ANSWER_JOB_KIND = 'robot-answer';
export const robotAnswerJobKey = (eventToken: string) => `${ROBOT_ANSWER_JOB_KIND}:${eventToken}`;

/** With the worker's backoff (2 s growing to 5 min) this keeps trying for about an hour and a half. */
export const ROBOT_ANSWER_MAX_ATTEMPTS = 20;
/** Calls older than this are left alone: nobody is watching those steps any more. */
const SWEEP_WINDOW_MS = 7 * 86_400_000;

export interface RobotAnswerJobPayload {
  eventToken: string;
  /** Why the robot job gave up (its last error), for `error_text` when it left no return values. */
  reason: string | null;
}

/**
 * Safety net for "every waiting robot gets an answer": a robot job the queue gave up on without
 * answering (its worker crashed on the final attempt, the portal was unreachable for longer than the
 * job's retries, or the portal needed a reinstall and has healed since) leaves the workflow step
 * waiting forever. This hands each such call to one answer job, which sends what the run produced
 * (or status=error) with retries of its own. Returns how many answer jobs were created.
 */
export async function answerOrphanedRobotCalls(deps: AppDeps, limit = 50): Promise<number> {
  const { db } = deps.database;
  const since = new Date(deps.clock.now().getTime() - SWEEP_WINDOW_MS).toISOString();
  // Driven by the failed robot jobs (status index), each finding its call by the unique event token.
  const tokenOfKey = sql<string>`substr(jobs.key, ${sql.raw(String(ROBOT_JOB_KIND.length + 2))})`;
  const orphans = await db
    .selectFrom('jobs')
    .innerJoin('robot_calls', (j) => j.on('robot_calls.event_token', '=', tokenOfKey))
    .innerJoin('portals', 'portals.member_id', 'robot_calls.member_id')
    .leftJoin('jobs as answer', (j) =>
      j.on('answer.key', '=', sql<string>`${ROBOT_ANSWER_JOB_KIND} || ':' || robot_calls.event_token`),
    )
    .select(['robot_calls.event_token', 'jobs.last_error'])
    .where('jobs.status', '=', 'failed')
    .where('jobs.kind', '=', ROBOT_JOB_KIND)
    .where('jobs.updated_at', '>=', since)
    .where('robot_calls.answered_at', 'is', null)
    .where('robot_calls.use_subscription', '=', 'Y')
    .where('robot_calls.received_at', '>=', since)
    // A portal waiting for reinstall cannot be answered now; once healed its calls are picked up.
    .where('portals.status', '=', 'active')
    .where('answer.id', 'is', null)
    .orderBy('robot_calls.id')
    .limit(limit)
    .execute();
  let created = 0;
  for (const call of orphans) {
    const payload: RobotAnswerJobPayload = { eventToken: call.event_token, reason: call.last_error };
    const res = await enqueueJob(
      db,
      { kind: ROBOT_ANSWER_JOB_KIND, key: robotAnswerJobKey(call.event_token), payload, maxAttempts: ROBOT_ANSWER_MAX_ATTEMPTS },
      deps.clock,
    );
    if (res.created) created++;
  }
  if (created) {
    deps.log.warn({ created }, 'robot calls whose jobs failed without an answer are being answered');
    deps.wakeWorker();
  }
  return created;
}

/** `error_text` for a call whose run left no return values. */
function orphanErrorText(reason: string | null): string {
  return `Сервис QR-биллинга не смог выполнить робота (${(reason ?? 'неизвестная ошибка').slice(0, 300)}). Запустите робота повторно; если ошибка повторится, сообщите администратору.`;
}

/** Sends the answer of an orphaned robot call: the saved return values, or status=error. */
export function robotAnswerJobHandler(deps: AppDeps): JobHandler {
  return async (job, ctx: JobContext) => {
    const payload = job.payload as RobotAnswerJobPayload;
    const { db } = deps.database;
    const call = await getRobotCallByToken(db, payload.eventToken);
    if (!call || call.answered_at !== null) return;
    const portal = await getPortal(db, call.member_id);
    if (!portal || portal.status === 'uninstalled') {
      await markRobotCallStatus(db, call.id, 'failed', 'portal is not installed');
      return;
    }
    // The robot job did send its answer and died before recording it: the step is closed already.
    const sent = await db
      .selectFrom('job_effects')
      .select('result_json')
      .where('job_key', '=', robotJobKey(call.event_token))
      .where('effect', '=', 'event.send')
      .executeTakeFirst();
    if (sent && call.result_json) {
      const values = JSON.parse(call.result_json) as Record<string, unknown>;
      await markRobotCallAnswered(db, call.id, values, values.status === 'ok' ? null : String(values.error_text ?? ''), deps.clock.now());
      return;
    }
    const values = call.result_json
      ? (JSON.parse(call.result_json) as Record<string, unknown>)
      : { status: 'error', error_text: orphanErrorText(payload.reason) };
    const status = values.status === 'ok' ? 'ok' : 'error';
    const errorText = String(values.error_text ?? '');
    try {
      await ctx.effect('event.send', () =>
        deps.bitrix.forPortal(call.member_id).call('bizproc.event.send', {
          EVENT_TOKEN: call.event_token,
          RETURN_VALUES: values,
          LOG_MESSAGE: status === 'ok' ? `${call.robot_code}: готово` : `${call.robot_code}: ошибка — ${errorText}`,
        }),
      );
    } catch (err) {
      // A portal marked for reinstall heals with the next robot call or a reinstall: keep trying meanwhile.
      if (isBitrixError(err, BitrixErrorCode.PORTAL_NEEDS_REINSTALL) && !ctx.isLastAttempt) {
        throw new AppError(err.code, err.message, { cause: err, retryable: true });
      }
      const permanent = err instanceof AppError && !err.retryable;
      if (ctx.isLastAttempt || permanent) {
        await markRobotCallStatus(db, call.id, 'failed', errorMessage(err));
        deps.log.error({ err, memberId: call.member_id, robot: call.robot_code }, 'could not answer an orphaned robot call');
      }
      throw err;
    }
    await markRobotCallAnswered(db, call.id, values, status === 'error' ? errorText : null, deps.clock.now());
    deps.log.warn({ memberId: call.member_id, robot: call.robot_code, status }, 'answered a robot call whose job had failed');
  };
}

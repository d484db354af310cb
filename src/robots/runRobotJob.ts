import type { AppDeps } from '../deps.js';
import type { JobContext, JobHandler } from '../jobs/worker.js';
import type { RobotResult, RobotRunContext } from './types.js';
import type { RobotJobPayload } from './acceptCall.js';
import { AppError, errorMessage } from '../errors.js';
import { getPortal } from '../storage/portals.js';
import { getRobotCallByToken, markRobotCallAnswered, markRobotCallStatus } from '../storage/robotCalls.js';
import { findRobot } from './registry.js';
import { parseDocumentId } from './parseCall.js';

/** Transient failures are retried by the job queue until the last attempt; permanent ones answer at once. */
function isPermanent(err: unknown): boolean {
  return err instanceof AppError && !err.retryable;
}

/** What the manager reads in `error_text`: what went wrong and what to do about it. */
function managerMessage(err: unknown, gaveUp: boolean): string {
  const msg = errorMessage(err);
  if (!gaveUp) return msg;
  return `Не удалось выполнить после нескольких попыток: ${msg}. Проверьте доступность портала и запустите робота повторно.`;
}

/**
 * The worker side of a robot call: run the robot, then always end a waiting step with
 * bizproc.event.send carrying the return values plus `status` and `error_text`.
 */
export function robotJobHandler(deps: AppDeps): JobHandler {
  return async (job, jobCtx: JobContext) => {
    const payload = job.payload as RobotJobPayload;
    const { db } = deps.database;
    const call = await getRobotCallByToken(db, payload.eventToken);
    if (!call) throw new AppError('ROBOT_CALL_MISSING', `robot call ${payload.eventToken.slice(0, 24)}… not found`);
    const portal = await getPortal(db, call.member_id);
    if (!portal || portal.status === 'uninstalled') {
      await markRobotCallStatus(db, call.id, 'failed', 'portal is not installed');
      return; // nobody to answer: the app's access is gone
    }
    const log = jobCtx.log.child({ memberId: call.member_id, robot: call.robot_code, callId: call.id });
    const bitrix = deps.bitrix.forPortal(call.member_id);
    const robot = findRobot(call.robot_code);

    let values: RobotResult = {};
    let status: 'ok' | 'error' = 'ok';
    let errorText = '';
    if (payload.invalid || !robot) {
      status = 'error';
      errorText = payload.invalid ? `Неверные параметры робота: ${payload.invalid}` : `Unknown robot ${call.robot_code}`;
    } else {
      await markRobotCallStatus(db, call.id, 'running', null);
      try {
        const document = parseDocumentId(['crm', '', call.document_id]);
        const entities = robot.documentEntities ?? ['DEAL'];
        if (!entities.includes(document.entity)) {
          throw new AppError('ROBOT_WRONG_DOCUMENT', `Робот работает только со сделками, а запущен для ${call.document_id}`);
        }
        const ctx: RobotRunContext = {
          portal,
          call: { id: call.id, eventToken: call.event_token, workflowId: call.workflow_id, document, userId: call.auth_user_id },
          bitrix,
          deps,
          clock: deps.clock,
          log,
          effect: jobCtx.effect,
        };
        values = await robot.run(ctx, robot.schema.parse(JSON.parse(call.properties_json)));
      } catch (err) {
        if (!isPermanent(err) && !jobCtx.isLastAttempt) throw err;
        status = 'error';
        errorText = managerMessage(err, !isPermanent(err));
        log.warn({ err, code: err instanceof AppError ? err.code : undefined }, 'robot failed');
      }
    }

    const returnValues = { ...values, status, error_text: errorText };
    if (call.use_subscription === 'Y') {
      try {
        // Journaled: a retry after a crash past this point does not send again (the platform would
        // ignore a second send anyway, §3).
        await jobCtx.effect('event.send', () =>
          bitrix.call('bizproc.event.send', {
            EVENT_TOKEN: call.event_token,
            RETURN_VALUES: returnValues,
            LOG_MESSAGE: status === 'ok' ? `${call.robot_code}: готово` : `${call.robot_code}: ошибка — ${errorText}`,
          }),
        );
      } catch (err) {
        // The queue gives up on a permanent error or the last attempt: record why nobody got an answer.
        if (jobCtx.isLastAttempt || isPermanent(err)) await markRobotCallStatus(db, call.id, 'failed', errorMessage(err));
        throw err;
      }
    }
    await markRobotCallAnswered(db, call.id, returnValues, status === 'error' ? errorText : null);
    log.info({ status }, 'robot answered');
  };
}

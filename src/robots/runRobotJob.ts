import type { AppDeps } from '../deps.js';
import type { JobContext, JobHandler } from '../jobs/worker.js';
import type { RobotResult, RobotRunContext } from './types.js';
import type { RobotJobPayload } from './acceptCall.js';
import { AppError, errorMessage } from '../errors.js';
import { getPortal } from '../storage/portals.js';
import {
  getRobotCallByToken,
  markRobotCallAnswered,
  markRobotCallStatus,
  saveRobotCallResult,
} from '../storage/robotCalls.js';
import type { Portal, RobotCall } from '../storage/schema.js';
import { findRobot } from './registry.js';
import { emptyReturnValues } from './registration.js';
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

/** A robot code this version does not have (retired, or registered by a newer version of the service). */
export function unknownRobotMessage(code: string): string {
  return `Робот «${code}» не поддерживается этой версией сервиса QR-биллинга. Переустановите приложение (роботы зарегистрируются заново) или уберите этого робота со стадии.`;
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
    if (call.answered_at !== null) return; // answered by an earlier run whose completion was not recorded
    const portal = await getPortal(db, call.member_id);
    if (!portal || portal.status === 'uninstalled') {
      await markRobotCallStatus(db, call.id, 'failed', 'portal is not installed');
      return; // nobody to answer: the app's access is gone
    }
    const log = jobCtx.log.child({ memberId: call.member_id, robot: call.robot_code, callId: call.id });

    // A previous attempt finished the run but could not send the answer: send the same values again.
    let returnValues = call.result_json === null ? null : (JSON.parse(call.result_json) as RobotResult);
    if (returnValues === null) {
      const outcome = await runRobot(deps, portal, call, payload, jobCtx, log);
      const declared = findRobot(call.robot_code);
      returnValues = { ...(declared ? emptyReturnValues(declared) : {}), ...outcome.values, status: outcome.status, error_text: outcome.errorText };
      await saveRobotCallResult(db, call.id, returnValues, outcome.status === 'error' ? outcome.errorText : null);
    }
    const status = returnValues.status === 'ok' ? 'ok' : 'error';
    const errorText = String(returnValues.error_text ?? '');

    if (call.use_subscription === 'Y') {
      try {
        // Journaled: a retry after a crash past this point does not send again (the platform would
        // ignore a second send anyway, §3).
        await jobCtx.effect('event.send', () =>
          deps.bitrix.forPortal(call.member_id).call('bizproc.event.send', {
            EVENT_TOKEN: call.event_token,
            RETURN_VALUES: returnValues,
            LOG_MESSAGE: status === 'ok' ? `${call.robot_code}: готово` : `${call.robot_code}: ошибка — ${errorText}`,
          }),
        );
      } catch (err) {
        // The queue gives up on a permanent error or the last attempt: record why nobody got an answer
        // yet. The maintenance sweep hands such calls to an answer job with its own retries.
        if (jobCtx.isLastAttempt || isPermanent(err)) await markRobotCallStatus(db, call.id, 'failed', errorMessage(err));
        throw err;
      }
    }
    await markRobotCallAnswered(db, call.id, returnValues, status === 'error' ? errorText : null, deps.clock.now());
    log.info({ status }, 'robot answered');
  };
}

interface RunOutcome {
  values: RobotResult;
  status: 'ok' | 'error';
  errorText: string;
}

/** Runs the robot; a failure becomes `status=error` once retrying cannot help (permanent, or the last attempt). */
async function runRobot(
  deps: AppDeps,
  portal: Portal,
  call: RobotCall,
  payload: RobotJobPayload,
  jobCtx: JobContext,
  log: JobContext['log'],
): Promise<RunOutcome> {
  if (payload.invalid) return { values: {}, status: 'error', errorText: `Неверные параметры робота: ${payload.invalid}` };
  const robot = findRobot(call.robot_code);
  if (!robot) {
    // During a rolling deploy a newer instance sharing the queue may know this robot: let it have a go.
    if (!jobCtx.isLastAttempt) {
      throw new AppError('ROBOT_UNKNOWN', unknownRobotMessage(call.robot_code), { retryable: true });
    }
    return { values: {}, status: 'error', errorText: unknownRobotMessage(call.robot_code) };
  }
  await markRobotCallStatus(deps.database.db, call.id, 'running', null);
  try {
    const document = parseDocumentId(['crm', '', call.document_id]);
    const entities = robot.documentEntities ?? ['DEAL'];
    if (!entities.includes(document.entity)) {
      throw new AppError('ROBOT_WRONG_DOCUMENT', `Робот работает только со сделками, а запущен для ${call.document_id || '(документ не указан)'}`);
    }
    const ctx: RobotRunContext = {
      portal,
      call: { id: call.id, eventToken: call.event_token, workflowId: call.workflow_id, document, userId: call.auth_user_id },
      bitrix: deps.bitrix.forPortal(call.member_id),
      deps,
      clock: deps.clock,
      log,
      effect: jobCtx.effect,
    };
    const values = await robot.run(ctx, robot.schema.parse(JSON.parse(call.properties_json)));
    return { values, status: 'ok', errorText: '' };
  } catch (err) {
    if (!isPermanent(err) && !jobCtx.isLastAttempt) throw err;
    log.warn({ err, code: err instanceof AppError ? err.code : undefined }, 'robot failed');
    return { values: {}, status: 'error', errorText: managerMessage(err, !isPermanent(err)) };
  }
}

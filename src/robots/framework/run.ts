import type { AppDeps } from '../../deps.js';
import type { JobContext, JobHandler } from '../../jobs/types.js';
import { PARKED, type NotedDeal, type Parked, type RobotAnswer, type RobotResult, type RobotRunContext } from './types.js';
import { AppError, errorMessage, isPermanent } from '../../errors.js';
import { getPortal } from '../../storage/portals.js';
import { getRobotCallByToken, markRobotCallStatus, type RobotCall } from '../../storage/robotCalls.js';
import type { Portal } from '../../storage/schema.js';
import { findRobot } from '../registry.js';
import { emptyReturnValues } from './registration.js';
import { parseDocumentId } from './parseCall.js';
import { sendRobotAnswer } from './answer.js';
import { reportToResponsible } from './report.js';
import type { RobotJobPayload } from './jobKinds.js';

/**
 * How long a call for a robot code this version does not know waits for another instance to run it: during a
 * rolling deploy a newer instance sharing the queue may know the robot. Then the step is answered with an error.
 */
export const UNKNOWN_ROBOT_GRACE_MS = 5 * 60_000;
/** How often such a call looks again within the grace. */
const UNKNOWN_ROBOT_RECHECK_MS = 60_000;

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
 * The worker side of a robot call: run the robot once (its values are kept), then always end a waiting step with
 * bizproc.event.send carrying the return values plus `status` and `error_text`.
 */
export function robotJobHandler(deps: AppDeps): JobHandler<RobotJobPayload> {
  return async (job, jobCtx) => {
    const { db } = deps.database;
    const call = await getRobotCallByToken(db, job.payload.eventToken);
    if (!call) throw new AppError('ROBOT_CALL_MISSING', `robot call ${job.payload.eventToken.slice(0, 24)}… not found`);
    if (call.answered_at !== null) return; // answered by an earlier run whose completion was not recorded
    const portal = await getPortal(db, call.member_id);
    if (!portal || portal.status === 'uninstalled') {
      await markRobotCallStatus(db, call.id, 'failed', 'portal is not installed');
      return; // nobody to answer: the app's access is gone
    }
    const log = jobCtx.log.child({ memberId: call.member_id, robot: call.robot_code, callId: call.id });
    // A previous attempt finished the run but could not send the answer: send the same values again.
    const values = call.result ?? (await runRobot(deps, portal, call, job.payload, jobCtx, log));
    if (values === PARKED) {
      log.info('robot waits; it is answered when what it waits for happens');
      return;
    }
    await sendRobotAnswer(deps, call, values, jobCtx);
    log.info({ status: values.status }, 'robot answered');
  };
}

/**
 * Runs the robot and builds its answer: every declared return value (empty when the run failed), `status` and
 * `error_text`. A failure becomes `status=error` once retrying cannot help (permanent, or the last attempt); a
 * permanent one is also reported to the deal's responsible user.
 */
async function runRobot(
  deps: AppDeps,
  portal: Portal,
  call: RobotCall,
  payload: RobotJobPayload,
  jobCtx: JobContext,
  log: JobContext['log'],
): Promise<RobotAnswer | Parked> {
  const robot = findRobot(call.robot_code);
  const answer = (values: RobotResult, errorText?: string): RobotAnswer => ({
    ...(robot ? emptyReturnValues(robot) : {}),
    ...values,
    status: errorText === undefined ? String(values.status ?? 'ok') : 'error',
    error_text: errorText ?? '',
  });
  if (payload.invalid) return answer({}, `Неверные параметры робота: ${payload.invalid}`);
  if (!robot) {
    const waited = deps.clock.now().getTime() - Date.parse(call.received_at);
    if (waited < UNKNOWN_ROBOT_GRACE_MS && !jobCtx.isLastAttempt) {
      throw new AppError('ROBOT_UNKNOWN', unknownRobotMessage(call.robot_code), {
        retryable: true,
        retryAfterMs: Math.min(UNKNOWN_ROBOT_RECHECK_MS, UNKNOWN_ROBOT_GRACE_MS - waited),
      });
    }
    return answer({}, unknownRobotMessage(call.robot_code));
  }
  await markRobotCallStatus(deps.database.db, call.id, 'running', null);
  const bitrix = deps.bitrix.forPortal(call.member_id);
  let document;
  let noted: NotedDeal | undefined;
  try {
    document = parseDocumentId(['crm', '', call.document_id]);
    const entities = robot.documentEntities ?? ['DEAL'];
    if (!entities.includes(document.entity)) {
      throw new AppError('ROBOT_WRONG_DOCUMENT', `Робот работает только со сделками, а запущен для ${call.document_id || '(документ не указан)'}`);
    }
    const ctx: RobotRunContext = {
      portal,
      call: { id: call.id, eventToken: call.event_token, workflowId: call.workflow_id, document, userId: call.auth_user_id },
      bitrix,
      deps,
      clock: deps.clock,
      log,
      effect: jobCtx.effect,
      noteDeal: (deal) => {
        noted = deal;
      },
    };
    const result = await robot.run(ctx, robot.schema.parse(call.properties));
    return result === PARKED ? PARKED : answer(result);
  } catch (err) {
    if (!isPermanent(err) && !jobCtx.isLastAttempt) throw err;
    log.warn({ err, code: err instanceof AppError ? err.code : undefined }, 'robot failed');
    if (document) await reportToResponsible(deps, call, document, bitrix, jobCtx.effect, noted, err).catch((e: unknown) => log.warn({ err: e }, 'could not notify the responsible user'));
    return answer({}, managerMessage(err, !isPermanent(err)));
  }
}

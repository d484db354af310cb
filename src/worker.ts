import type { AppDeps } from './deps.js';
import { JobWorker } from './jobs/worker.js';
import { route } from './jobs/types.js';
import { ROBOT_ANSWER_JOB, ROBOT_JOB } from './robots/framework/jobKinds.js';
import { robotJobHandler } from './robots/framework/run.js';
import { answerOrphanedRobotCalls, robotAnswerJobHandler } from './robots/framework/orphans.js';
import { PAYMENT_EFFECTS_JOB } from './payments/effectsJob.js';
import { paymentEffectsJobHandler } from './payments/effects.js';
import { OVERDUE_STEPS_JOB } from './dunning/stepJob.js';
import { overdueStepsJobHandler } from './dunning/steps.js';
import { runOverdueLadder } from './dunning/tick.js';
import { LEASE_PERIOD_JOB } from './leasing/periodJob.js';
import { leasePeriodJobHandler } from './leasing/createPeriodDeal.js';
import { runLeaseScheduler } from './leasing/tick.js';
import { resolveOverdueWaits } from './robots/wait_for_payment/waits.js';
import { DEAL_RESEND_JOB, dealResendJobHandler } from './web/deal/resend.js';

/** The job kinds this service runs, wired to their handlers. */
export function createWorker(deps: AppDeps, opts: { concurrency?: number; pollMs?: number } = {}): JobWorker {
  const worker = new JobWorker({
    store: deps.jobs,
    clock: deps.clock,
    log: deps.log.child({ component: 'worker' }),
    routes: [route(ROBOT_JOB, robotJobHandler(deps)), route(ROBOT_ANSWER_JOB, robotAnswerJobHandler(deps)), route(PAYMENT_EFFECTS_JOB, paymentEffectsJobHandler(deps)), route(OVERDUE_STEPS_JOB, overdueStepsJobHandler(deps)), route(LEASE_PERIOD_JOB, leasePeriodJobHandler(deps)), route(DEAL_RESEND_JOB, dealResendJobHandler(deps))],
    concurrency: opts.concurrency ?? deps.config.WORKER_CONCURRENCY,
    pollMs: opts.pollMs ?? 1000,
    backoff: { baseMs: 2_000, capMs: 5 * 60_000 },
  });
  worker.listenTo(deps.work);
  return worker;
}

/**
 * One round of housekeeping: robot calls whose jobs failed without an answer go to answer jobs, and
 * wait_for_payment calls whose invoice went overdue are answered, the overdue ladder's due steps are claimed, and lease periods whose control date came get their deals.
 */
export async function runMaintenance(deps: AppDeps): Promise<void> {
  await answerOrphanedRobotCalls(deps);
  await resolveOverdueWaits(deps);
  await runOverdueLadder(deps);
  await runLeaseScheduler(deps);
}

/**
 * Periodic housekeeping next to the worker (see runMaintenance). Returns a stop function. Cheap (one indexed query a minute), so every worker process runs
 * it; a tick still running when the next is due is not doubled.
 */
export function startMaintenance(deps: AppDeps, everyMs = 60_000): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    runMaintenance(deps)
      .catch((err) => deps.log.error({ err }, 'maintenance failed'))
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  // A first pass soon after start: after downtime (or a restart at a new QRBILL_NOW in a trial) due ladder steps,
  // lease periods and overdue waits are taken up within seconds, not a minute later.
  const first = setTimeout(tick, Math.min(everyMs, 2_000));
  first.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}

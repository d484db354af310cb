import type { AppDeps } from './deps.js';
import { JobWorker } from './jobs/worker.js';
import { ROBOT_JOB_KIND } from './robots/acceptCall.js';
import { robotJobHandler } from './robots/runRobotJob.js';
import { answerOrphanedRobotCalls } from './robots/answerOrphans.js';

/** The job kinds this service runs, wired to their handlers. */
export function createWorker(deps: AppDeps, opts: { concurrency?: number; pollMs?: number } = {}): JobWorker {
  const worker = new JobWorker({
    app: deps.database,
    clock: deps.clock,
    log: deps.log.child({ component: 'worker' }),
    handlers: { [ROBOT_JOB_KIND]: robotJobHandler(deps) },
    concurrency: opts.concurrency ?? deps.config.WORKER_CONCURRENCY,
    pollMs: opts.pollMs ?? 1000,
    backoff: { baseMs: 2_000, capMs: 5 * 60_000 },
  });
  deps.wakeWorker = () => worker.wake();
  return worker;
}

/**
 * Periodic housekeeping next to the worker: answers robot calls whose jobs failed without an answer.
 * Returns a stop function. Cheap (one indexed query a minute), so every worker process runs it.
 */
export function startMaintenance(deps: AppDeps, everyMs = 60_000): () => void {
  const tick = () => {
    answerOrphanedRobotCalls(deps).catch((err) => deps.log.error({ err }, 'maintenance failed'));
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

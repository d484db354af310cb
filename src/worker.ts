import type { AppDeps } from './deps.js';
import { JobWorker } from './jobs/worker.js';
import { ROBOT_JOB_KIND } from './robots/acceptCall.js';
import { robotJobHandler } from './robots/runRobotJob.js';
import { ROBOT_ANSWER_JOB_KIND, answerOrphanedRobotCalls, robotAnswerJobHandler } from './robots/answerOrphans.js';

/** The job kinds this service runs, wired to their handlers. */
export function createWorker(deps: AppDeps, opts: { concurrency?: number; pollMs?: number } = {}): JobWorker {
  const worker = new JobWorker({
    app: deps.database,
    clock: deps.clock,
    log: deps.log.child({ component: 'worker' }),
    handlers: { [ROBOT_JOB_KIND]: robotJobHandler(deps), [ROBOT_ANSWER_JOB_KIND]: robotAnswerJobHandler(deps) },
    concurrency: opts.concurrency ?? deps.config.WORKER_CONCURRENCY,
    pollMs: opts.pollMs ?? 1000,
    backoff: { baseMs: 2_000, capMs: 5 * 60_000 },
  });
  deps.wakeWorker = () => worker.wake();
  return worker;
}

/**
 * Periodic housekeeping next to the worker: hands robot calls whose jobs failed without an answer to
 * answer jobs. Returns a stop function. Cheap (one indexed query a minute), so every worker process runs
 * it; a tick still running when the next is due is not doubled.
 */
export function startMaintenance(deps: AppDeps, everyMs = 60_000): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    answerOrphanedRobotCalls(deps)
      .catch((err) => deps.log.error({ err }, 'maintenance failed'))
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

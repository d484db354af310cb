import type { Logger } from '../log.js';

/** What a handler sees of its job. `attempt` counts from 1 and includes this run. */
export interface JobInfo {
  id: number;
  kind: string;
  key: string;
  payload: any;
  attempt: number;
  maxAttempts: number;
}

export interface JobContext {
  /**
   * True when a failure of this run is final (no retry follows). A handler that must always report an
   * outcome (a waiting robot) reports the error itself when this is set or when it throws a permanent error.
   */
  isLastAttempt: boolean;
  log: Logger;
  /**
   * Runs `fn` once per job key and effect name, across retries, crashes and workers: if a previous run
   * already completed this effect, returns its recorded result without calling `fn`. The result must be
   * JSON: on replay `undefined` comes back as null and a Date as its ISO string. A crash between `fn`
   * finishing and its result being recorded repeats `fn`, so make the external call idempotent where the
   * remote side allows (e.g. pass the job key).
   */
  effect<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Extends this worker's lease on the job; done automatically every lease/3 while the handler runs. */
  heartbeat(): Promise<void>;
  /** Aborted when the lease was lost (another worker took the job over): stop as soon as convenient. */
  signal: AbortSignal;
}

export type JobHandler = (job: JobInfo, ctx: JobContext) => Promise<void>;

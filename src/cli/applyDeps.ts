import { loadConfig } from '../config.js';
import { clockFor } from '../clock.js';
import { silentLogger } from '../log.js';
import { JobStore } from '../jobs/store.js';
import { WorkSignal } from '../jobs/signal.js';
import { withDatabase } from './admin.js';
import type { AppDeps } from '../deps.js';

/**
 * What applying payments needs, for a CLI command on the service's database: the jobs it enqueues (deal comments,
 * triggers, robot answers) are run by the service's worker, which polls the same database.
 */
export type CliApplyDeps = Pick<AppDeps, 'database' | 'jobs' | 'clock' | 'log' | 'work'>;

export function withApplyDeps<T>(fn: (deps: CliApplyDeps) => Promise<T>): Promise<T> {
  const clock = clockFor(loadConfig());
  return withDatabase((database) => fn({ database, jobs: new JobStore(database, clock), clock, log: silentLogger(), work: new WorkSignal() }));
}

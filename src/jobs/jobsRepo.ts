import type { Kysely } from 'kysely';
import type { Database, Job, JobStatus } from '../storage/schema.js';

/** By id (number) or business key (string). */
export async function getJob(db: Kysely<Database>, idOrKey: number | string): Promise<Job | undefined> {
  const q = db.selectFrom('jobs').selectAll();
  return (typeof idOrKey === 'number' ? q.where('id', '=', idOrKey) : q.where('key', '=', idOrKey)).executeTakeFirst();
}

/** Newest first. */
export async function listJobs(db: Kysely<Database>, opts: { status?: JobStatus; limit: number }): Promise<Job[]> {
  let q = db.selectFrom('jobs').selectAll();
  if (opts.status !== undefined) q = q.where('status', '=', opts.status);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

export type JobCounts = Record<JobStatus, number>;

/** How many jobs are in each status (every status present, zero when none). */
export async function countJobs(db: Kysely<Database>): Promise<JobCounts> {
  const rows = await db
    .selectFrom('jobs')
    .select((eb) => ['status', eb.fn.countAll<number | string | bigint>().as('n')])
    .groupBy('status')
    .execute();
  const counts: JobCounts = { pending: 0, running: 0, done: 0, failed: 0 };
  // PostgreSQL returns count(*) as a bigint string.
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

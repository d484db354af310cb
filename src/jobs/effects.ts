import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';

/**
 * The effect journal behind `ctx.effect`: returns the recorded result of (jobKey, name) if a previous run
 * completed it, otherwise runs `fn` and records its result.
 */
export async function runEffect<T>(
  db: Kysely<Database>,
  jobKey: string,
  name: string,
  now: () => Date,
  fn: () => Promise<T>,
): Promise<T> {
  const done = await db
    .selectFrom('job_effects')
    .select('result_json')
    .where('job_key', '=', jobKey)
    .where('effect', '=', name)
    .executeTakeFirst();
  if (done) return JSON.parse(done.result_json) as T;
  const result = await fn();
  await db
    .insertInto('job_effects')
    .values({
      job_key: jobKey,
      effect: name,
      result_json: JSON.stringify(result ?? null) ?? 'null',
      created_at: now().toISOString(),
    })
    // Two runs raced through the same effect (a lease taken over mid-call): the first record stands.
    .onConflict((oc) => oc.columns(['job_key', 'effect']).doNothing())
    .execute();
  return result;
}

/**
 * Robot calls arriving together with the worker on, as on a billing day: many unique calls at once, then
 * redeliveries racing each other. Calls that arrive together share one transaction (group commit) and are
 * written in chunked multi-row statements; whatever the batching, each call is recorded once, gets one job and
 * its waiting step one answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { updatePortalOptions } from '../../src/storage/portals.js';

const CALLS = 130;

describe.each(databaseEngines())('robot calls arriving together on $name', (engine) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('answers every call exactly once, with redeliveries racing each other', async () => {
    // An Enterprise portal (5 requests/s, burst 250), so ping's two requests per call fit the test's time.
    h = await startHarness(engine, { limits: { drainPerSec: 5, burst: 250 } });
    await h.install();
    await updatePortalOptions(h.database.db, h.sandbox.memberId, { rateDrain: 5, rateBurst: 250 });
    const deal = h.seed.deals.tenant!;

    const payloads = await Promise.all(
      Array.from({ length: CALLS }, (_, i) => h!.sandbox.deliverRobotCall('ping', deal, { message: `звонок ${i}` })),
    );
    // Every fifth call delivered twice more, both at once (and while the worker is answering the originals).
    const again = await Promise.all(payloads.filter((_, i) => i % 5 === 0).flatMap((p) => [h!.sandbox.redeliverRobotCall(p), h!.sandbox.redeliverRobotCall(p)]));
    expect(again.every((r) => r.status === 200)).toBe(true);
    await h.sandbox.runUntilIdle({ timeoutMs: 60_000 });

    const sends = h.sandbox.eventSends();
    for (const [i, p] of payloads.entries()) {
      const answers = sends.filter((e) => e.eventToken === p.event_token);
      expect(answers, `call ${i}`).toHaveLength(1);
      expect(answers[0]!.returnValues).toMatchObject({ status: 'ok', echo: `звонок ${i}` });
    }
    const count = async (table: 'robot_calls' | 'jobs') =>
      Number((await h!.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('robot_calls')).toBe(CALLS);
    expect(await count('jobs')).toBeGreaterThanOrEqual(CALLS);
    const robotJobs = await h.database.db.selectFrom('jobs').select(['key', 'status']).where('kind', '=', 'robot').execute();
    expect(robotJobs).toHaveLength(CALLS);
    expect(robotJobs.every((j) => j.status === 'done')).toBe(true);
  });
});

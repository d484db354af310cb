import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { AppError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { JobStore, LEASE_EXPIRED_ERROR } from '../../src/jobs/store.js';
import { route, type JobHandler } from '../../src/jobs/types.js';
import { JobWorker, type JobWorkerOptions } from '../../src/jobs/worker.js';
import { transaction, type AppDatabase } from '../../src/storage/db.js';
import { databaseEngines, type TestDatabase } from '../helpers/databases.js';

const T0 = '2026-01-15T09:00:00.000Z';
const BACKOFF = { baseMs: 1_000, capMs: 60_000 };
/** The store of a test database, on a clock (enqueue and claim read it; lookups do not). */
const jobs = (t: AppDatabase, clock = new ManualClock(T0)) => new JobStore(t, clock);

describe.each(databaseEngines())('durable jobs on $name', (engine) => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  const open = async (): Promise<TestDatabase> => {
    const t = await engine.open();
    cleanup.push(() => t.close());
    return t;
  };
  const worker = (app: AppDatabase, clock: ManualClock, handlers: Record<string, JobHandler>, over: Partial<JobWorkerOptions> = {}) => {
    const routes = Object.entries(handlers).map(([kind, h]) => route(kind, h));
    const w = new JobWorker({ store: new JobStore(app, clock), clock, log: silentLogger(), routes, backoff: BACKOFF, random: () => 0.5, ...over });
    cleanup.push(async () => {
      await w.stop();
    });
    return w;
  };

  it('creates one job per key, whatever the later payload', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    const first = await jobs(t, clock).enqueue({ kind: 'robot', key: 'robot:evt-1', payload: { n: 1 } });
    const again = await jobs(t, clock).enqueue({ kind: 'robot', key: 'robot:evt-1', payload: { n: 2 } });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    expect(JSON.parse((await jobs(t).find(first.id))!.payload_json)).toEqual({ n: 1 });
    expect(await jobs(t).find('robot:evt-1')).toMatchObject({ status: 'pending', attempts: 0, max_attempts: 5, run_at: T0 });
    // Inside a caller's transaction the job exists only if that transaction commits.
    await transaction(t, async (trx) => {
      expect((await jobs(t, clock).enqueue({ kind: 'robot', key: 'robot:evt-2', payload: {} }, trx)).created).toBe(true);
    });
    expect(await jobs(t).counts()).toEqual({ pending: 2, running: 0, done: 0, failed: 0 });
  });

  it('waits for run_at', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    const seen: string[] = [];
    const w = worker(t, clock, { k: async (job) => void seen.push(job.key) });
    await jobs(t, clock).enqueue({ kind: 'k', key: 'later', payload: null, runAt: new Date('2026-01-15T10:00:00Z') });
    expect(await w.runDue()).toBe(0);
    clock.set('2026-01-15T10:00:00Z');
    expect(await w.runDue()).toBe(1);
    expect(seen).toEqual(['later']);
  });

  it('retries a transient failure after a backoff, then succeeds', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    const calls: Array<{ attempt: number; last: boolean; payload: unknown }> = [];
    const w = worker(t, clock, {
      flaky: async (job, ctx) => {
        calls.push({ attempt: job.attempt, last: ctx.isLastAttempt, payload: job.payload });
        if (job.attempt < 3) throw new Error(`Bitrix24 timed out (${job.attempt})`);
      },
    });
    const { id } = await jobs(t, clock).enqueue({ kind: 'flaky', key: 'j1', payload: { deal: 42 }, maxAttempts: 3 });

    expect(await w.runDue()).toBe(1);
    // random 0.5 → halfway between 1 s and 2 s after the first failure.
    expect(await jobs(t).find(id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      run_at: '2026-01-15T09:00:01.500Z',
      last_error: 'Error: Bitrix24 timed out (1)',
      locked_by: null,
    });
    expect(await w.runDue()).toBe(0);
    clock.advance(1_500);
    expect(await w.runDue()).toBe(1);
    expect(await jobs(t).find(id)).toMatchObject({ status: 'pending', attempts: 2, run_at: '2026-01-15T09:00:04.000Z' });
    clock.advance(2_500);
    expect(await w.runDue()).toBe(1);
    expect(await jobs(t).find(id)).toMatchObject({
      status: 'done',
      attempts: 3,
      finished_at: '2026-01-15T09:00:04.000Z',
      locked_by: null,
      locked_until: null,
    });
    expect(calls).toEqual([
      { attempt: 1, last: false, payload: { deal: 42 } },
      { attempt: 2, last: false, payload: { deal: 42 } },
      { attempt: 3, last: true, payload: { deal: 42 } },
    ]);
  });

  it('fails for good after the last attempt and keeps the last error', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    let runs = 0;
    const w = worker(t, clock, {
      down: async () => {
        runs++;
        throw new AppError('BITRIX_UNAVAILABLE', `Bitrix24 is unavailable (${runs})`, { retryable: true });
      },
    });
    const { id } = await jobs(t, clock).enqueue({ kind: 'down', key: 'j1', payload: {}, maxAttempts: 2 });
    await w.runDue();
    clock.advance(60_000);
    await w.runDue();
    clock.advance(3_600_000);
    expect(await w.runDue()).toBe(0);
    expect(runs).toBe(2);
    expect(await jobs(t).find(id)).toMatchObject({
      status: 'failed',
      attempts: 2,
      last_error: 'BITRIX_UNAVAILABLE: Bitrix24 is unavailable (2)',
      finished_at: '2026-01-15T09:01:00.000Z',
    });
    expect((await jobs(t).list({ status: 'failed', limit: 10 })).map((j) => j.id)).toEqual([id]);
  });

  it('fails at once on a permanent error', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    let runs = 0;
    const w = worker(t, clock, {
      bad: async () => {
        runs++;
        throw new AppError('DEAL_NOT_FOUND', 'Сделка 42 не найдена');
      },
    });
    const { id } = await jobs(t, clock).enqueue({ kind: 'bad', key: 'j1', payload: {}, maxAttempts: 5 });
    expect(await w.runDue()).toBe(1);
    clock.advance(3_600_000);
    expect(await w.runDue()).toBe(0);
    expect(runs).toBe(1);
    expect(await jobs(t).find(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'DEAL_NOT_FOUND: Сделка 42 не найдена' });
  });

  it('retries a job of a kind this worker has no handler for', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    const w = worker(t, clock, {});
    const { id } = await jobs(t, clock).enqueue({ kind: 'from_newer_version', key: 'j1', payload: {} });
    await w.runDue();
    expect(await jobs(t).find(id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await jobs(t).find(id))!.last_error).toMatch(/^JOB_HANDLER_MISSING/);
  });

  it('never runs a job twice when two workers claim at the same time', async () => {
    const t = await open();
    // Separate connection pools on PostgreSQL; on SQLite one connection is all a process may use.
    const other = engine.name === 'postgres' ? await t.reopen() : t;
    if (other !== t) cleanup.push(() => other.close());
    const clock = new ManualClock(T0);
    const runs = new Map<string, number>();
    const byWorker: Record<string, number> = {};
    const handler =
      (name: string): JobHandler =>
      async (job) => {
        runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
        byWorker[name] = (byWorker[name] ?? 0) + 1;
        // Yield to real I/O so the workers' claims interleave.
        await new Promise((r) => setTimeout(r, 2));
      };
    const total = 60;
    for (let i = 0; i < total; i++) await jobs(t, clock).enqueue({ kind: 'k', key: `job-${i}`, payload: i });
    const w1 = worker(t, clock, { k: handler('w1') }, { workerId: 'w1', concurrency: 4 });
    const w2 = worker(other, clock, { k: handler('w2') }, { workerId: 'w2', concurrency: 4 });

    const [a, b] = await Promise.all([w1.runDue(), w2.runDue()]);

    expect(a + b).toBe(total);
    expect(runs.size).toBe(total);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(await jobs(t).counts()).toEqual({ pending: 0, running: 0, done: total, failed: 0 });
  });

  it('takes over a job from a worker that crashed, once its lease expires', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    const { id } = await jobs(t, clock).enqueue({ kind: 'k', key: 'j1', payload: {} });
    // A worker claims the job and dies without a word.
    const [claimed] = (await jobs(t, clock).claim({ workerId: 'crashed', limit: 10, leaseMs: 60_000 })).map((c) => c.row);
    expect(claimed).toMatchObject({ id, status: 'running', attempts: 1, locked_by: 'crashed' });

    const attempts: number[] = [];
    const w = worker(t, clock, { k: async (job) => void attempts.push(job.attempt) }, { workerId: 'rescuer' });
    expect(await w.runDue()).toBe(0);
    clock.advance(59_999);
    expect(await w.runDue()).toBe(0);
    clock.advance(2);
    expect(await w.runDue()).toBe(1);
    expect(attempts).toEqual([2]);
    expect(await jobs(t).find(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('fails a job whose worker died during its final attempt instead of retrying it forever', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    const { id } = await jobs(t, clock).enqueue({ kind: 'k', key: 'j1', payload: {}, maxAttempts: 1 });
    await jobs(t, clock).claim({ workerId: 'crashed', limit: 1, leaseMs: 60_000 });
    let runs = 0;
    const w = worker(t, clock, { k: async () => void runs++ });
    clock.advance(60_001);
    expect(await w.runDue()).toBe(0);
    expect(runs).toBe(0);
    expect(await jobs(t).find(id)).toMatchObject({ status: 'failed', last_error: LEASE_EXPIRED_ERROR });
  });

  it('keeps its lease while the handler heartbeats', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    let rescuerRuns = 0;
    const rescuer = worker(t, clock, { k: async () => void rescuerRuns++ }, { workerId: 'rescuer' });
    let rescuerClaimed = -1;
    const w = worker(
      t,
      clock,
      {
        k: async (_job, ctx) => {
          clock.advance(50_000);
          await ctx.heartbeat(); // lease now ends at +110 s
          clock.advance(50_000);
          rescuerClaimed = await rescuer.runDue();
        },
      },
      { workerId: 'slow', leaseMs: 60_000 },
    );
    const { id } = await jobs(t, clock).enqueue({ kind: 'k', key: 'j1', payload: {} });
    expect(await w.runDue()).toBe(1);
    expect(rescuerClaimed).toBe(0);
    expect(rescuerRuns).toBe(0);
    expect(await jobs(t).find(id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('tells a worker that lost its lease, and ignores its late outcome', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    const rescuer = worker(t, clock, { k: async () => undefined }, { workerId: 'rescuer' });
    let abortedAfterHeartbeat: boolean | undefined;
    const w = worker(
      t,
      clock,
      {
        k: async (_job, ctx) => {
          clock.advance(61_000); // stalled past the lease: the rescuer takes the job and finishes it
          await rescuer.runDue();
          await ctx.heartbeat();
          abortedAfterHeartbeat = ctx.signal.aborted;
          throw new Error('late failure must not overwrite the rescuer’s result');
        },
      },
      { workerId: 'stalled', leaseMs: 60_000 },
    );
    const { id } = await jobs(t, clock).enqueue({ kind: 'k', key: 'j1', payload: {} });
    await w.runDue();
    expect(abortedAfterHeartbeat).toBe(true);
    expect(await jobs(t).find(id)).toMatchObject({ status: 'done', attempts: 2, last_error: null });
  });

  it('does not repeat an effect when the job is retried', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    const sent: string[] = [];
    const sendEmail = async (to: string) => {
      sent.push(to);
      return { messageId: `msg-${sent.length}` };
    };
    const results: unknown[] = [];
    const w = worker(t, clock, {
      send: async (job, ctx) => {
        results.push(await ctx.effect('email', () => sendEmail('client@example.ru')));
        if (job.attempt === 1) throw new Error('bizproc.event.send timed out');
        await ctx.effect('answer', async () => undefined);
      },
    });
    const { id } = await jobs(t, clock).enqueue({ kind: 'send', key: 'j1', payload: {} });
    await w.runDue();
    clock.advance(60_000);
    await w.runDue();
    expect(sent).toEqual(['client@example.ru']);
    expect(results).toEqual([{ messageId: 'msg-1' }, { messageId: 'msg-1' }]);
    expect(await jobs(t).find(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('runs jobs in the background after wake() and finishes them before stop() returns', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    const w = worker(t, clock, {
      k: async () => {
        started = true;
        await gate;
      },
    }, { pollMs: 60_000 });
    w.start();
    const { id } = await jobs(t, clock).enqueue({ kind: 'k', key: 'j1', payload: {} });
    w.wake();
    await expect.poll(() => started, { timeout: 5_000 }).toBe(true);

    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    expect((await jobs(t).find(id))?.status).toBe('running');
    release();
    await stopping;
    expect((await jobs(t).find(id))?.status).toBe('done');
  });

  it('gives up waiting at the grace deadline; the unfinished job keeps its lease and runs again later', async () => {
    const t = await open();
    const clock = new ManualClock(T0);
    let started = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const w = worker(t, clock, { k: async () => ((started = true), await gate) }, { pollMs: 60_000 });
    w.start();
    const { id } = await jobs(t, clock).enqueue({ kind: 'k', key: 'j-slow', payload: {} });
    w.wake();
    await expect.poll(() => started, { timeout: 5_000 }).toBe(true);
    expect(await w.stop(50)).toBe(false);
    expect((await jobs(t).find(id))?.status).toBe('running');
    release();
  });
});

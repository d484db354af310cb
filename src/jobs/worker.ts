import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { AppError, isPermanent } from '../errors.js';
import type { Logger } from '../log.js';
import { backoffDelayMs } from './backoff.js';
import { describeJobError, retryDelayOf } from './failure.js';
import { JobStore, loggableKey, type ClaimRef, type ClaimedJob } from './store.js';
import type { JobContext, JobInfo, JobRoute } from './types.js';
import type { WorkSignal } from './signal.js';

export type { JobContext, JobHandler, JobInfo } from './types.js';

export interface JobWorkerOptions {
  store: JobStore;
  clock: Clock;
  log: Logger;
  /** The kinds this worker runs (see `route`). */
  routes: JobRoute[];
  /** Names this worker in locked_by (default host:pid:random). */
  workerId?: string;
  /** How long a claim stays ours without a heartbeat (default 60 s). */
  leaseMs?: number;
  /** Idle poll interval in real time (default 1 s); `wake()` skips the wait. */
  pollMs?: number;
  /** Jobs run at once by this worker (default 4). */
  concurrency?: number;
  /** Retry delays (default 5 s growing to 30 min). */
  backoff?: { baseMs: number; capMs: number };
  /** Jitter source (default Math.random). */
  random?: () => number;
}

const DEFAULT_BACKOFF = { baseMs: 5_000, capMs: 30 * 60_000 };

/**
 * Runs durable jobs: claims due jobs from the database, runs their handler, and records the outcome.
 * Time (run_at, leases) comes from the injected clock; polling and heartbeats use real timers.
 * Several workers — in one process or many, on PostgreSQL — may run against the same database.
 */
export class JobWorker {
  readonly workerId: string;
  private readonly store: JobStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly routes: Map<string, JobRoute>;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly backoff: { baseMs: number; capMs: number };
  private readonly random: () => number;

  private readonly running = new Set<Promise<void>>();
  private readonly unsubscribe: Array<() => void> = [];
  private started = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private tickAgain = false;

  constructor(opts: JobWorkerOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.routes = new Map(opts.routes.map((r) => [r.kind, r]));
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.log = opts.log.child({ worker: this.workerId });
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 1_000;
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
    if (this.leaseMs < 3) throw new AppError('JOB_WORKER_CONFIG', 'leaseMs must be at least 3 ms');
  }

  /** Starts polling. Idempotent. */
  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops claiming and waits for running jobs to finish. The database stays open. */
  /**
   * Stops claiming and waits for running jobs, at most `graceMs`: container stop timeouts are short,
   * and a job still running then (e.g. paced behind a portal's REST budget) is simply picked up again
   * by another worker when its lease expires. Returns whether every running job finished.
   */
  async stop(graceMs = 20_000): Promise<boolean> {
    this.stopping = true;
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
      timer.unref();
    });
    const drained = (async () => {
      await this.ticking;
      while (this.running.size) await Promise.allSettled([...this.running]);
      return true as const;
    })();
    const finished = await Promise.race([drained, deadline]);
    clearTimeout(timer);
    if (!finished) this.log.warn({ running: this.running.size }, 'stopped with jobs still running; their leases will expire and they run again');
    return finished;
  }

  /** Look for work now rather than at the next poll (call after enqueueing). No-op unless started. */
  wake(): void {
    this.schedule(0);
  }

  /** Wakes on every notification of `signal` until stopped. */
  listenTo(signal: WorkSignal): void {
    this.unsubscribe.push(signal.subscribe(() => this.wake()));
  }

  /**
   * Claims and runs, `concurrency` at a time, every job due at the moment of the call (including jobs of
   * crashed workers whose lease expired), then returns how many ran. Retries scheduled meanwhile wait for a
   * later call. For tests and one-shot CLI runs; works whether or not the worker is started.
   */
  async runDue(): Promise<number> {
    const dueBy = this.clock.now();
    let ran = 0;
    while (!this.stopping) {
      const jobs = await this.store.claim({ workerId: this.workerId, limit: this.concurrency, leaseMs: this.leaseMs, dueBy });
      if (jobs.length === 0) return ran;
      await Promise.all(jobs.map((job) => this.track(this.execute(job))));
      ran += jobs.length;
    }
    return ran;
  }

  private schedule(ms: number): void {
    if (!this.started || this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, ms);
  }

  /** One poll at a time; a wake that arrives during a poll polls again right after it. */
  private tick(): void {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    const p: Promise<void> = this.poll().then((claimedAll) => {
      if (this.ticking === p) this.ticking = undefined;
      const again = this.tickAgain || claimedAll;
      this.tickAgain = false;
      // A full batch suggests more work is waiting; a finishing job also polls (see track).
      this.schedule(again ? 0 : this.pollMs);
    });
    this.ticking = p;
  }

  /** Claims into the free slots and starts those jobs; true when every slot was filled. Never rejects. */
  private async poll(): Promise<boolean> {
    const free = this.concurrency - this.running.size;
    if (free <= 0 || this.stopping) return false;
    try {
      const jobs = await this.store.claim({ workerId: this.workerId, limit: free, leaseMs: this.leaseMs });
      for (const job of jobs) void this.track(this.execute(job));
      return jobs.length === free;
    } catch (err) {
      this.log.error({ err }, 'claiming jobs failed');
      return false;
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.running.add(p);
    return p.finally(() => {
      this.running.delete(p);
      this.schedule(0);
    });
  }

  /** Runs one claimed job and records its outcome. Never rejects. */
  private async execute({ row, payload }: ClaimedJob): Promise<void> {
    const ref: ClaimRef = { id: row.id, attempt: row.attempts, workerId: this.workerId };
    const log = this.log.child({ jobId: row.id, kind: row.kind, key: loggableKey(row.key), attempt: row.attempts });
    const lease = new AbortController();
    const heartbeat = async (): Promise<void> => {
      const ours = await this.store.extend(ref, new Date(this.clock.now().getTime() + this.leaseMs));
      if (!ours && !lease.signal.aborted) {
        log.warn('lease lost: another worker took this job over');
        lease.abort(new AppError('JOB_LEASE_LOST', 'Another worker took this job over', { retryable: true }));
      }
    };
    const beat = setInterval(() => {
      heartbeat().catch((err) => log.warn({ err }, 'heartbeat failed'));
    }, Math.floor(this.leaseMs / 3));

    try {
      const route = this.routes.get(row.kind);
      if (!route) {
        // Retryable: during a rolling deploy a newer instance may enqueue kinds this one does not know yet.
        throw new AppError('JOB_HANDLER_MISSING', `No handler for job kind "${row.kind}"`, { retryable: true });
      }
      if (!payload.ok) throw payload.error;
      const checked = route.parse(payload.value);
      if (!checked.ok) throw new AppError('JOB_PAYLOAD_INVALID', `Job ${loggableKey(row.key)} has an invalid payload: ${checked.message}`);
      const job: JobInfo<never> = {
        id: row.id,
        kind: row.kind,
        key: row.key,
        payload: checked.value as never,
        attempt: row.attempts,
        maxAttempts: row.max_attempts,
      };
      const ctx: JobContext = {
        isLastAttempt: row.attempts >= row.max_attempts,
        log,
        effect: (name, fn) => this.store.effect(row.key, name, fn),
        heartbeat,
        signal: lease.signal,
      };
      await route.handler(job, ctx);
      clearInterval(beat);
      if (!(await this.store.complete(ref))) {
        log.warn('job finished after its lease was taken over; the other run decides its outcome');
      } else {
        log.info('job done');
      }
    } catch (err) {
      clearInterval(beat);
      await this.recordFailure(row.attempts, row.max_attempts, ref, err, log).catch((dbErr) => {
        // The job stays running until its lease expires, then another claim retries it.
        log.error({ err: dbErr, jobError: describeJobError(err) }, 'recording the job failure failed');
      });
    } finally {
      clearInterval(beat);
    }
  }

  private async recordFailure(attempts: number, maxAttempts: number, ref: ClaimRef, err: unknown, log: Logger): Promise<void> {
    const text = describeJobError(err);
    if (!isPermanent(err) && attempts < maxAttempts) {
      // At least 1 ms, so a retry is never due within the runDue pass that failed it. A failure may name
      // its own delay (e.g. a bounded grace), else the capped, jittered backoff.
      const delay = Math.max(1, retryDelayOf(err) ?? backoffDelayMs(attempts, { ...this.backoff, random: this.random }));
      const runAt = new Date(this.clock.now().getTime() + delay);
      if (await this.store.retry(ref, runAt, text)) {
        log.warn({ err, retryAt: runAt.toISOString() }, 'job failed; will retry');
      } else {
        log.warn({ err }, 'job failed after its lease was taken over; the other run decides its outcome');
      }
      return;
    }
    if (await this.store.fail(ref, text)) {
      log.error({ err, permanent: isPermanent(err) }, 'job failed for good');
    } else {
      log.warn({ err }, 'job failed after its lease was taken over; the other run decides its outcome');
    }
  }
}

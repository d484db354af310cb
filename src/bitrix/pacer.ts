/**
 * Client-side copy of Bitrix24's leaky bucket: each request adds 1, the level drains `drainPerSec` per
 * second, and a request that would lift the level above `burst` is answered 503 QUERY_LIMIT_EXCEEDED.
 * Delaying requests here keeps the portal's bucket from overflowing in the first place.
 *
 * The bucket is kept as GCRA (generic cell rate algorithm), which is the same bucket written as one number:
 * the "theoretical arrival time" `tat`, the instant the bucket would be empty again. Level = (tat − now) /
 * interval. One number can be advanced by a single atomic UPDATE, which is what lets several processes share
 * a portal's budget through the database (dbPacer.ts); the in-memory bucket below uses the same math.
 */
export interface BucketConfig {
  drainPerSec: number;
  burst: number;
}

/** Standard plans. */
export const DEFAULT_BUCKET: BucketConfig = { drainPerSec: 2, burst: 50 };
/** Enterprise plans. */
export const ENTERPRISE_BUCKET: BucketConfig = { drainPerSec: 5, burst: 250 };

/**
 * A `tat` further ahead than tolerance + this is not a queue but a clock that jumped back (or a process with a
 * wrong clock wrote it): reservations are counted from at most this far ahead, so callers are never stalled for
 * longer. Ten minutes is 1200 queued requests on a standard plan, far beyond any real queue.
 */
export const MAX_QUEUE_MS = 10 * 60_000;

export interface GcraParams {
  /** Milliseconds one request occupies: 1000 / drainPerSec. */
  intervalMs: number;
  /** How far `tat` may run ahead of now before a request must wait: burst × interval. */
  toleranceMs: number;
  /** Upper bound of `tat − now` honoured before a reservation (see MAX_QUEUE_MS). */
  horizonMs: number;
}

export function gcraParams(config: BucketConfig): GcraParams {
  const c = normalizeBucket(config);
  const intervalMs = 1000 / c.drainPerSec;
  const toleranceMs = c.burst * intervalMs;
  return { intervalMs, toleranceMs, horizonMs: toleranceMs + MAX_QUEUE_MS };
}

/** `tat` after reserving one request at `now` (what the database computes in one UPDATE). */
export function gcraReserve(tat: number, now: number, p: GcraParams): number {
  return Math.min(Math.max(tat, now), now + p.horizonMs) + p.intervalMs;
}

/** Whole milliseconds the request that moved the bucket to `tatAfter` must wait at `now` before sending. */
export function gcraWaitMs(tatAfter: number, now: number, p: GcraParams): number {
  const wait = tatAfter - now - p.toleranceMs;
  // Float noise of fractional intervals (1000/3 ms) must not turn "no wait" into a 1 ms sleep.
  return wait > 1e-6 ? Math.ceil(wait - 1e-6) : 0;
}

/** `tat` of a bucket that is at least full at `now` (after the portal answered QUERY_LIMIT_EXCEEDED). */
export function gcraFull(tat: number, now: number, p: GcraParams): number {
  return Math.min(Math.max(tat, now + p.toleranceMs), now + p.horizonMs);
}

/** Requests the bucket holds at `now`, counting reservations still waiting for their slot (can exceed burst). */
export function gcraLevel(tat: number, now: number, p: GcraParams): number {
  return Math.max(0, tat - now) / p.intervalMs;
}

export interface PacerDeps {
  /** Milliseconds since any fixed origin (the database pacer stores them: use epoch milliseconds there). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** What the client needs from a portal's bucket, wherever its state lives. */
export interface PortalBucket {
  /** Reserves a slot and waits until the request may be sent without overflowing the portal's bucket. */
  acquire(): Promise<void>;
  /**
   * The portal said QUERY_LIMIT_EXCEEDED: its bucket is full (other processes or apps on our IP share it),
   * so behave as if ours were too. Slots already promised to waiting callers stay promised.
   */
  markFull(): void | Promise<void>;
}

/** Hands out the bucket of a portal, configured from the portal row (`rate_drain`, `rate_burst`). */
export interface Pacer {
  forPortal(memberId: string, config?: BucketConfig): PortalBucket;
}

/** A bucket in this process's memory: right when one process owns the portal's budget. */
export class LeakyBucket implements PortalBucket {
  private config: BucketConfig;
  private params: GcraParams;
  /** Reservations already granted (some may still be waiting) are in `tat`, so callers line up without a lock. */
  private tat: number;

  constructor(
    config: BucketConfig,
    private readonly deps: PacerDeps,
  ) {
    this.config = normalizeBucket(config);
    this.params = gcraParams(this.config);
    this.tat = deps.now();
  }

  get settings(): BucketConfig {
    return { ...this.config };
  }

  /** Plan changes (the portal row says Enterprise now) apply to the next reservation. */
  configure(config: BucketConfig): void {
    const next = normalizeBucket(config);
    if (next.burst === this.config.burst && next.drainPerSec === this.config.drainPerSec) return;
    // Keep the level (requests in the bucket), not the time it takes to drain at the old rate.
    const now = this.deps.now();
    const level = gcraLevel(this.tat, now, this.params);
    this.config = next;
    this.params = gcraParams(next);
    this.tat = now + level * this.params.intervalMs;
  }

  /** Reserves a slot and returns how many milliseconds the caller must wait before sending. */
  reserve(): number {
    const now = this.deps.now();
    this.tat = gcraReserve(this.tat, now, this.params);
    return gcraWaitMs(this.tat, now, this.params);
  }

  async acquire(): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await this.deps.sleep(waitMs);
  }

  markFull(): void {
    this.tat = gcraFull(this.tat, this.deps.now(), this.params);
  }

  /** Current level, including queued reservations (for diagnostics and tests). */
  currentLevel(): number {
    return gcraLevel(this.tat, this.deps.now(), this.params);
  }
}

/** Nonsense plan settings (0, NaN, a fractional burst) fall back to the standard plan. */
export function normalizeBucket(c: BucketConfig): BucketConfig {
  const drainPerSec = Number.isFinite(c.drainPerSec) && c.drainPerSec > 0 ? c.drainPerSec : DEFAULT_BUCKET.drainPerSec;
  const burst = Number.isFinite(c.burst) && c.burst >= 1 ? Math.floor(c.burst) : DEFAULT_BUCKET.burst;
  return { drainPerSec, burst };
}

/** One in-memory bucket per portal (`member_id`) for every client in this process. */
export class PacerRegistry implements Pacer {
  private readonly buckets = new Map<string, LeakyBucket>();

  constructor(private readonly deps: PacerDeps) {}

  forPortal(memberId: string, config: BucketConfig = DEFAULT_BUCKET): LeakyBucket {
    let bucket = this.buckets.get(memberId);
    if (bucket === undefined) {
      bucket = new LeakyBucket(config, this.deps);
      this.buckets.set(memberId, bucket);
    } else {
      bucket.configure(config);
    }
    return bucket;
  }
}

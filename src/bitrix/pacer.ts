/**
 * Client-side copy of Bitrix24's leaky bucket: each request adds 1, the level drains `drainPerSec` per
 * second, and a request that would lift the level above `burst` is answered 503 QUERY_LIMIT_EXCEEDED.
 * Delaying requests here keeps the portal's bucket from overflowing in the first place.
 */
export interface BucketConfig {
  drainPerSec: number;
  burst: number;
}

/** Standard plans. */
export const DEFAULT_BUCKET: BucketConfig = { drainPerSec: 2, burst: 50 };
/** Enterprise plans. */
export const ENTERPRISE_BUCKET: BucketConfig = { drainPerSec: 5, burst: 250 };

export interface PacerDeps {
  /** Milliseconds since any fixed origin. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class LeakyBucket {
  private config: BucketConfig;
  /**
   * Level at `at`, counting requests already granted a slot (some may still be waiting for it): the level can
   * exceed `burst`, and the excess is exactly the queue, so concurrent callers line up without a lock.
   */
  private level = 0;
  private at: number;

  constructor(
    config: BucketConfig,
    private readonly deps: PacerDeps,
  ) {
    this.config = normalize(config);
    this.at = deps.now();
  }

  get settings(): BucketConfig {
    return { ...this.config };
  }

  /** Plan changes (the portal row says Enterprise now) apply to the next reservation. */
  configure(config: BucketConfig): void {
    const next = normalize(config);
    if (next.burst === this.config.burst && next.drainPerSec === this.config.drainPerSec) return;
    this.drain();
    this.config = next;
  }

  /** Reserves a slot and returns how many milliseconds the caller must wait before sending. */
  reserve(): number {
    this.drain();
    const overflow = this.level + 1 - this.config.burst;
    const waitMs = overflow > 0 ? Math.ceil((overflow / this.config.drainPerSec) * 1000) : 0;
    this.level += 1;
    return waitMs;
  }

  /** Waits until a request may be sent without overflowing the bucket. */
  async acquire(): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await this.deps.sleep(waitMs);
  }

  /**
   * The portal said QUERY_LIMIT_EXCEEDED: its bucket is full (other processes or apps on our IP share it),
   * so behave as if ours were too. Slots already promised to waiting callers stay promised.
   */
  markFull(): void {
    this.drain();
    this.level = Math.max(this.level, this.config.burst);
  }

  /** Current level, including queued reservations (for diagnostics and tests). */
  currentLevel(): number {
    this.drain();
    return this.level;
  }

  private drain(): void {
    const now = this.deps.now();
    const elapsed = Math.max(0, now - this.at);
    this.level = Math.max(0, this.level - (elapsed / 1000) * this.config.drainPerSec);
    this.at = Math.max(this.at, now);
  }
}

function normalize(c: BucketConfig): BucketConfig {
  const drainPerSec = Number.isFinite(c.drainPerSec) && c.drainPerSec > 0 ? c.drainPerSec : DEFAULT_BUCKET.drainPerSec;
  const burst = Number.isFinite(c.burst) && c.burst >= 1 ? Math.floor(c.burst) : DEFAULT_BUCKET.burst;
  return { drainPerSec, burst };
}

/** One bucket per portal (`member_id`) for every client in this process. */
export class PacerRegistry {
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

/**
 * The platform's leaky bucket: each request adds one, the level drains `drainPerSec` per second,
 * and a request that would lift it above `burst` is refused without running. Measured on real time,
 * because it protects the platform from real request rates, not from the sandbox clock.
 */
export class LeakyBucket {
  private level = 0;
  private last: number;

  constructor(
    private readonly drainPerSec: number,
    private readonly burst: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.last = nowMs();
  }

  /** True when the request may run (and is counted); false when it must be answered with 503. */
  take(): boolean {
    const now = this.nowMs();
    this.level = Math.max(0, this.level - ((now - this.last) / 1000) * this.drainPerSec);
    this.last = now;
    if (this.level + 1 > this.burst) return false;
    this.level += 1;
    return true;
  }
}

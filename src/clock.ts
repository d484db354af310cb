/** Time source. Production uses the system clock; tests and the sandbox inject a movable one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock tests can move: months pass in milliseconds. Stopped by default (time moves only when
 * told to); `running: true` makes it tick with real time from its start value, so retries and
 * leases still elapse while a test jumps ahead with `advance()`.
 */
export class ManualClock implements Clock {
  private t: number;
  private anchor: number;
  private readonly running: boolean;

  constructor(start: Date | string | number = Date.now(), opts: { running?: boolean } = {}) {
    this.t = new Date(start).getTime();
    this.running = opts.running ?? false;
    this.anchor = Date.now();
  }
  now(): Date {
    return new Date(this.running ? this.t + (Date.now() - this.anchor) : this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(to: Date | string | number): void {
    this.t = new Date(to).getTime();
    this.anchor = Date.now();
  }
}

/** Time source. Production uses the system clock; tests and the sandbox inject a movable one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that starts at a chosen instant and runs on with real time: `QRBILL_NOW` for demos and acceptance
 * runs, so due dates, schedules and reminders can be tried in minutes by restarting at chosen instants.
 */
export class TrialClock implements Clock {
  private readonly offsetMs: number;
  constructor(readonly startedAt: Date) {
    this.offsetMs = startedAt.getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/** The process clock: the system's, or a trial clock when `QRBILL_NOW` is set. */
export function clockFor(config: { QRBILL_NOW?: Date | undefined }): Clock {
  return config.QRBILL_NOW ? new TrialClock(config.QRBILL_NOW) : systemClock;
}

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

export interface FaultConfig {
  rate503?: number;
  rate429?: number;
  rate500?: number;
  timeoutRate?: number;
  timeoutMs?: number;
  /** Share of requests whose (valid) access token expires just now: answered 401 `expired_token`, as after its hour. */
  expiredTokenRate?: number;
  /** Injectable for deterministic tests; defaults to Math.random. */
  random?: () => number;
  /** Restrict faults to these REST methods (case-insensitive); all methods when absent. */
  only?: string[];
}

export type Fault =
  | { kind: 'QUERY_LIMIT_EXCEEDED' | 'OPERATION_TIME_LIMIT' | 'INTERNAL_SERVER_ERROR' | 'expired_token' }
  | { kind: 'timeout'; ms: number };

/**
 * Decides, per HTTP request, whether the platform misbehaves. One draw covers all fault kinds so that
 * a scripted `random` yields a predictable sequence.
 */
export class FaultInjector {
  private cfg: FaultConfig = {};

  set(cfg: FaultConfig): void {
    this.cfg = { ...cfg };
  }

  pick(method: string): Fault | null {
    const c = this.cfg;
    if (c.only && !c.only.some((m) => m.toLowerCase() === method)) return null;
    const total = (c.rate503 ?? 0) + (c.rate429 ?? 0) + (c.rate500 ?? 0) + (c.timeoutRate ?? 0) + (c.expiredTokenRate ?? 0);
    if (total <= 0) return null;
    const r = (c.random ?? Math.random)();
    let edge = c.rate503 ?? 0;
    if (r < edge) return { kind: 'QUERY_LIMIT_EXCEEDED' };
    edge += c.rate429 ?? 0;
    if (r < edge) return { kind: 'OPERATION_TIME_LIMIT' };
    edge += c.rate500 ?? 0;
    if (r < edge) return { kind: 'INTERNAL_SERVER_ERROR' };
    edge += c.timeoutRate ?? 0;
    if (r < edge) return { kind: 'timeout', ms: c.timeoutMs ?? 30_000 };
    edge += c.expiredTokenRate ?? 0;
    if (r < edge) return { kind: 'expired_token' };
    return null;
  }
}

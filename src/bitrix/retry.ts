export interface RetryPolicy {
  /** Retries after the first attempt (0 = never retry). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 1000, maxDelayMs: 15_000 };

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so processes that were
 * throttled together do not come back together. `retry` counts from 1.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = policy.baseDelayMs * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(policy.maxDelayMs, exp);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(capped / 2 + (capped / 2) * r);
}

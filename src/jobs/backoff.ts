/**
 * Retry delays. Capped exponential growth with jitter, so a burst of jobs that failed together (a Bitrix24
 * outage, a rate limit) spreads out instead of retrying in lockstep. Pure: randomness is injected.
 */
export interface BackoffOptions {
  /** Smallest delay, and the unit of growth. */
  baseMs: number;
  /** Largest delay. */
  capMs: number;
  /** Uniform in [0, 1), e.g. Math.random. */
  random: () => number;
  /**
   * 'full' (default): uniform in [baseMs, min(capMs, baseMs·2^attempt)] — full jitter kept above a floor so a
   * retry never fires at once. 'decorrelated': uniform in [baseMs, previousMs·3], capped (AWS "decorrelated
   * jitter"); needs the previous delay, `previousMs`, which defaults to baseMs.
   */
  jitter?: 'full' | 'decorrelated';
  previousMs?: number;
}

/** Delay before the retry that follows failed attempt number `attempt` (1 = the first run failed). */
export function backoffDelayMs(attempt: number, opts: BackoffOptions): number {
  const base = Math.max(1, opts.baseMs);
  const cap = Math.max(base, opts.capMs);
  const r = Math.min(Math.max(opts.random(), 0), 1);
  let upper: number;
  if (opts.jitter === 'decorrelated') {
    upper = Math.min(cap, Math.max(base, opts.previousMs ?? base) * 3);
  } else {
    // 2^attempt overflows to Infinity for absurd attempts, which min() turns into the cap.
    upper = Math.min(cap, base * 2 ** Math.max(1, Math.floor(attempt)));
  }
  return Math.round(base + r * (upper - base));
}

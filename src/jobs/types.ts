import type { z } from 'zod';
import type { Logger } from '../log.js';

/**
 * A kind of job with its payload's schema: enqueueing checks the payload's type at compile time, running checks
 * the stored payload against the schema before the handler sees it.
 */
export interface JobKind<P> {
  name: string;
  payload: z.ZodType<P>;
  /** Runs including the first, unless the enqueue says otherwise. */
  maxAttempts?: number;
}

export function defineJobKind<P>(kind: JobKind<P>): JobKind<P> {
  return kind;
}

/** What a handler sees of its job. `attempt` counts from 1 and includes this run. */
export interface JobInfo<P = unknown> {
  id: number;
  kind: string;
  key: string;
  payload: P;
  attempt: number;
  maxAttempts: number;
}

export interface JobContext {
  /**
   * True when a failure of this run is final (no retry follows). A handler that must always report an
   * outcome (a waiting robot) reports the error itself when this is set or when it throws a permanent error.
   */
  isLastAttempt: boolean;
  log: Logger;
  /**
   * Runs `fn` once per job key and effect name, across retries, crashes and workers: if a previous run
   * already completed this effect, returns its recorded result without calling `fn` (see JobStore.effect).
   */
  effect<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Extends this worker's lease on the job; done automatically every lease/3 while the handler runs. */
  heartbeat(): Promise<void>;
  /** Aborted when the lease was lost (another worker took the job over): stop as soon as convenient. */
  signal: AbortSignal;
}

export type JobHandler<P = unknown> = (job: JobInfo<P>, ctx: JobContext) => Promise<void>;

/** A handler bound to its kind: the worker checks each payload against the kind's schema first. */
export interface JobRoute {
  kind: string;
  parse(payload: unknown): { ok: true; value: unknown } | { ok: false; message: string };
  handler: JobHandler<never>;
}

/** Binds a handler to its kind: a typed kind checks payloads with its schema; a bare name passes them as `unknown`. */
export function route<P>(kind: JobKind<P>, handler: JobHandler<P>): JobRoute;
export function route(kind: string, handler: JobHandler<unknown>): JobRoute;
export function route<P>(kind: JobKind<P> | string, handler: JobHandler<P>): JobRoute {
  if (typeof kind === 'string') return { kind, parse: (payload) => ({ ok: true, value: payload }), handler: handler as JobHandler<never> };
  return {
    kind: kind.name,
    parse: (payload) => {
      const r = kind.payload.safeParse(payload);
      return r.success ? { ok: true, value: r.data } : { ok: false, message: r.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ') };
    },
    handler: handler as JobHandler<never>,
  };
}

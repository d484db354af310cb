import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { CallOutcome } from './batch.js';
import type { FaultInjector } from './faults.js';
import type { LeakyBucket } from './limits.js';
import type { TokenStore } from './tokens.js';
import { SandboxRestError, isListPage, type MethodContext, type MethodTable, type SandboxHooks } from './types.js';

export interface RequestRecord {
  method: string;
  httpStatus: number;
  /** Sandbox clock, ISO. */
  at: string;
  error?: string;
  /** A command executed inside a `batch` request (the batch itself has its own record). */
  inBatch?: boolean;
}

export interface RestReply {
  status: number;
  body: Record<string, unknown>;
}

export interface RestDeps {
  clock: Clock;
  log: Logger;
  tokens: TokenStore;
  limiter: LeakyBucket;
  faults: FaultInjector;
  hooks: SandboxHooks;
  baseUrl(): string;
  /** Real-time wait that ends early when the sandbox closes. */
  sleep(ms: number): Promise<void>;
}

const FAULT_REPLIES = {
  QUERY_LIMIT_EXCEEDED: { status: 503, description: 'Too many requests' },
  OPERATION_TIME_LIMIT: { status: 429, description: 'Method is blocked due to operation time limit.' },
  INTERNAL_SERVER_ERROR: { status: 500, description: 'Internal server error' },
} as const;

/** Per-method execution time, summed over a 10-minute window as the platform reports it in `time.operating`. */
const OPERATING_WINDOW_MS = 600_000;

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** `crm.deal.get`, `/crm.deal.get`, `crm.deal.get.json` → `crm.deal.get`. */
export function normalizeMethod(raw: string): string {
  return raw.replace(/^\/+/, '').replace(/\.json$/i, '').trim().toLowerCase();
}

/**
 * One REST endpoint of the portal: authentication, fault injection, the leaky bucket, method execution
 * and the response envelope (`result`, `total`, `next`, `time`), with every request recorded.
 */
export class RestDispatcher {
  private readonly records: RequestRecord[] = [];
  private readonly operating = new Map<string, { windowStart: number; seconds: number }>();
  private methods: MethodTable = {};

  constructor(private readonly deps: RestDeps) {}

  setMethods(methods: MethodTable): void {
    this.methods = methods;
  }

  requests(): RequestRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  /** Records a request that never reached a method (the OAuth endpoint). */
  note(record: Omit<RequestRecord, 'at'>): void {
    this.records.push({ at: this.deps.clock.now().toISOString(), ...record });
  }

  async handle(rawMethod: string, input: Record<string, unknown>): Promise<RestReply> {
    const method = normalizeMethod(rawMethod);
    const params: Record<string, any> = {};
    for (const [k, v] of Object.entries(input)) if (k !== 'auth' && !k.startsWith('bx24_')) params[k] = v;

    const reply = (status: number, body: Record<string, unknown>): RestReply => {
      const error = typeof body.error === 'string' ? body.error : undefined;
      this.note({ method, httpStatus: status, ...(error ? { error } : {}) });
      return { status, body };
    };
    const fail = (status: number, error: string, description: string) =>
      reply(status, { error, error_description: description });

    const access = this.deps.tokens.checkAccess(input.auth);
    if (!access.ok) {
      return access.code === 'expired_token'
        ? fail(401, 'expired_token', 'The access token provided has expired.')
        : fail(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    }
    const fault = this.deps.faults.pick(method);
    if (fault?.kind === 'expired_token') {
      this.deps.tokens.expire(input.auth as string);
      return fail(401, 'expired_token', 'The access token provided has expired.');
    }
    if (fault && fault.kind !== 'timeout') {
      const f = FAULT_REPLIES[fault.kind];
      return fail(f.status, fault.kind, f.description);
    }
    if (!this.deps.limiter.take()) return fail(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
    if (!this.methods[method]) return fail(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');

    const ctx = this.context(access.userId);
    const outcome = await this.run(method, params, ctx);
    // A timeout in real life: the method ran, the answer comes too late for the caller.
    if (fault?.kind === 'timeout') await this.deps.sleep(fault.ms);
    if (!outcome.ok) return fail(outcome.status, outcome.error, outcome.description);
    return reply(200, {
      result: outcome.result,
      ...(outcome.next !== undefined ? { next: outcome.next } : {}),
      ...(outcome.total !== undefined ? { total: outcome.total } : {}),
      time: outcome.time,
    });
  }

  /** A command inside `batch`: same execution, no limiter or faults of its own. */
  readonly subCall = async (method: string, params: Record<string, any>, ctx: MethodContext): Promise<CallOutcome> => {
    if (!this.methods[method]) {
      return { ok: false, status: 404, error: 'ERROR_METHOD_NOT_FOUND', description: 'Method not found!', time: {} };
    }
    return this.run(method, params, ctx);
  };

  /** Records a command of a batch (the batch request has its own record). */
  readonly noteSubCall = (method: string, outcome: CallOutcome): void => {
    this.note({ method, httpStatus: outcome.ok ? 200 : outcome.status, ...(outcome.ok ? {} : { error: outcome.error }), inBatch: true });
  };

  /** Runs a method inside the portal (automation reading or moving a deal); throws SandboxRestError. */
  async internal(method: string, params: Record<string, unknown>, userId: number): Promise<unknown> {
    const handler = this.methods[method];
    if (!handler) throw new SandboxRestError('ERROR_METHOD_NOT_FOUND', `Method not found: ${method}`, 404);
    const result = await handler(params, this.context(userId));
    return isListPage(result) ? result.items : result;
  }

  private context(userId: number): MethodContext {
    return { userId, clock: this.deps.clock, hooks: this.deps.hooks, baseUrl: this.deps.baseUrl() };
  }

  private async run(method: string, params: Record<string, any>, ctx: MethodContext): Promise<CallOutcome> {
    const startMs = this.deps.clock.now().getTime();
    const realStart = performance.now();
    const timing = () => this.time(method, startMs, (performance.now() - realStart) / 1000);
    try {
      const result = await this.methods[method]!(params, ctx);
      if (isListPage(result)) {
        return { ok: true, result: result.items, total: result.total, ...(result.next !== undefined ? { next: result.next } : {}), time: timing() };
      }
      return { ok: true, result: result === undefined ? null : result, time: timing() };
    } catch (err) {
      if (err instanceof SandboxRestError) {
        return { ok: false, status: err.httpStatus, error: err.code, description: err.description, time: timing() };
      }
      this.deps.log.error({ err, method }, 'sandbox method crashed');
      const description = err instanceof Error ? err.message : String(err);
      return { ok: false, status: 500, error: 'INTERNAL_SERVER_ERROR', description, time: timing() };
    }
  }

  private time(method: string, startMs: number, seconds: number): Record<string, unknown> {
    let op = this.operating.get(method);
    if (!op || startMs - op.windowStart >= OPERATING_WINDOW_MS) {
      op = { windowStart: startMs, seconds: 0 };
      this.operating.set(method, op);
    }
    op.seconds += seconds;
    const start = startMs / 1000;
    return {
      start,
      finish: start + seconds,
      duration: seconds,
      processing: seconds,
      date_start: isoSeconds(startMs),
      date_finish: isoSeconds(startMs + seconds * 1000),
      operating_reset_at: Math.floor((op.windowStart + OPERATING_WINDOW_MS) / 1000),
      operating: op.seconds,
    };
  }
}

import axios, { type AxiosInstance } from 'axios';
import type { Kysely } from 'kysely';
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { getPortal } from '../storage/portals.js';
import type { Database, Portal } from '../storage/schema.js';
import {
  encodeBatchCommands,
  isIdempotentBatch,
  parseBatchResult,
  type BatchCommands,
  type BatchResult,
} from './batch.js';
import { BitrixError, isExpiredToken, isNotExecutedLimit } from './errors.js';
import { isIdempotentMethod } from './idempotency.js';
import { DbPacer } from './dbPacer.js';
import type { Pacer, PortalBucket } from './pacer.js';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { needsReinstall, portalNotFound, TokenRefresher, type OAuthConfig } from './tokens.js';
import { sendRequest, type Outcome } from './transport.js';
import { silentObserver, type BitrixObserver } from './observer.js';

export type { OAuthConfig } from './tokens.js';
export type { BatchCommand, BatchCommands, BatchCommandError, BatchResult } from './batch.js';

export interface BitrixClientsOptions {
  db: Kysely<Database>;
  oauth: OAuthConfig;
  log: Logger;
  clock?: Clock;
  http?: AxiosInstance;
  /** Per HTTP request; the platform itself stops a request after 60 s. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source for retry delays. */
  random?: () => number;
  /** Told of every request, limit rejection and token renewal (metrics). */
  observer?: BitrixObserver;
  /**
   * Where each portal's REST budget is kept. Default: in the portal row (DbPacer), shared by every process on
   * the database. A PacerRegistry keeps it in this process's memory instead (one process owns the budget).
   */
  pacer?: Pacer;
}

export interface CallOptions {
  /** Whether repeating the call is harmless; defaults by method name (see idempotency.ts). */
  idempotent?: boolean;
}

export interface Page<T = unknown> {
  result: T;
  total: number | undefined;
  next: number | undefined;
  time: Record<string, unknown> | undefined;
}

export interface BatchOptions extends CallOptions {
  /** Stop at the first failed command. */
  halt?: boolean;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Shared {
  db: Kysely<Database>;
  http: AxiosInstance;
  log: Logger;
  timeoutMs: number;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  pacer: Pacer;
  tokens: TokenRefresher;
  observer: BitrixObserver;
}

/** One per process: hands out a client per portal, sharing pacing and token refresh. */
export class BitrixClients {
  private readonly shared: Shared;
  private readonly clients = new Map<string, BitrixClient>();

  constructor(opts: BitrixClientsOptions) {
    const clock = opts.clock ?? systemClock;
    const sleep = opts.sleep ?? defaultSleep;
    const http = opts.http ?? axios.create();
    const timeoutMs = opts.timeoutMs ?? 30_000;
    this.shared = {
      db: opts.db,
      http,
      log: opts.log,
      timeoutMs,
      retry: opts.retry ?? DEFAULT_RETRY,
      sleep,
      random: opts.random ?? Math.random,
      pacer: opts.pacer ?? new DbPacer({ db: opts.db, now: () => clock.now().getTime(), sleep }),
      tokens: new TokenRefresher({ db: opts.db, oauth: opts.oauth, http, log: opts.log, clock, sleep, timeoutMs, observer: opts.observer ?? silentObserver }),
      observer: opts.observer ?? silentObserver,
    };
  }

  /**
   * One call with a user's own token (a frame's AUTH_ID) at the endpoint stored for the portal, never at an address
   * the caller names: a forged frame POST can only ask the real portal, which refuses a token it did not issue.
   * No renewal and no retry: the user's token is not ours to refresh.
   */
  async callAsUser(memberId: string, accessToken: string, method: string, params: Record<string, unknown> = {}): Promise<Outcome> {
    const portal = await getPortal(this.shared.db, memberId);
    if (portal === undefined) throw portalNotFound(memberId);
    // A portal whose stored pair died (needs_reinstall) still knows its users' own tokens.
    if (portal.status === 'uninstalled') throw needsReinstall(memberId, portal.status, portal.status_reason);
    const bucket = this.shared.pacer.forPortal(memberId, { drainPerSec: portal.rate_drain, burst: portal.rate_burst });
    // A user opening the app shares the portal's budget with the robots: a limit rejection (not executed) is waited
    // out a few times rather than shown to the user as a failure.
    for (let attempt = 0; ; attempt++) {
      await bucket.acquire();
      const outcome = await sendRequest(this.shared.http, {
        method: 'POST',
        url: methodUrl(portal.client_endpoint, method),
        data: { ...params, auth: accessToken },
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        timeout: Math.min(this.shared.timeoutMs, 10_000),
      });
      this.shared.observer.request(memberId, method, outcome.kind === 'ok' ? 'ok' : outcome.code);
      if (outcome.kind !== 'error' || !isNotExecutedLimit(outcome.status, outcome.code) || attempt >= 3) return outcome;
      this.shared.observer.limitRejection(memberId);
      if (outcome.code === 'QUERY_LIMIT_EXCEEDED') await bucket.markFull();
      await this.shared.sleep(backoffDelay(attempt + 1, this.shared.retry, this.shared.random));
    }
  }

  forPortal(memberId: string): BitrixClient {
    let client = this.clients.get(memberId);
    if (client === undefined) {
      client = new BitrixClient(memberId, this.shared);
      this.clients.set(memberId, client);
    }
    return client;
  }
}

/**
 * REST client for one portal. Reads the portal row before every call, so a token refreshed or a portal
 * marked for reinstall by another process takes effect at once.
 */
export class BitrixClient {
  /** @internal Built by {@link BitrixClients.forPortal}. */
  constructor(
    readonly memberId: string,
    private readonly shared: Shared,
  ) {}

  /** Calls a method and returns its `result`. */
  async call<T = unknown>(method: string, params: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<T> {
    const body = await this.request(method, params, opts.idempotent ?? isIdempotentMethod(method));
    return body.result as T;
  }

  /** One page of a list method: `start` selects the page (pages are 50 rows). */
  async callPage<T = unknown>(method: string, params: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<Page<T>> {
    const body = await this.request(method, params, opts.idempotent ?? isIdempotentMethod(method));
    return {
      result: body.result as T,
      total: optionalNumber(body.total),
      next: optionalNumber(body.next),
      time: isRecord(body.time) ? body.time : undefined,
    };
  }

  /**
   * Every row of a list method, following `next`. Handles both plain arrays (`crm.deal.list`) and wrapped
   * ones (`crm.item.list` → `{items: […]}`). `max` stops early once that many rows are collected.
   */
  async list<T = unknown>(method: string, params: Record<string, unknown> = {}, opts: { max?: number } = {}): Promise<T[]> {
    const max = opts.max ?? Number.POSITIVE_INFINITY;
    const rows: T[] = [];
    let start = 0;
    for (;;) {
      const page = await this.callPage<unknown>(method, { ...params, start });
      rows.push(...(listRows(page.result) as T[]));
      if (rows.length >= max) return rows.slice(0, max);
      if (page.next === undefined || page.next <= start) return rows;
      start = page.next;
    }
  }

  /**
   * Up to 50 commands in one request. Later commands may reference earlier results as `$result[key][FIELD]`.
   * Failed commands are reported in `errors`; the call only throws when the batch itself fails.
   */
  async batch(cmds: BatchCommands, opts: BatchOptions = {}): Promise<BatchResult> {
    const cmd = encodeBatchCommands(cmds);
    if (Object.keys(cmd).length === 0) return { result: {}, errors: {}, total: {}, next: {} };
    const body = await this.request('batch', { halt: opts.halt ? 1 : 0, cmd }, opts.idempotent ?? isIdempotentBatch(cmds));
    return parseBatchResult(body.result);
  }

  private async request(method: string, params: Record<string, unknown>, idempotent: boolean): Promise<Record<string, unknown>> {
    const { retry, sleep, random, log } = this.shared;
    let portal = await this.loadPortal();
    let refreshed = false;
    let retries = 0;
    for (;;) {
      const bucket = this.bucketFor(portal);
      await bucket.acquire();
      const started = performance.now();
      const outcome = await this.send(portal, method, params);
      log.debug(
        {
          member_id: this.memberId,
          method,
          status: outcome.kind === 'no-response' ? outcome.code : outcome.status,
          ...(outcome.kind === 'error' ? { error: outcome.code } : {}),
          duration_ms: Math.round(performance.now() - started),
          ...(retries > 0 ? { retry: retries } : {}),
        },
        'bitrix call',
      );
      this.shared.observer.request(this.memberId, method, outcome.kind === 'ok' ? 'ok' : outcome.code);
      if (outcome.kind === 'error' && isNotExecutedLimit(outcome.status, outcome.code)) this.shared.observer.limitRejection(this.memberId);
      if (outcome.kind === 'ok') return outcome.body;

      if (outcome.kind === 'error' && isExpiredToken(outcome.status, outcome.code) && !refreshed) {
        // The call was rejected before running, so even a create may be repeated with the new token.
        portal = await this.shared.tokens.refresh(portal);
        refreshed = true;
        continue;
      }

      const verdict = judge(outcome, idempotent);
      if (outcome.kind === 'error' && outcome.code === 'QUERY_LIMIT_EXCEEDED') await bucket.markFull();
      if (verdict.retry && retries < retry.maxRetries) {
        retries += 1;
        await sleep(backoffDelay(retries, retry, random));
        portal = await this.loadPortal();
        continue;
      }
      throw toError(outcome, method, idempotent, this.memberId);
    }
  }

  private async send(portal: Portal, method: string, params: Record<string, unknown>): Promise<Outcome> {
    return sendRequest(this.shared.http, {
      method: 'POST',
      url: methodUrl(portal.client_endpoint, method),
      data: { ...params, auth: portal.access_token },
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      timeout: this.shared.timeoutMs,
    });
  }

  private async loadPortal(): Promise<Portal> {
    const row = await getPortal(this.shared.db, this.memberId);
    if (row === undefined) throw portalNotFound(this.memberId);
    if (row.status !== 'active') throw needsReinstall(this.memberId, row.status, row.status_reason);
    return row;
  }

  private bucketFor(portal: Portal): PortalBucket {
    return this.shared.pacer.forPortal(this.memberId, { drainPerSec: portal.rate_drain, burst: portal.rate_burst });
  }
}

/**
 * Retry policy. Rate limits (503 QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT) and refused connections
 * mean the portal did not run the request: retry anything. A timeout, dropped connection or other 5xx may
 * come after the portal acted: retry only idempotent calls.
 */
function judge(outcome: Exclude<Outcome, { kind: 'ok' }>, idempotent: boolean): { retry: boolean } {
  if (outcome.kind === 'no-response') return { retry: outcome.notSent || idempotent };
  if (isNotExecutedLimit(outcome.status, outcome.code)) return { retry: true };
  if (outcome.code === 'OVERLOAD_LIMIT') return { retry: false }; // a manual block: seconds of retrying do not help
  if (outcome.status >= 500) return { retry: idempotent };
  return { retry: false };
}

function toError(outcome: Exclude<Outcome, { kind: 'ok' }>, method: string, idempotent: boolean, memberId: string): BitrixError {
  if (outcome.kind === 'no-response') {
    const ambiguous = !outcome.notSent && !idempotent;
    const what = outcome.code === 'TIMEOUT' ? 'did not answer in time' : 'could not be reached';
    return new BitrixError(
      outcome.code,
      ambiguous
        ? `Bitrix24 ${what} during ${method}; the change may or may not have been made`
        : `Bitrix24 ${what} during ${method}`,
      {
        method,
        retryable: !ambiguous,
        ambiguous,
        cause: outcome.cause,
        details: { memberId, ...(outcome.sysCode ? { sysCode: outcome.sysCode } : {}) },
      },
    );
  }
  const { status, code, description } = outcome;
  if (isNotExecutedLimit(status, code) || code === 'OVERLOAD_LIMIT') {
    return new BitrixError(code, `Bitrix24 is limiting requests (${code}) during ${method}; try again later`, {
      method,
      httpStatus: status,
      description,
      retryable: true,
      details: { memberId },
    });
  }
  if (status >= 500 || code === 'INVALID_RESPONSE') {
    const ambiguous = !idempotent;
    return new BitrixError(code, `Bitrix24 failed during ${method} (${code}${description ? `: ${description}` : ''})`, {
      method,
      httpStatus: status,
      description,
      retryable: !ambiguous,
      ambiguous,
      details: { memberId },
    });
  }
  return new BitrixError(code, `Bitrix24 rejected ${method}: ${code}${description ? ` — ${description}` : ''}`, {
    method,
    httpStatus: status,
    description,
    retryable: false,
    details: { memberId },
  });
}

function methodUrl(clientEndpoint: string, method: string): string {
  const base = clientEndpoint.endsWith('/') ? clientEndpoint : `${clientEndpoint}/`;
  return `${base}${encodeURIComponent(method).replace(/%2E/gi, '.')}`;
}

function listRows(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  if (isRecord(result)) {
    const arrays = Object.values(result).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0]!;
  }
  return [];
}

function optionalNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

import type { AxiosInstance } from 'axios';
import type { Kysely } from 'kysely';
import qs from 'qs';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import {
  acquirePortalRefreshLock,
  getPortal,
  markPortalStatus,
  releasePortalRefreshLock,
  updatePortalTokens,
  type PortalTokens,
} from '../storage/portals.js';
import type { Database, Portal } from '../storage/schema.js';
import { BitrixError, BitrixErrorCode, safeCause } from './errors.js';
import { sendRequest } from './transport.js';
import { acceptedOAuthOrigin, tokenUrlFor, type OAuthHostPolicy } from './oauthServer.js';
import type { BitrixObserver } from './observer.js';

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Which OAuth server renews a portal's tokens: the one it names, within these bounds (see oauthServer.ts). */
  hosts: OAuthHostPolicy;
}

export interface TokenRefresherDeps {
  db: Kysely<Database>;
  oauth: OAuthConfig;
  http: AxiosInstance;
  log: Logger;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  timeoutMs: number;
  /** How long one process may own a portal's refresh before others assume it died. */
  lockTtlMs?: number;
  /** How often a process waiting for another's refresh looks at the portal row. */
  pollMs?: number;
  observer?: BitrixObserver;
}

/** OAuth answers meaning the stored refresh token (or the app itself) is no longer accepted. */
const REINSTALL_CODES = new Set(['invalid_grant', 'invalid_client']);

/**
 * Refreshes a portal's OAuth pair so that exactly one refresh runs per portal: callers in this process share
 * one promise, and processes share the database row — a refresh lock (`refresh_locked_until`) and a
 * compare-and-swap on `token_version`. Each refresh invalidates the previous refresh token, so two concurrent
 * refreshes would leave one process with a dead pair; the new pair is stored before anyone uses it.
 */
export class TokenRefresher {
  private readonly inflight = new Map<string, Promise<Portal>>();
  private readonly lockTtlMs: number;
  private readonly pollMs: number;

  constructor(private readonly deps: TokenRefresherDeps) {
    this.lockTtlMs = deps.lockTtlMs ?? Math.max(30_000, deps.timeoutMs * 2);
    this.pollMs = deps.pollMs ?? 100;
  }

  /**
   * Returns a portal row whose token is newer than `stale` (the row the failed call used): either one another
   * caller or process stored meanwhile, or one we obtained and stored.
   */
  async refresh(stale: Portal): Promise<Portal> {
    const memberId = stale.member_id;
    if (!this.deps.oauth.clientId || !this.deps.oauth.clientSecret) {
      // The OAuth server would answer invalid_client, which means "reinstall" for a configured service;
      // here it only means our configuration is missing, so the portal's tokens stay as they are.
      throw new BitrixError(
        BitrixErrorCode.TOKEN_REFRESH_FAILED,
        'B24_CLIENT_ID and B24_CLIENT_SECRET are not set, so the service cannot renew its Bitrix24 access; the administrator must set them and restart the service',
        { retryable: false, details: { memberId } },
      );
    }
    const running = this.inflight.get(memberId);
    if (running !== undefined) {
      const row = await running;
      if (row.token_version > stale.token_version) return row;
    }
    let own = this.inflight.get(memberId);
    if (own === undefined) {
      own = this.coordinate(memberId, stale.token_version).finally(() => {
        if (this.inflight.get(memberId) === own) this.inflight.delete(memberId);
      });
      this.inflight.set(memberId, own);
    }
    return own;
  }

  private async coordinate(memberId: string, staleVersion: number): Promise<Portal> {
    // Long enough to outlast a holder that died mid-refresh (its lock expires after lockTtlMs).
    const maxPolls = Math.ceil((this.lockTtlMs * 1.5) / this.pollMs);
    for (let poll = 0; ; poll++) {
      const row = await this.load(memberId);
      if (row.token_version !== staleVersion) return row;
      const now = this.deps.clock.now();
      const until = new Date(now.getTime() + this.lockTtlMs);
      if (await acquirePortalRefreshLock(this.deps.db, memberId, now, until)) {
        // Another process may have finished between our read and taking the lock.
        const fresh = await this.load(memberId).catch(async (err: unknown) => {
          await releasePortalRefreshLock(this.deps.db, memberId);
          throw err;
        });
        if (fresh.token_version !== staleVersion) {
          await releasePortalRefreshLock(this.deps.db, memberId);
          return fresh;
        }
        return this.refreshHoldingLock(fresh);
      }
      if (poll >= maxPolls) {
        throw new BitrixError(
          BitrixErrorCode.TOKEN_REFRESH_BUSY,
          'Another process is refreshing the Bitrix24 token and has not finished; try again shortly',
          { retryable: true, details: { memberId } },
        );
      }
      await this.deps.sleep(this.pollMs);
    }
  }

  private async refreshHoldingLock(row: Portal): Promise<Portal> {
    const { db, log, clock } = this.deps;
    const memberId = row.member_id;
    let tokens: PortalTokens;
    try {
      tokens = await this.requestNewPair(row);
      this.deps.observer?.tokenRefresh(memberId, 'ok');
    } catch (err) {
      this.deps.observer?.tokenRefresh(memberId, 'failed');
      await releasePortalRefreshLock(db, memberId).catch(() => undefined);
      if (err instanceof BitrixError && REINSTALL_CODES.has(err.code)) {
        // If someone stored a newer pair after all (our lock had expired), ours was simply a stale token.
        const latest = await this.load(memberId);
        if (latest.token_version !== row.token_version) return latest;
        const reason = `OAuth refresh refused: ${err.code}${err.description ? ` (${err.description})` : ''}`;
        await markPortalStatus(db, memberId, 'needs_reinstall', reason, clock.now());
        log.error(
          { member_id: memberId, domain: row.domain, oauth_error: err.code },
          'Bitrix24 refused to refresh the OAuth token: the app must be reinstalled on this portal',
        );
        throw needsReinstall(memberId, 'needs_reinstall', reason, err);
      }
      throw err;
    }
    const stored = await updatePortalTokens(db, memberId, row.token_version, tokens);
    if (!stored) {
      // Our lock had expired and another process stored its pair first; theirs is the one in use now.
      log.warn({ member_id: memberId }, 'token refresh lost the race to another process; using its tokens');
    } else {
      log.info({ member_id: memberId, token_version: row.token_version + 1 }, 'Bitrix24 OAuth token refreshed');
    }
    return this.load(memberId);
  }

  private async requestNewPair(row: Portal): Promise<PortalTokens> {
    const { oauth, http, clock, timeoutMs } = this.deps;
    const outcome = await sendRequest(http, {
      method: 'POST',
      url: tokenUrlFor(row.server_endpoint, oauth.hosts),
      data: qs.stringify({
        grant_type: 'refresh_token',
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        refresh_token: row.refresh_token,
      }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      timeout: timeoutMs,
    });
    if (outcome.kind === 'no-response') {
      throw new BitrixError(BitrixErrorCode.TOKEN_REFRESH_FAILED, 'Could not reach the Bitrix24 OAuth server', {
        retryable: true,
        cause: outcome.cause,
        details: { reason: outcome.code, memberId: row.member_id },
      });
    }
    if (outcome.kind === 'error') {
      const permanent = REINSTALL_CODES.has(outcome.code);
      throw new BitrixError(
        permanent ? outcome.code : BitrixErrorCode.TOKEN_REFRESH_FAILED,
        `Bitrix24 OAuth server refused the token refresh: ${outcome.code}`,
        {
          httpStatus: outcome.status,
          description: outcome.description,
          retryable: !permanent && (outcome.status >= 500 || outcome.status === 429),
          details: { memberId: row.member_id, oauthError: outcome.code },
        },
      );
    }
    const b = outcome.body;
    if (typeof b.access_token !== 'string' || typeof b.refresh_token !== 'string' || !b.access_token || !b.refresh_token) {
      throw new BitrixError(BitrixErrorCode.TOKEN_REFRESH_FAILED, 'Bitrix24 OAuth server answered without tokens', {
        httpStatus: outcome.status,
        retryable: true,
        details: { memberId: row.member_id },
      });
    }
    const now = clock.now();
    // The answer names the server for the next renewal; a value outside the accepted hosts is ignored.
    const serverEndpoint = typeof b.server_endpoint === 'string' ? b.server_endpoint : '';
    return {
      access_token: b.access_token,
      refresh_token: b.refresh_token,
      access_expires_at: expiresAt(b, now).toISOString(),
      ...(typeof b.scope === 'string' && b.scope !== '' ? { scope: b.scope } : {}),
      ...(acceptedOAuthOrigin(serverEndpoint, oauth.hosts) ? { server_endpoint: serverEndpoint } : {}),
      updated_at: now.toISOString(),
    };
  }

  private async load(memberId: string): Promise<Portal> {
    const row = await getPortal(this.deps.db, memberId);
    if (row === undefined) throw portalNotFound(memberId);
    if (row.status !== 'active') throw needsReinstall(memberId, row.status, row.status_reason);
    return row;
  }
}

function expiresAt(b: Record<string, unknown>, now: Date): Date {
  const expires = Number(b.expires);
  if (Number.isFinite(expires) && expires > 0) return new Date(expires * 1000);
  const inSec = Number(b.expires_in);
  return new Date(now.getTime() + (Number.isFinite(inSec) && inSec > 0 ? inSec : 3600) * 1000);
}

export function portalNotFound(memberId: string): BitrixError {
  return new BitrixError(BitrixErrorCode.PORTAL_NOT_FOUND, 'The app is not installed on this Bitrix24 portal', {
    details: { memberId },
  });
}

export function needsReinstall(memberId: string, status: string, reason: string | null, cause?: unknown): BitrixError {
  const message =
    status === 'uninstalled'
      ? 'The app was removed from this Bitrix24 portal; install it again to continue'
      : 'The app must be reinstalled on this Bitrix24 portal: its access was revoked or expired';
  return new BitrixError(BitrixErrorCode.PORTAL_NEEDS_REINSTALL, message, {
    retryable: false,
    cause: cause === undefined ? undefined : safeCause(cause),
    details: { memberId, status, ...(reason ? { reason } : {}) },
  });
}

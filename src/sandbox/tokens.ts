import type { Clock } from '../clock.js';
import { randomHex } from './ids.js';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  /** Unix seconds on the sandbox clock. */
  expires: number;
  expires_in: number;
  user_id: number;
}

export type AccessCheck =
  | { ok: true; userId: number }
  | { ok: false; code: 'NO_AUTH_FOUND' | 'expired_token' };

interface AccessRecord {
  userId: number;
  expiresAtMs: number;
  expiredByHand: boolean;
}

interface RefreshRecord {
  userId: number;
  expiresAtMs: number;
  used: boolean;
}

/** Refresh tokens live 180 days per the current platform docs (older docs: 28). */
const REFRESH_TTL_MS = 180 * 86_400_000;

/**
 * OAuth tokens of the one installed app. Expiry is measured on the sandbox clock so a test can make
 * an hour pass instantly; a refresh token works once, because the platform rotates it on every refresh.
 */
export class TokenStore {
  private readonly access = new Map<string, AccessRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlSec: number,
  ) {}

  issue(userId: number): TokenPair {
    const now = this.clock.now().getTime();
    const access_token = randomHex(35);
    const refresh_token = randomHex(35);
    const expiresAtMs = now + this.ttlSec * 1000;
    this.access.set(access_token, { userId, expiresAtMs, expiredByHand: false });
    this.refreshTokens.set(refresh_token, { userId, expiresAtMs: now + REFRESH_TTL_MS, used: false });
    return { access_token, refresh_token, expires: Math.floor(expiresAtMs / 1000), expires_in: this.ttlSec, user_id: userId };
  }

  checkAccess(token: unknown): AccessCheck {
    if (typeof token !== 'string' || token === '') return { ok: false, code: 'NO_AUTH_FOUND' };
    const rec = this.access.get(token);
    if (!rec) return { ok: false, code: 'NO_AUTH_FOUND' };
    if (rec.expiredByHand || this.clock.now().getTime() >= rec.expiresAtMs) return { ok: false, code: 'expired_token' };
    return { ok: true, userId: rec.userId };
  }

  /** Exchanges a refresh token for a new pair; `null` when it is unknown, expired or already used. */
  refresh(refreshToken: unknown): TokenPair | null {
    if (typeof refreshToken !== 'string') return null;
    const rec = this.refreshTokens.get(refreshToken);
    if (!rec || rec.used || this.clock.now().getTime() >= rec.expiresAtMs) return null;
    rec.used = true;
    return this.issue(rec.userId);
  }

  /** This access token's hour is over (it stays expired, as on the platform). */
  expire(token: string): void {
    const rec = this.access.get(token);
    if (rec) rec.expiredByHand = true;
  }

  expireAllAccess(): void {
    for (const rec of this.access.values()) rec.expiredByHand = true;
  }

  revokeAll(): void {
    this.access.clear();
    this.refreshTokens.clear();
  }
}

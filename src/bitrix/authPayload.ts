/**
 * Reading the `auth[...]` block Bitrix24 puts into installs, events and robot calls
 * (b24restdocs: api-reference/events/index.md): token lifetimes and user ids.
 */

/** Beyond any real token lifetime; a larger value is garbage, not a reason to fail on an invalid date. */
const MAX_TOKEN_SECONDS = 366 * 86_400;

export function expiry(now: Date, expires: string, expiresIn: string): Date {
  // `expires` is an absolute unix time; `expires_in`/AUTH_EXPIRES are seconds from now.
  const abs = Number(expires);
  const nowSec = now.getTime() / 1000;
  if (Number.isFinite(abs) && abs > 1_000_000_000 && abs <= nowSec + MAX_TOKEN_SECONDS) return new Date(abs * 1000);
  const rel = Number(expiresIn);
  return new Date(now.getTime() + (Number.isFinite(rel) && rel > 0 && rel <= MAX_TOKEN_SECONDS ? rel : 3600) * 1000);
}

/** A positive id that fits the integer column, else unknown. */
export function userIdOf(v: string): number | null {
  const n = /^\d{1,10}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
}

/** An OAuth pair a delivery carries (`auth[access_token]`, `auth[refresh_token]`, …), with whose it is. */
export interface CarriedPair {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  userId: number | null;
}

const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The pair in an `auth` block, unless it is missing or already expired at `now`. */
export function carriedPair(auth: unknown, now: Date): CarriedPair | undefined {
  if (!auth || typeof auth !== 'object') return undefined;
  const a = auth as Record<string, unknown>;
  const accessToken = text(a.access_token);
  const refreshToken = text(a.refresh_token);
  if (!accessToken || !refreshToken) return undefined;
  const expiresAt = expiry(now, text(a.expires), text(a.expires_in));
  if (expiresAt <= now) return undefined;
  return { accessToken, refreshToken, expiresAt, userId: userIdOf(text(a.user_id)) };
}

import type { AppDeps } from '../deps.js';
import type { Portal } from '../storage/schema.js';
import { markPortalStatus, updatePortalTokens } from '../storage/portals.js';
import { expiry, userIdOf } from './parseInstall.js';

type Dict = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * A robot call that passed the application-token check carries a fresh OAuth pair of the user the
 * robot runs as (§2.2) — by our registration, the installing admin. Adopt it when it is fresher
 * than ours and belongs to the same user, or whenever our pair is known dead (needs_reinstall): a
 * stored refresh token that expired or was rotated elsewhere then heals itself with the next robot
 * call instead of leaving waiting steps unanswered. A pair of another user is not adopted while ours
 * works: that user's CRM rights may differ. Returns true when the pair was adopted.
 */
export async function adoptCallTokens(deps: AppDeps, portal: Portal, auth: unknown): Promise<boolean> {
  if (!auth || typeof auth !== 'object') return false;
  const a = auth as Dict;
  const accessToken = str(a.access_token);
  const refreshToken = str(a.refresh_token);
  if (!accessToken || !refreshToken) return false;
  const now = deps.clock.now();
  const expiresAt = expiry(now, str(a.expires), str(a.expires_in));
  if (expiresAt <= now) return false;
  const userId = userIdOf(str(a.user_id));
  const sameUser = portal.user_id === null || userId === portal.user_id;
  // Expiry has one-second resolution: a pair issued in the same second as ours counts as fresher.
  const fresher = accessToken !== portal.access_token && expiresAt >= new Date(portal.access_expires_at);
  const dead = portal.status === 'needs_reinstall';
  if (!dead && !(sameUser && fresher)) return false;
  const stored = await updatePortalTokens(deps.database.db, portal.member_id, portal.token_version, {
    access_token: accessToken,
    refresh_token: refreshToken,
    access_expires_at: expiresAt.toISOString(),
    updated_at: now.toISOString(),
  });
  if (!stored) return false; // another process refreshed meanwhile: its pair is as good
  if (dead) {
    await markPortalStatus(deps.database.db, portal.member_id, 'active', null, now);
    deps.log.warn({ memberId: portal.member_id }, 'portal revived with the tokens of a robot call');
  }
  return true;
}

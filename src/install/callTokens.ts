import type { AppDeps } from '../deps.js';
import type { Portal } from '../storage/schema.js';
import { markPortalStatus, updatePortalServerEndpoint, updatePortalTokens } from '../storage/portals.js';
import { acceptedOAuthOrigin } from '../bitrix/oauthServer.js';
import { oauthHosts } from '../config.js';
import { expiry, userIdOf } from './parseInstall.js';

type Dict = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * A robot call that passed the application-token check carries a fresh OAuth pair of the user the robot runs
 * as: the registration's AUTH_USER_ID (the installing admin) unless an admin chose another user ("run as") for
 * that robot in the designer (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md). We adopt
 * a pair only from the user whose tokens we hold, when it is fresher than ours — that user's CRM rights are the
 * ones the service was installed with. The one exception is a dead pair of ours (needs_reinstall): then any
 * working pair heals the portal instead of leaving waiting steps unanswered, and whose it is gets logged.
 * The call also names the OAuth server for renewals; a changed, acceptable one is stored.
 * Returns true when the pair was adopted.
 */
export async function adoptCallTokens(deps: AppDeps, portal: Portal, auth: unknown): Promise<boolean> {
  if (!auth || typeof auth !== 'object') return false;
  const a = auth as Dict;
  await noteServerEndpoint(deps, portal, str(a.server_endpoint));
  const accessToken = str(a.access_token);
  const refreshToken = str(a.refresh_token);
  if (!accessToken || !refreshToken) return false;
  const now = deps.clock.now();
  const expiresAt = expiry(now, str(a.expires), str(a.expires_in));
  if (expiresAt <= now) return false;
  const userId = userIdOf(str(a.user_id));
  const ourUser = portal.user_id !== null && userId === portal.user_id;
  // Expiry has one-second resolution: a pair issued in the same second as ours counts as fresher.
  const fresher = accessToken !== portal.access_token && expiresAt >= new Date(portal.access_expires_at);
  const dead = portal.status === 'needs_reinstall';
  if (!dead && !(ourUser && fresher)) return false;
  const stored = await updatePortalTokens(deps.database.db, portal.member_id, portal.token_version, {
    access_token: accessToken,
    refresh_token: refreshToken,
    access_expires_at: expiresAt.toISOString(),
    updated_at: now.toISOString(),
  });
  if (!stored) return false; // another process refreshed meanwhile: its pair is as good
  if (dead) {
    await markPortalStatus(deps.database.db, portal.member_id, 'active', null, now);
    deps.log.warn(
      { memberId: portal.member_id, tokensOfUser: userId, installingUser: portal.user_id },
      ourUser
        ? 'portal revived with the tokens of a robot call'
        : 'portal revived with the tokens of a robot call run as another user than the installing one; its CRM rights apply until the installing user\'s tokens arrive',
    );
  }
  return true;
}

/** Stores the OAuth server a call names when it is acceptable and differs from the stored one. */
async function noteServerEndpoint(deps: AppDeps, portal: Portal, endpoint: string): Promise<void> {
  if (endpoint === '' || endpoint === portal.server_endpoint) return;
  if (acceptedOAuthOrigin(endpoint, oauthHosts(deps.config)) === undefined) {
    deps.log.warn({ memberId: portal.member_id }, 'robot call names an OAuth server outside the accepted hosts; ignored');
    return;
  }
  await updatePortalServerEndpoint(deps.database.db, portal.member_id, endpoint, deps.clock.now());
}

import type { AppDeps } from '../deps.js';
import type { Portal } from '../storage/schema.js';
import { updatePortalServerEndpoint } from '../storage/portals.js';
import { acceptedOAuthOrigin } from '../bitrix/oauthServer.js';
import { oauthHosts } from '../config.js';

/**
 * A robot call names the OAuth server for renewals (`auth[server_endpoint]`); a changed, acceptable one is stored.
 * (The OAuth pair a call carries is adopted in the transaction that records the call: storage/portals.ts
 * `adoptCarriedPair`.) Returns true when the stored row changed.
 */
export async function noteServerEndpoint(deps: AppDeps, portal: Portal, auth: unknown): Promise<boolean> {
  const endpoint = auth && typeof auth === 'object' ? (auth as Record<string, unknown>).server_endpoint : undefined;
  if (typeof endpoint !== 'string' || endpoint === '' || endpoint === portal.server_endpoint) return false;
  if (acceptedOAuthOrigin(endpoint, oauthHosts(deps.config)) === undefined) {
    deps.log.warn({ memberId: portal.member_id }, 'robot call names an OAuth server outside the accepted hosts; ignored');
    return false;
  }
  await updatePortalServerEndpoint(deps.database.db, portal.member_id, endpoint, deps.clock.now());
  return true;
}

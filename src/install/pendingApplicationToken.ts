import type { AppDeps } from '../deps.js';
import { getPortal } from '../storage/portals.js';
import { AppError } from '../errors.js';

type Dict = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** How long after an install without an application token we accept the token-less ONAPPINSTALL. */
export const PENDING_TOKEN_WINDOW_MS = 60 * 60_000;

/**
 * The documented ONAPPINSTALL event carries only `auth[domain|member_id|application_token|…]`, no OAuth
 * pair. After an install that came through the portal frame without APPLICATION_TOKEN, that event is
 * the only way to learn the token. Nothing in the event can be checked against the portal, so it is
 * accepted only to fill an empty token, for the same domain, shortly after that install.
 */
export async function acceptPendingApplicationToken(deps: AppDeps, auth: Dict): Promise<void> {
  const memberId = str(auth.member_id);
  const token = str(auth.application_token);
  if (!memberId || !token) {
    throw new AppError('INSTALL_PAYLOAD_INVALID', 'ONAPPINSTALL without tokens must carry auth[member_id] and auth[application_token]');
  }
  const { db } = deps.database;
  const portal = await getPortal(db, memberId);
  const now = deps.clock.now();
  const fresh = portal && now.getTime() - new Date(portal.updated_at).getTime() <= PENDING_TOKEN_WINDOW_MS;
  if (!portal || portal.status === 'uninstalled' || portal.domain !== str(auth.domain) || portal.application_token !== '' || !fresh) {
    throw new AppError('INSTALL_REJECTED', 'No install of this portal is waiting for its application token');
  }
  const res = await db
    .updateTable('portals')
    .set({ application_token: token, updated_at: now.toISOString() })
    .where('member_id', '=', memberId)
    .where('application_token', '=', '')
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw new AppError('INSTALL_REJECTED', 'The application token was set meanwhile');
  deps.log.info({ memberId }, 'application token received with ONAPPINSTALL');
}

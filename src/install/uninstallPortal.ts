import type { AppDeps } from '../deps.js';
import type { Portal } from '../storage/schema.js';
import { deletePortalData, markPortalUninstalled } from '../storage/portals.js';

/**
 * ONAPPUNINSTALL: the app's access is already revoked, so we only touch our own data.
 * `data[CLEAN]=1` means the admin asked to delete the app's data; otherwise keep it (a reinstall
 * picks up numbering and history where it left off) but forget the tokens.
 */
export async function uninstallPortal(deps: AppDeps, portal: Portal, clean: boolean): Promise<void> {
  const { db } = deps.database;
  if (clean) await deletePortalData(db, portal.member_id);
  else await markPortalUninstalled(db, portal.member_id, deps.clock.now());
  deps.log.info({ memberId: portal.member_id, clean }, 'portal uninstalled');
}

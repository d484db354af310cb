import type { AppDeps } from '../deps.js';
import { getPortalSettings } from '../settings/portalSettings.js';
import type { WebContext } from './context.js';

/**
 * Matching payments and importing statements move money state (an invoice turns paid, the robot waiting for it
 * answers, the deal moves on): portal admins and the users the settings name as accountants may; everyone else
 * sees the payments read-only.
 */
export async function mayChangeMoney(deps: Pick<AppDeps, 'database'>, ctx: WebContext): Promise<boolean> {
  if (ctx.session.admin) return true;
  const settings = await getPortalSettings(deps.database.db, ctx.portal.member_id);
  return keepsTheBooks(ctx.session, settings.accountantUserIds);
}

/** A portal admin or one of the accountants the settings name: the people who answer for the money. */
export function keepsTheBooks(user: { userId: number; admin: boolean }, accountantUserIds: readonly number[]): boolean {
  return user.admin || accountantUserIds.includes(user.userId);
}

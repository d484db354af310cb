/**
 * Who may change things from the deal tab (mark an act's signed original received, re-send a document to the
 * client). Seeing the tab needs CRM access (proven when the frame opened), like the dashboard. Acting on a deal
 * is for the people answerable for it: the deal's responsible manager, the portal's administrators, and the
 * accountants named in the app's settings (they receive the signed originals by post). Anyone else with CRM
 * access sees the buttons' place explained instead: a letter to a client in the manager's name is the manager's.
 */
import type { AppDeps } from '../../deps.js';
import { BitrixError } from '../../bitrix/errors.js';
import { AppError } from '../../errors.js';
import { keepsTheBooks } from '../moneyRights.js';

export interface DealCard {
  id: number;
  title: string;
  /** ASSIGNED_BY_ID; 0 when the deal has none. */
  responsibleId: number;
}

export type DealLookup = { found: true; deal: DealCard } | { found: false; reason: 'not_found' | 'unavailable' };

export function mayActOnDeal(user: { userId: number; admin: boolean }, deal: DealCard | undefined, accountantUserIds: readonly number[]): boolean {
  if (keepsTheBooks(user, accountantUserIds)) return true;
  return deal !== undefined && deal.responsibleId > 0 && deal.responsibleId === user.userId;
}

/** The deal as the portal knows it, read with the app's own token (the user's frame token is not kept). */
export async function lookUpDeal(deps: AppDeps, memberId: string, dealId: number): Promise<DealLookup> {
  try {
    const deal = await deps.bitrix.forPortal(memberId).call<Record<string, unknown> | undefined>('crm.deal.get', { id: dealId });
    if (!deal || !deal.ID) return { found: false, reason: 'not_found' };
    return { found: true, deal: { id: Number(deal.ID), title: String(deal.TITLE ?? ''), responsibleId: Number(deal.ASSIGNED_BY_ID) || 0 } };
  } catch (err) {
    // The platform answers a missing deal with an error of its own (NOT_FOUND, or 400 «Not found»); only a portal
    // that did not answer at all is "unavailable".
    if (err instanceof BitrixError && err.httpStatus !== undefined && err.httpStatus < 500 && !err.retryable) {
      return { found: false, reason: 'not_found' };
    }
    deps.log.warn({ err, memberId, dealId }, 'deal tab: the deal could not be read from the portal');
    return { found: false, reason: 'unavailable' };
  }
}

/** Found deals, per process, for a minute: a tab opened again (or by a colleague) costs the portal no request. */
const recent = new Map<string, { deal: DealCard; until: number }>();
const RECENT_MS = 60_000;

/**
 * The deal for showing the tab, within `budgetMs`: from the minute-old cache, else from the portal when it answers in
 * time (the portal's request budget is shared with the robots, and a tab must not wait behind them). Undefined when
 * it did not; the lookup still completes and fills the cache for the next view. Actions check afresh (requireMayAct).
 */
export async function lookUpDealForView(deps: AppDeps, memberId: string, dealId: number, budgetMs: number): Promise<DealLookup | undefined> {
  const key = `${memberId}:${dealId}`;
  const hit = recent.get(key);
  if (hit && hit.until > Date.now()) return { found: true, deal: hit.deal };
  const pending = lookUpDeal(deps, memberId, dealId).then((r) => {
    if (r.found) {
      recent.set(key, { deal: r.deal, until: Date.now() + RECENT_MS });
      if (recent.size > 5_000) recent.delete(recent.keys().next().value!);
    }
    return r;
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, budgetMs, undefined)));
  try {
    return await Promise.race([pending, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The same rule for an action: AppError DEAL_ACTION_FORBIDDEN when the user may not act on the deal. */
export async function requireMayAct(
  deps: AppDeps,
  user: { memberId: string; userId: number; admin: boolean },
  dealId: number,
  accountantUserIds: readonly number[],
  message: string,
): Promise<void> {
  if (mayActOnDeal(user, undefined, accountantUserIds)) return;
  const lookup = await lookUpDeal(deps, user.memberId, dealId);
  if (!mayActOnDeal(user, lookup.found ? lookup.deal : undefined, accountantUserIds)) {
    throw new AppError('DEAL_ACTION_FORBIDDEN', message, { details: { dealId } });
  }
}

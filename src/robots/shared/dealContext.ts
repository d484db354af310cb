import type { RobotRunContext } from '../framework/types.js';
import type { BitrixDeal, DealSources } from '../../crm/dealSources.js';
import { loadDealSources } from '../../crm/dealSources.js';
import { parseBitrixDate } from '../../invoicing/period.js';
import { ufName } from '../../crm/dealFields.js';

/**
 * Loads the deal's sources for a document robot and notes the deal with the framework, which tells its
 * responsible user should the run fail for a reason a manager must fix.
 */
export async function loadSources(ctx: RobotRunContext): Promise<DealSources> {
  const sources = await loadDealSources(ctx.bitrix, ctx.call.document.id, ctx.deps.sellerCache);
  ctx.noteDeal(sources.deal);
  return sources;
}

/** The period written on the deal (by the lease scheduler or a manager), if both ends are set. */
export function dealPeriod(deal: BitrixDeal, timeZone: string): { from: string; to: string } | undefined {
  const from = deal[ufName('QRB_PER_FROM')];
  const to = deal[ufName('QRB_PER_TO')];
  if (typeof from !== 'string' || typeof to !== 'string' || !from || !to) return undefined;
  return { from: parseBitrixDate(from, timeZone), to: parseBitrixDate(to, timeZone) };
}

export function dealBasis(deal: BitrixDeal): string | undefined {
  const v = deal[ufName('QRB_BASIS')];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}


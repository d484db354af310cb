import type { RobotRunContext } from '../framework/types.js';
import type { BitrixDeal, DealSources } from '../../crm/dealSources.js';
import { loadDealSources } from '../../crm/dealSources.js';
import { notifyUser } from '../../crm/dealWrites.js';
import { parseBitrixDate } from '../../invoicing/period.js';
import { ufName } from '../../crm/dealFields.js';
import { AppError } from '../../errors.js';

/** Loads the deal's sources for a document robot. */
export function loadSources(ctx: RobotRunContext): Promise<DealSources> {
  return loadDealSources(ctx.bitrix, ctx.call.document.id, ctx.deps.sellerCache);
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

/**
 * A manager must act (fill requisites, fix rows): tell the responsible user directly, once per robot
 * call, besides the error_text the process sees. Seller problems may be stale cache: drop it.
 */
export async function reportToResponsible(ctx: RobotRunContext, deal: BitrixDeal | undefined, err: unknown): Promise<void> {
  if (!(err instanceof AppError) || err.retryable) return;
  if (err.code.startsWith('SELLER_')) ctx.deps.sellerCache.invalidate(ctx.portal.member_id);
  const userId = Number(deal?.ASSIGNED_BY_ID ?? ctx.call.userId ?? 0);
  if (!userId) return;
  const dealRef = `[URL=/crm/deal/details/${ctx.call.document.id}/]${deal?.TITLE ?? `сделка ${ctx.call.document.id}`}[/URL]`;
  await ctx.effect('notify-responsible', () =>
    notifyUser(ctx.bitrix, userId, `QR-биллинг: ${dealRef} — ${err.message}`, `qrbill:${ctx.call.document.id}:${err.code}`),
  );
}

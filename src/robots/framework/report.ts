import type { AppDeps } from '../../deps.js';
import { dealRef } from '../../crm/dealRef.js';
import type { BitrixClient } from '../../bitrix/client.js';
import { notifyUser } from '../../crm/dealWrites.js';
import { AppError, isPermanent } from '../../errors.js';
import type { RobotCall } from '../../storage/robotCalls.js';
import type { NotedDeal, RobotDocument } from './types.js';

/**
 * A robot failed for a reason a manager must fix (a permanent error: fill in requisites, fix the rows): besides
 * the error_text the business process sees, tell the deal's responsible user directly, once per robot call
 * (journaled). Seller problems may come from the cached requisites: the cache is dropped so the fix shows at once.
 * A failure that retrying might cure (network, limits) is not reported: the process's own branch handles it.
 */
export async function reportToResponsible(
  deps: AppDeps,
  call: RobotCall,
  document: RobotDocument,
  client: BitrixClient,
  effect: <T>(name: string, fn: () => Promise<T>) => Promise<T>,
  noted: NotedDeal | undefined,
  err: unknown,
): Promise<void> {
  if (!(err instanceof AppError) || !isPermanent(err)) return;
  if (err.code.startsWith('SELLER_')) deps.sellerCache.invalidate(call.member_id);
  if (document.entity !== 'DEAL') return;
  await effect('notify-responsible', async () => {
    const deal = noted ?? ((await client.call('crm.deal.get', { id: document.id }).catch(() => undefined)) as NotedDeal | undefined);
    const userId = Number(deal?.ASSIGNED_BY_ID ?? call.auth_user_id ?? 0);
    if (!userId) return false;
    const title = typeof deal?.TITLE === 'string' && deal.TITLE ? deal.TITLE : `сделка ${document.id}`;
    const dealLink = dealRef(document.id, title);
    return notifyUser(client, userId, `QR-биллинг: ${dealLink} — ${err.message}`, `qrbill:${document.id}:${err.code}`);
  });
}

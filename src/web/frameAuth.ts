import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { getPortal } from '../storage/portals.js';
import type { FrameRequest } from './frameRequest.js';
import type { Portal } from '../storage/schema.js';

export interface FrameUser {
  memberId: string;
  userId: number;
  admin: boolean;
  name: string;
}

/**
 * Proves who opened the frame: the portal stored for `member_id` (its own REST endpoint, never the DOMAIN of the
 * request) is asked who owns AUTH_ID (`profile`, b24restdocs: api-reference/common/users/profile.md) and whether
 * that user reaches the CRM (an empty `crm.deal.list` that fails with ACCESS_DENIED without CRM rights; admins
 * skip it). One or two requests of the portal's budget per opening.
 */
/** The user, and the portal's row as read for the check (the session's context is built from it). */
export async function verifyFrameUser(deps: AppDeps, frame: FrameRequest): Promise<{ user: FrameUser; portal: Portal }> {
  const portal = await getPortal(deps.database.db, frame.memberId);
  if (!portal || portal.status === 'uninstalled') throw refused('portal not installed here');
  const me = (await askPortal(deps, frame, 'profile', {})) as { ID?: unknown; ADMIN?: unknown; NAME?: unknown; LAST_NAME?: unknown } | undefined;
  const userId = Number(me?.ID);
  if (!me || !Number.isInteger(userId) || userId <= 0) throw refused('profile did not name a user');
  const admin = me.ADMIN === true || me.ADMIN === 'Y' || me.ADMIN === 1 || me.ADMIN === '1';
  if (!admin) {
    // Without CRM rights the portal refuses any deal read with ACCESS_DENIED; an admin always has them.
    const probe = await deps.bitrix.callAsUser(frame.memberId, frame.authId, 'crm.deal.list', { select: ['ID'], filter: { '<ID': 0 } }).catch(() => undefined);
    if (probe?.kind === 'error' && /ACCESS_DENIED|insufficient_scope/i.test(probe.code)) {
      throw new AppError('FRAME_NO_CRM_ACCESS', 'Нет доступа к CRM: страницы биллинга видны сотрудникам с доступом к сделкам.');
    }
  }
  const name = [me.NAME, me.LAST_NAME].filter((x) => typeof x === 'string' && x !== '').join(' ');
  return { user: { memberId: frame.memberId, userId, admin, name }, portal };
}

/** One call with the frame's token; the portal's refusal means the token is not its own. */
async function askPortal(deps: AppDeps, frame: FrameRequest, method: string, params: Record<string, unknown>): Promise<unknown> {
  let outcome;
  try {
    outcome = await deps.bitrix.callAsUser(frame.memberId, frame.authId, method, params);
  } catch (err) {
    throw new AppError('FRAME_PORTAL_UNAVAILABLE', 'Портал недоступен или требует переустановки приложения.', { cause: err });
  }
  if (outcome.kind === 'no-response' || (outcome.kind === 'error' && outcome.status >= 500)) {
    throw new AppError('FRAME_PORTAL_UNAVAILABLE', 'Битрикс24 не ответил; откройте приложение ещё раз.', { retryable: true });
  }
  if (outcome.kind === 'error') throw refused(`portal refused the token: ${outcome.code}`);
  return outcome.body.result;
}

function refused(why: string): AppError {
  // One message whatever the reason: an outsider learns nothing about which portals or tokens exist.
  return new AppError('FRAME_FORBIDDEN', 'Доступ запрещён: откройте приложение из своего Битрикс24.', { details: { why } });
}

import type { AppDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { ACT_STATES, getDocument, setDocumentState, type ActState, type StoredAct } from '../../storage/documents.js';

export { ACT_STATES, type ActState };

const rank = (s: ActState) => ACT_STATES.indexOf(s);

/** Whether moving an act from `from` to `to` is progress; a late «sent» must not undo «signed original received». */
export function isActStateAdvance(from: ActState, to: ActState): boolean {
  return rank(to) > rank(from);
}

export type ActStateDeps = Pick<AppDeps, 'database' | 'clock'>;

/**
 * Moves an act forward to `to` (never back) and returns it as stored. Throws AppError ACT_NOT_FOUND
 * when the id is not an act of this portal.
 */
export async function advanceActState(deps: ActStateDeps, memberId: string, actId: number, to: ActState): Promise<StoredAct> {
  const { db } = deps.database;
  const doc = await getDocument(db, memberId, actId);
  if (!doc || doc.kind !== 'act') {
    throw new AppError('ACT_NOT_FOUND', `Акт с ID ${actId} не найден.`, { details: { actId } });
  }
  if (!isActStateAdvance(doc.state, to)) return doc;
  const now = deps.clock.now();
  await setDocumentState(db, memberId, actId, to, now);
  return { ...doc, state: to, updated_at: now.toISOString() };
}

/** The client returned the signed original of the act (robot option or the app page). */
export function markActSigned(deps: ActStateDeps, memberId: string, actId: number): Promise<StoredAct> {
  return advanceActState(deps, memberId, actId, 'signed_original_received');
}

/** The act was e-mailed to the client. */
export function markActSent(deps: ActStateDeps, memberId: string, actId: number): Promise<StoredAct> {
  return advanceActState(deps, memberId, actId, 'sent');
}

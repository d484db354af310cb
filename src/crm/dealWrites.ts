import type { BitrixClient } from '../bitrix/client.js';
import { BitrixError } from '../bitrix/errors.js';
import { AppError } from '../errors.js';
import type { BatchCommands } from '../bitrix/batch.js';

export interface DealComment {
  text: string;
  /** Text only this comment contains (a document link), to recognise it in the timeline. */
  marker: string;
  /**
   * An earlier attempt of the same robot call may already have added it (its answer was lost, or the
   * process died before journaling it): look in the deal's timeline before adding it again.
   */
  lookFirst: boolean;
}

/** Whether one of the deal's latest comments carries the marker. */
async function hasComment(client: BitrixClient, dealId: number, marker: string): Promise<boolean> {
  const rows = await client.call('crm.timeline.comment.list', {
    filter: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal' },
    select: ['ID', 'COMMENT'],
    order: { ID: 'DESC' },
  });
  return Array.isArray(rows) && rows.some((r) => String((r as { COMMENT?: unknown }).COMMENT ?? '').includes(marker));
}

/**
 * Writes a robot's results where people look for them: deal user fields and a timeline comment,
 * in one batch request. Not idempotent (a comment is added each time), so robots journal it; a retry
 * of a write whose outcome is unknown passes `lookFirst` and adds no second comment.
 */
export async function writeDealResults(
  client: BitrixClient,
  dealId: number,
  fields: Record<string, string | number>,
  dealComment: DealComment | undefined,
): Promise<{ commentId: number | null }> {
  const comment = dealComment && !(dealComment.lookFirst && (await hasComment(client, dealId, dealComment.marker)))
    ? dealComment.text
    : undefined;
  const cmds: BatchCommands = {};
  if (Object.keys(fields).length) {
    // No history/feed noise for machine-written fields; no stage change, so no automation loop.
    cmds.update = { method: 'crm.deal.update', params: { id: dealId, fields, params: { REGISTER_SONET_EVENT: 'N' } } };
  }
  if (comment) {
    cmds.comment = {
      method: 'crm.timeline.comment.add',
      params: { fields: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal', COMMENT: comment } },
    };
  }
  if (!Object.keys(cmds).length) return { commentId: null };
  let res;
  try {
    res = await client.batch(cmds);
  } catch (err) {
    // A 5xx or timeout: the portal may or may not have written. Not a reason to fail an issued
    // invoice — the next attempt writes the fields again (harmless) and looks for the comment first.
    if (err instanceof BitrixError && err.ambiguous) {
      throw new AppError('DEAL_WRITE_UNCERTAIN', `Битрикс24 не подтвердил запись результата в сделку ${dealId}: ${err.message}`, {
        cause: err,
        retryable: true,
      });
    }
    throw err;
  }
  const failed = Object.entries(res.errors);
  if (failed.length) {
    throw new AppError(
      'DEAL_WRITE_FAILED',
      `Не удалось записать результат в сделку ${dealId}: ${failed.map(([k, e]) => `${k}: ${e.error_description || e.error}`).join('; ')}`,
      { retryable: true },
    );
  }
  return { commentId: res.result.comment !== undefined ? Number(res.result.comment) : null };
}

/** A system notification to a portal user (bell icon). Best effort: a failed notice must not fail the robot. */
export async function notifyUser(client: BitrixClient, userId: number, message: string, tag: string): Promise<boolean> {
  try {
    await client.call('im.notify.system.add', { USER_ID: userId, MESSAGE: message, TAG: tag });
    return true;
  } catch {
    return false;
  }
}

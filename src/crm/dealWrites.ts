import type { BitrixClient } from '../bitrix/client.js';
import { AppError } from '../errors.js';
import type { BatchCommands } from '../bitrix/batch.js';

/**
 * Writes a robot's results where people look for them: deal user fields and a timeline comment,
 * in one batch request. Not idempotent (a comment is added each time), so robots journal it.
 */
export async function writeDealResults(
  client: BitrixClient,
  dealId: number,
  fields: Record<string, string | number>,
  comment: string | undefined,
): Promise<{ commentId: number | null }> {
  const cmds: BatchCommands = {
    update: {
      method: 'crm.deal.update',
      // No history/feed noise for machine-written fields; no stage change, so no automation loop.
      params: { id: dealId, fields, params: { REGISTER_SONET_EVENT: 'N' } },
    },
  };
  if (comment) {
    cmds.comment = {
      method: 'crm.timeline.comment.add',
      params: { fields: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal', COMMENT: comment } },
    };
  }
  const res = await client.batch(cmds);
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

import type { RobotRunContext } from '../framework/types.js';
import type { StoredDocument } from '../../storage/documents.js';
import { writeDealResults } from '../../crm/dealWrites.js';

/**
 * Writes an issued document's fields into the deal and, once per document, its timeline comment.
 * A repeated run for the same period returns the same document, so only the call that issued it
 * adds the comment (also on that call's retries, which look for it first: `marker` is the link it
 * carries). Journaled, so a retried job does not write twice.
 */
export function recordOnDeal(
  ctx: RobotRunContext,
  issued: { doc: StoredDocument; created: boolean },
  fields: Record<string, string | number>,
  comment: { text: string; marker: string },
) {
  const { doc, created } = issued;
  return ctx.effect('deal-results', () =>
    writeDealResults(
      ctx.bitrix,
      ctx.call.document.id,
      fields,
      doc.created_by === ctx.call.eventToken ? { ...comment, lookFirst: !created } : undefined,
    ),
  );
}

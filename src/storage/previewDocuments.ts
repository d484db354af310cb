import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { getDocument, latestDocumentForDeal, type StoredDocument } from './documents.js';

/**
 * A real invoice of the portal to preview letters with (the settings page): the latest one not cancelled, and the
 * latest act of the same deal, if any. One indexed lookup by (member_id, kind) ordered by id.
 */
export async function latestInvoiceForPreview(
  db: Kysely<Database>,
  memberId: string,
): Promise<{ invoice: StoredDocument; act: StoredDocument | undefined } | undefined> {
  const row = await db
    .selectFrom('documents')
    .select('id')
    .where('member_id', '=', memberId)
    .where('kind', '=', 'invoice')
    .where('state', '!=', 'cancelled')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const invoice = row ? await getDocument(db, memberId, row.id) : undefined;
  if (!invoice) return undefined;
  return { invoice, act: await latestDocumentForDeal(db, memberId, invoice.deal_id, 'act') };
}

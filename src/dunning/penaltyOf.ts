import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import type { StoredDocument } from '../storage/documents.js';
import type { PortalSettings } from '../settings/portalSettings.js';
import { invoicePayments } from '../storage/payments.js';
import { parsePenaltySetting, penaltyAt, type Penalty } from '../overdue/penalty.js';

/** The penalty of an invoice through today (portal time), from the portal's setting and the payments received. */
export async function penaltyOfInvoice(db: Kysely<Database>, settings: PortalSettings, invoice: StoredDocument, now: Date, timeZone: string): Promise<Penalty | null> {
  const setting = parsePenaltySetting(settings.penalty);
  if (!setting || !invoice.due_date) return null;
  const payments = await invoicePayments(db, invoice.member_id, invoice.id);
  return penaltyAt({ totalKopecks: invoice.amount_kopecks, dueDate: invoice.due_date, payments }, setting, now, timeZone);
}

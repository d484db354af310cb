import type { Kysely } from 'kysely';
import type { Database, PaymentWaitsTable } from './schema.js';

export type PaymentWait = PaymentWaitsTable;

/** Parks a wait_for_payment call; a repeated run of the same call keeps the first wait. */
export async function parkPaymentWait(db: Kysely<Database>, w: Omit<PaymentWait, 'resolved_at'>): Promise<void> {
  await db
    .insertInto('payment_waits')
    .values({ ...w, resolved_at: null })
    .onConflict((oc) => oc.column('robot_call_id').doNothing())
    .execute();
}

/** Unresolved waits on these invoices (any number of them: a statement can pay 100 000). */
export async function openWaitsOn(db: Kysely<Database>, memberId: string, invoiceIds: number[]): Promise<PaymentWait[]> {
  const waits: PaymentWait[] = [];
  // A few hundred ids per query: SQLite refuses a statement with more than 32 766 bound values.
  for (let i = 0; i < invoiceIds.length; i += 500) {
    const chunk = invoiceIds.slice(i, i + 500);
    waits.push(...(await db.selectFrom('payment_waits').selectAll().where('member_id', '=', memberId).where('invoice_id', 'in', chunk).where('resolved_at', 'is', null).execute()));
  }
  return waits;
}

/** Unresolved until_due waits whose deadline has passed, oldest first. */
export async function overdueWaits(db: Kysely<Database>, now: Date, limit: number): Promise<PaymentWait[]> {
  return db
    .selectFrom('payment_waits')
    .selectAll()
    .where('resolved_at', 'is', null)
    .where('deadline_at', '<=', now.toISOString())
    .orderBy('deadline_at')
    .limit(limit)
    .execute();
}

/**
 * Claims the resolution of a wait: true for exactly one caller however many race (instances, a payment and the
 * deadline sweep at once). Run it in the transaction that stores the answer.
 */
export async function claimWaitResolution(db: Kysely<Database>, robotCallId: number, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('payment_waits')
    .set({ resolved_at: now.toISOString() })
    .where('robot_call_id', '=', robotCallId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

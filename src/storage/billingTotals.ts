import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface MonthTotals {
  /** Invoices dated in the month (cancelled ones excluded). */
  issuedKopecks: number;
  issuedCount: number;
  /** Money allocated to invoices from payments that arrived in the month. */
  paidKopecks: number;
  /** What is still owed on invoices whose due date passed before `today`. */
  overdueKopecks: number;
  overdueCount: number;
}

/**
 * The dashboard's headline figures for one month of the portal's calendar (`from`/`to` are YYYY-MM-DD,
 * inclusive) and `today` for what counts as overdue. Three indexed aggregate queries.
 */
export async function monthTotals(db: Kysely<Database>, memberId: string, from: string, to: string, today: string): Promise<MonthTotals> {
  const issued = await db
    .selectFrom('documents')
    .select([sql<number>`coalesce(sum(amount_kopecks), 0)`.as('sum'), sql<number>`count(*)`.as('n')])
    .where('member_id', '=', memberId)
    .where('kind', '=', 'invoice')
    .where('state', '!=', 'cancelled')
    .where('doc_date', '>=', from)
    .where('doc_date', '<=', to)
    .executeTakeFirstOrThrow();
  const paid = await db
    .selectFrom('payment_allocations as a')
    .innerJoin('payments as p', 'p.id', 'a.payment_id')
    .select(sql<number>`coalesce(sum(a.amount_kopecks), 0)`.as('sum'))
    .where('a.member_id', '=', memberId)
    .where('p.pay_date', '>=', from)
    .where('p.pay_date', '<=', to)
    .executeTakeFirstOrThrow();
  const overdue = await db
    .selectFrom('documents as d')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('payment_allocations')
          .select(['invoice_id', sql<number>`sum(amount_kopecks)`.as('paid')])
          .where('member_id', '=', memberId)
          .groupBy('invoice_id')
          .as('a'),
      (join) => join.onRef('a.invoice_id', '=', 'd.id'),
    )
    .select([sql<number>`coalesce(sum(d.amount_kopecks - coalesce(a.paid, 0)), 0)`.as('sum'), sql<number>`count(*)`.as('n')])
    .where('d.member_id', '=', memberId)
    .where('d.kind', '=', 'invoice')
    .where('d.state', 'in', ['issued', 'partially_paid'])
    .where('d.due_date', '<', today)
    .executeTakeFirstOrThrow();
  return {
    issuedKopecks: Number(issued.sum),
    issuedCount: Number(issued.n),
    paidKopecks: Number(paid.sum),
    overdueKopecks: Number(overdue.sum),
    overdueCount: Number(overdue.n),
  };
}

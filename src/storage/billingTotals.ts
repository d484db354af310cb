import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface MonthTotals {
  /** Invoices dated in the month (cancelled ones excluded). */
  issuedKopecks: number;
  issuedCount: number;
  /** Money allocated to invoices from payments that arrived in the month. */
  paidKopecks: number;
  /** Payments of the month that paid (part of) an invoice. */
  paidCount: number;
  /** What is still owed on invoices whose due date passed before `today` (whatever month they were issued in). */
  overdueKopecks: number;
  overdueCount: number;
}

/**
 * The dashboard's headline figures for one month of the portal's calendar (`from`/`to` are YYYY-MM-DD,
 * inclusive) and `today` for what counts as overdue. Three aggregate queries on indexed ranges.
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
    .select([sql<number>`coalesce(sum(a.amount_kopecks), 0)`.as('sum'), sql<number>`count(distinct a.payment_id)`.as('n')])
    .where('p.member_id', '=', memberId)
    .where('p.pay_date', '>=', from)
    .where('p.pay_date', '<=', to)
    .executeTakeFirstOrThrow();
  const overdue = await db
    .selectFrom('documents as d')
    .select([sql<number>`coalesce(sum(d.amount_kopecks - coalesce(${paidOfInvoiceD}, 0)), 0)`.as('sum'), sql<number>`count(*)`.as('n')])
    .where('d.member_id', '=', memberId)
    .where('d.kind', '=', 'invoice')
    .where('d.state', 'in', ['issued', 'partially_paid'])
    .where('d.due_date', '<', today)
    .executeTakeFirstOrThrow();
  return {
    issuedKopecks: Number(issued.sum),
    issuedCount: Number(issued.n),
    paidKopecks: Number(paid.sum),
    paidCount: Number(paid.n),
    overdueKopecks: Number(overdue.sum),
    overdueCount: Number(overdue.n),
  };
}

/**
 * What the invoice `d` has received so far, as a correlated subquery on the allocations' invoice index. Only the
 * few open invoices are looked up this way; a join on all the portal's allocations grouped by invoice made
 * PostgreSQL (without fresh statistics) re-aggregate them for every invoice: seconds at 10,000 invoices.
 */
export const paidOfInvoiceD = sql<number | null>`(select sum(pa.amount_kopecks) from payment_allocations pa where pa.invoice_id = d.id)`;

export interface MonthFlow {
  /** YYYY-MM */
  month: string;
  /** Invoices dated in the month (cancelled excluded). */
  billedKopecks: number;
  /** Money that arrived in the month and went to invoices. */
  collectedKopecks: number;
}

/**
 * Billed against collected per calendar month, for the months `months` (YYYY-MM, in order; a month without
 * invoices or payments reads 0). Dates are stored as YYYY-MM-DD text in the portal's calendar, so the month is
 * the first seven characters on both databases; two grouped queries over the whole range.
 */
export async function monthlyFlow(db: Kysely<Database>, memberId: string, months: readonly string[]): Promise<MonthFlow[]> {
  if (!months.length) return [];
  const from = `${months[0]}-01`;
  const to = `${months[months.length - 1]}-31`;
  const billed = await db
    .selectFrom('documents')
    .select([sql<string>`substr(doc_date, 1, 7)`.as('month'), sql<number>`sum(amount_kopecks)`.as('sum')])
    .where('member_id', '=', memberId)
    .where('kind', '=', 'invoice')
    .where('state', '!=', 'cancelled')
    .where('doc_date', '>=', from)
    .where('doc_date', '<=', to)
    .groupBy(sql`substr(doc_date, 1, 7)`)
    .execute();
  const collected = await db
    .selectFrom('payment_allocations as a')
    .innerJoin('payments as p', 'p.id', 'a.payment_id')
    .select([sql<string>`substr(p.pay_date, 1, 7)`.as('month'), sql<number>`sum(a.amount_kopecks)`.as('sum')])
    .where('p.member_id', '=', memberId)
    .where('p.pay_date', '>=', from)
    .where('p.pay_date', '<=', to)
    .groupBy(sql`substr(p.pay_date, 1, 7)`)
    .execute();
  const b = new Map(billed.map((r) => [r.month, Number(r.sum)]));
  const c = new Map(collected.map((r) => [r.month, Number(r.sum)]));
  return months.map((month) => ({ month, billedKopecks: b.get(month) ?? 0, collectedKopecks: c.get(month) ?? 0 }));
}

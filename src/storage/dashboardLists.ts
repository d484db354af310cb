import type { Kysely } from 'kysely';
import type { Database, LeasePeriodRow } from './schema.js';
import type { DocumentModel } from '../documents/model.js';
import { paidOfInvoiceD } from './billingTotals.js';

/** An unpaid invoice past its due date, as the overdue list shows it. */
export interface OverdueInvoice {
  id: number;
  number: string;
  /** YYYY-MM-DD */
  date: string;
  dueDate: string;
  dealId: number;
  client: string;
  totalKopecks: number;
  paidKopecks: number;
}

/**
 * The portal's invoices still (partly) unpaid whose due date is before `today`, longest overdue first, at most
 * `limit` of them. Only the rows shown have their snapshot read (for the client's name), so the page costs the
 * same with ten overdue invoices or ten thousand.
 */
export async function overdueInvoices(db: Kysely<Database>, memberId: string, today: string, limit: number): Promise<OverdueInvoice[]> {
  const rows = await db
    .selectFrom('documents as d')
    .select(['d.id', 'd.number', 'd.doc_date', 'd.due_date', 'd.deal_id', 'd.amount_kopecks', 'd.snapshot_json', paidOfInvoiceD.as('paid')])
    .where('d.member_id', '=', memberId)
    .where('d.kind', '=', 'invoice')
    .where('d.state', 'in', ['issued', 'partially_paid'])
    .where('d.due_date', '<', today)
    .orderBy('d.due_date')
    .orderBy('d.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    date: r.doc_date,
    dueDate: r.due_date!,
    dealId: r.deal_id,
    client: (JSON.parse(r.snapshot_json) as DocumentModel).buyer.name,
    totalKopecks: r.amount_kopecks,
    paidKopecks: Number(r.paid ?? 0),
  }));
}

/** The payments each of these invoices received, by the day the money arrived (for the penalty), in one query. */
export async function paymentsOfInvoices(
  db: Kysely<Database>,
  memberId: string,
  invoiceIds: readonly number[],
): Promise<Map<number, Array<{ date: string; amountKopecks: number }>>> {
  const out = new Map<number, Array<{ date: string; amountKopecks: number }>>();
  if (!invoiceIds.length) return out;
  const rows = await db
    .selectFrom('payment_allocations as a')
    .innerJoin('payments as p', 'p.id', 'a.payment_id')
    .select(['a.invoice_id', 'p.pay_date', 'a.amount_kopecks'])
    .where('a.member_id', '=', memberId)
    .where('a.invoice_id', 'in', [...invoiceIds])
    .orderBy('p.pay_date')
    .execute();
  for (const r of rows) {
    const list = out.get(r.invoice_id) ?? [];
    list.push({ date: r.pay_date, amountKopecks: r.amount_kopecks });
    out.set(r.invoice_id, list);
  }
  return out;
}

/** Periods of these schedules already claimed, created or failed whose control date falls in [from, to]. */
export async function periodsControlledBetween(db: Kysely<Database>, scheduleIds: readonly number[], from: string, to: string): Promise<LeasePeriodRow[]> {
  if (!scheduleIds.length) return [];
  return db
    .selectFrom('lease_periods')
    .selectAll()
    .where('schedule_id', 'in', [...scheduleIds])
    .where('control_date', '>=', from)
    .where('control_date', '<=', to)
    .execute();
}

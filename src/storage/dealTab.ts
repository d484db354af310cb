/**
 * What the deal tab reads: one deal's documents, the money allocated to its invoices, the overdue steps taken, and
 * the lease the deal belongs to. Every query is scoped by member_id, so a deal id of another portal finds nothing.
 */
import type { Kysely } from 'kysely';
import type { Database, LeasePeriodRow, OverdueStepRow } from './schema.js';
import type { DocumentModel } from '../documents/model.js';
import { scheduleOfContract, getSchedule, periodsOf, type LeaseSchedule } from './leases.js';
import { stepsOf } from './overdueSteps.js';

export interface DealDocument {
  id: number;
  kind: 'invoice' | 'act';
  docKind: 'invoice' | 'qr_invoice' | 'act';
  number: string;
  date: string;
  dueDate: string | null;
  periodFrom: string | null;
  periodTo: string | null;
  invoiceId: number | null;
  amountKopecks: number;
  state: string;
  linkVersion: number;
  /** Whether the PDF carries a payment QR (a QR-invoice issued while QR was on). */
  hasQr: boolean;
  /** The deal's responsible user when the document was issued (null for documents issued before it was kept). */
  responsibleId: number | null;
  updatedAt: string;
}

/** The deal's invoices and acts, newest first (a deal has a handful per year: no paging). */
export async function dealDocuments(db: Kysely<Database>, memberId: string, dealId: number): Promise<DealDocument[]> {
  const rows = await db
    .selectFrom('documents')
    .select(['id', 'kind', 'doc_kind', 'number', 'doc_date', 'due_date', 'period_from', 'period_to', 'invoice_id', 'amount_kopecks', 'state', 'link_version', 'snapshot_json', 'responsible_id', 'updated_at'])
    .where('member_id', '=', memberId)
    .where('deal_id', '=', dealId)
    .orderBy('doc_date', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => {
    const qr = r.doc_kind === 'qr_invoice' ? (JSON.parse(r.snapshot_json) as DocumentModel).qr : undefined;
    return {
      id: r.id,
      kind: r.kind,
      docKind: r.doc_kind,
      number: r.number,
      date: r.doc_date,
      dueDate: r.due_date,
      periodFrom: r.period_from,
      periodTo: r.period_to,
      invoiceId: r.invoice_id,
      amountKopecks: r.amount_kopecks,
      state: r.state,
      linkVersion: r.link_version,
      hasQr: !!qr && qr.mode !== 'none',
      responsibleId: r.responsible_id,
      updatedAt: r.updated_at,
    };
  });
}

export interface DealAllocation {
  paymentId: number;
  invoiceId: number;
  payDate: string;
  number: string;
  payerName: string;
  /** The part of the payment that went to this invoice. */
  amountKopecks: number;
  paymentKopecks: number;
  matchedBy: 'auto' | 'manual' | null;
}

/** The payments allocated to these invoices, newest first. */
export async function allocationsTo(db: Kysely<Database>, memberId: string, invoiceIds: number[]): Promise<DealAllocation[]> {
  if (!invoiceIds.length) return [];
  const rows = await db
    .selectFrom('payment_allocations as a')
    .innerJoin('payments as p', 'p.id', 'a.payment_id')
    .select(['a.payment_id', 'a.invoice_id', 'a.amount_kopecks', 'p.pay_date', 'p.number', 'p.payer_name', 'p.amount_kopecks as payment_kopecks', 'p.matched_by'])
    .where('a.member_id', '=', memberId)
    .where('p.member_id', '=', memberId)
    .where('a.invoice_id', 'in', invoiceIds)
    .orderBy('p.pay_date', 'desc')
    .orderBy('a.payment_id', 'desc')
    .execute();
  return rows.map((r) => ({
    paymentId: r.payment_id,
    invoiceId: r.invoice_id,
    payDate: r.pay_date,
    number: r.number,
    payerName: r.payer_name,
    amountKopecks: Number(r.amount_kopecks),
    paymentKopecks: Number(r.payment_kopecks),
    matchedBy: r.matched_by,
  }));
}

export function overdueStepsOf(db: Kysely<Database>, memberId: string, invoiceIds: number[]): Promise<OverdueStepRow[]> {
  return stepsOf(db, memberId, invoiceIds);
}

export type DealLease =
  | { role: 'contract'; schedule: LeaseSchedule; periods: LeasePeriodRow[] }
  | { role: 'period'; schedule: LeaseSchedule; period: LeasePeriodRow };

/** The lease the deal belongs to: the schedule of a contract deal, or the schedule that created this period's deal. */
export async function leaseOfDeal(db: Kysely<Database>, memberId: string, dealId: number): Promise<DealLease | undefined> {
  const schedule = await scheduleOfContract(db, memberId, dealId);
  if (schedule) return { role: 'contract', schedule, periods: await periodsOf(db, [schedule.id]) };
  const period = await db
    .selectFrom('lease_periods as p')
    .innerJoin('lease_schedules as s', 's.id', 'p.schedule_id')
    .selectAll('p')
    .where('s.member_id', '=', memberId)
    .where('p.deal_id', '=', dealId)
    .orderBy('p.period_from', 'desc')
    .executeTakeFirst();
  if (!period) return undefined;
  const owner = await getSchedule(db, memberId, period.schedule_id);
  return owner ? { role: 'period', schedule: owner, period } : undefined;
}

/**
 * Marks an act's signed original as received, atomically: true only for the request that moved it (a double click
 * or two people at once get false), so what follows the change — the timeline comment — happens once.
 * Never moves an act back: the states before it are issued and sent.
 */
export async function markSignedOriginalOnce(db: Kysely<Database>, memberId: string, actId: number, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('documents')
    .set({ state: 'signed_original_received', updated_at: now.toISOString() })
    .where('member_id', '=', memberId)
    .where('id', '=', actId)
    .where('kind', '=', 'act')
    .where('state', 'in', ['issued', 'sent'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

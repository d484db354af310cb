/**
 * The deal tab's view from what storage returned: pure, so what a manager sees about an invoice (overdue or not,
 * which ladder step, what is left to pay) is decided here and tested without a database.
 */
import { DateTime } from 'luxon';
import type { DealAllocation, DealDocument, DealLease } from '../../storage/dealTab.js';
import type { OverdueStepRow } from '../../storage/schema.js';
import type { LadderStep } from '../../overdue/ladder.js';
import type { LinkFile } from '../../documents/links.js';
import { planOverdueSteps } from '../../overdue/planner.js';
import { controlDate, nextPeriodAfter, periodCount } from '../../leases/periods.js';
import { termsOf } from '../../leasing/terms.js';
import { todayIn } from '../../invoicing/period.js';

export interface LadderView {
  /** The latest step recorded for the invoice (done, under way or skipped). */
  last: { action: string; status: OverdueStepRow['status']; at: string } | null;
  /** The step still ahead and when it fires. */
  next: { action: string; at: string } | null;
}

export interface InvoiceView {
  id: number;
  number: string;
  date: string;
  periodFrom: string | null;
  periodTo: string | null;
  dueDate: string | null;
  amountKopecks: number;
  paidKopecks: number;
  remainderKopecks: number;
  /** The stored state, or `overdue` for an open invoice past its due date (portal time). */
  shownState: string;
  daysOverdue: number;
  ladder: LadderView | null;
  links: Array<{ file: LinkFile; url: string }>;
  canResend: boolean;
}

export interface ActView {
  id: number;
  number: string;
  date: string;
  periodFrom: string | null;
  periodTo: string | null;
  amountKopecks: number;
  invoiceNumber: string | null;
  state: string;
  url: string;
  canMarkSigned: boolean;
  canResend: boolean;
}

export interface PaymentView {
  paymentId: number;
  payDate: string;
  number: string;
  payerName: string;
  amountKopecks: number;
  paymentKopecks: number;
  invoiceNumber: string;
  matchedBy: string | null;
}

export interface LeaseView {
  role: 'contract' | 'period';
  state: string;
  title: string;
  contractDealId: number;
  /** month, quarter, week… as the robot was set up. */
  period: string;
  done: number;
  failed: number;
  /** null: an open-ended lease. */
  total: number | null;
  next: { controlDate: string; from: string; to: string } | null;
  /** The period deals created so far, newest first (contract role). */
  deals: Array<{ dealId: number | null; from: string; to: string; status: string }>;
  /** This deal's period (period role). */
  own: { from: string; to: string } | null;
}

export interface DealTabInput {
  documents: DealDocument[];
  allocations: DealAllocation[];
  steps: OverdueStepRow[];
  lease: DealLease | undefined;
  ladder: readonly LadderStep[];
  pauseClientRemindersBelowKopecks: number;
  now: Date;
  zone: string;
  /** The signed public link of a document's file. */
  link(doc: DealDocument, file: LinkFile): string;
  /** Whether the user may mark acts signed and re-send documents. */
  canAct: boolean;
}

export interface DealTabView {
  invoices: InvoiceView[];
  acts: ActView[];
  payments: PaymentView[];
  lease: LeaseView | null;
  empty: boolean;
}

const OPEN = new Set(['issued', 'partially_paid']);

function ladderOf(doc: DealDocument, paid: number, steps: OverdueStepRow[], input: DealTabInput): { daysOverdue: number; ladder: LadderView | null } {
  if (!doc.dueDate || !OPEN.has(doc.state)) return { daysOverdue: 0, ladder: null };
  const mine = steps.filter((s) => s.invoice_id === doc.id).sort((a, b) => a.due_at.localeCompare(b.due_at));
  const plan = planOverdueSteps(
    {
      dueDate: doc.dueDate,
      totalKopecks: doc.amountKopecks,
      paidKopecks: paid,
      state: 'open',
      done: mine.map((s) => ({ key: s.step_key, at: new Date(s.created_at) })),
      issuedAt: DateTime.fromISO(doc.date, { zone: input.zone }).startOf('day').toJSDate(),
    },
    input.ladder,
    { now: input.now, timeZone: input.zone, pauseClientRemindersBelowKopecks: input.pauseClientRemindersBelowKopecks },
  );
  const last = mine.at(-1);
  // A step due now but not yet carried out (the ladder runs every few minutes) is still the next one.
  const next = plan.due[0] ?? plan.next;
  const ladder: LadderView = {
    last: last ? { action: last.step_key.split(':')[1] ?? last.step_key, status: last.status, at: last.updated_at } : null,
    next: next ? { action: next.step.action, at: next.at.toISOString() } : null,
  };
  return { daysOverdue: plan.daysOverdue, ladder: ladder.last || ladder.next ? ladder : null };
}

function leaseView(lease: DealLease, zone: string, now: Date): LeaseView {
  const s = lease.schedule;
  let total: number | null = null;
  let next: LeaseView['next'] = null;
  try {
    const terms = termsOf(s, zone);
    total = periodCount(terms);
    const n = s.state === 'active' ? nextPeriodAfter(terms, s.scheduled_on, todayIn(zone, now)) : null;
    next = n ? { controlDate: controlDate(n, terms), from: n.from, to: n.to } : null;
  } catch {
    // Terms the scheduler cannot read either: the schedule is shown without its next period.
  }
  const periods = lease.role === 'contract' ? lease.periods : [];
  return {
    role: lease.role,
    state: s.state,
    title: s.deal.title,
    contractDealId: s.contract_deal_id,
    period: s.properties.period || 'month',
    done: periods.filter((p) => p.status === 'created').length,
    failed: periods.filter((p) => p.status === 'failed').length,
    total,
    next,
    deals: [...periods]
      .sort((a, b) => b.period_from.localeCompare(a.period_from))
      .map((p) => ({ dealId: p.deal_id, from: p.period_from, to: p.period_to, status: p.status })),
    own: lease.role === 'period' ? { from: lease.period.period_from, to: lease.period.period_to } : null,
  };
}

export function dealTabView(input: DealTabInput): DealTabView {
  const invoicesDocs = input.documents.filter((d) => d.kind === 'invoice');
  const numberOf = new Map(invoicesDocs.map((d) => [d.id, d.number]));
  const paidOf = new Map<number, number>();
  for (const a of input.allocations) paidOf.set(a.invoiceId, (paidOf.get(a.invoiceId) ?? 0) + a.amountKopecks);

  const invoices = invoicesDocs.map((d): InvoiceView => {
    const paid = paidOf.get(d.id) ?? 0;
    const { daysOverdue, ladder } = ladderOf(d, paid, input.steps, input);
    const files: LinkFile[] = d.hasQr ? ['qr_invoice', 'invoice'] : ['invoice'];
    return {
      id: d.id,
      number: d.number,
      date: d.date,
      periodFrom: d.periodFrom,
      periodTo: d.periodTo,
      dueDate: d.dueDate,
      amountKopecks: d.amountKopecks,
      paidKopecks: paid,
      remainderKopecks: Math.max(0, d.amountKopecks - paid),
      shownState: daysOverdue > 0 ? 'overdue' : d.state,
      daysOverdue,
      ladder,
      links: files.map((file) => ({ file, url: input.link(d, file) })),
      canResend: input.canAct && d.state !== 'cancelled',
    };
  });
  const acts = input.documents
    .filter((d) => d.kind === 'act')
    .map((d): ActView => ({
      id: d.id,
      number: d.number,
      date: d.date,
      periodFrom: d.periodFrom,
      periodTo: d.periodTo,
      amountKopecks: d.amountKopecks,
      invoiceNumber: d.invoiceId !== null ? (numberOf.get(d.invoiceId) ?? null) : null,
      state: d.state,
      url: input.link(d, 'act'),
      canMarkSigned: input.canAct && d.state !== 'signed_original_received',
      canResend: input.canAct,
    }));
  const payments = input.allocations.map((a): PaymentView => ({
    paymentId: a.paymentId,
    payDate: a.payDate,
    number: a.number,
    payerName: a.payerName,
    amountKopecks: a.amountKopecks,
    paymentKopecks: a.paymentKopecks,
    invoiceNumber: numberOf.get(a.invoiceId) ?? String(a.invoiceId),
    matchedBy: a.matchedBy,
  }));
  const lease = input.lease ? leaseView(input.lease, input.zone, input.now) : null;
  return { invoices, acts, payments, lease, empty: !input.documents.length && !lease };
}

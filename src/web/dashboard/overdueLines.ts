/**
 * The dashboard's overdue list from what storage gives: days overdue and the penalty through today (portal
 * calendar), and the ladder step the invoice has reached. Pure: the same functions the ladder and the reminder
 * letters use (daysOverdue, penaltyAt), so the page never disagrees with what the client was told.
 */
import type { OverdueStepRow } from '../../storage/schema.js';
import type { OverdueInvoice } from '../../storage/dashboardLists.js';
import { daysOverdue } from '../../overdue/planner.js';
import { penaltyAt, type DatedPayment, type PenaltySettings } from '../../overdue/penalty.js';
import { LADDER_ACTIONS, type LadderAction } from '../../overdue/ladder.js';

export interface OverdueLineView {
  invoiceId: number;
  number: string;
  date: string;
  dueDate: string;
  dealId: number;
  client: string;
  owedKopecks: number;
  daysOverdue: number;
  /** Null when the portal charges no penalty. */
  penaltyKopecks: number | null;
  /** The last ladder step carried out (or being carried out) for the invoice; null before the first. */
  step: { day: number; action: LadderAction } | null;
}

/** `7:client_overdue_reminder` → day 7, the action; null for a key this version does not know. */
export function parseStepKey(key: string): { day: number; action: LadderAction } | null {
  const m = /^(-?\d+):(\w+)$/.exec(key);
  if (!m || !(LADDER_ACTIONS as readonly string[]).includes(m[2]!)) return null;
  return { day: Number(m[1]), action: m[2] as LadderAction };
}

/** The step reached: the latest by its moment among those not skipped (a skipped reminder never reached anyone). */
export function stepReached(steps: readonly OverdueStepRow[]): { day: number; action: LadderAction } | null {
  const reached = steps.filter((s) => s.status !== 'skipped').sort((a, b) => b.due_at.localeCompare(a.due_at));
  for (const s of reached) {
    const parsed = parseStepKey(s.step_key);
    if (parsed) return parsed;
  }
  return null;
}

export function overdueLines(
  invoices: readonly OverdueInvoice[],
  payments: ReadonlyMap<number, readonly DatedPayment[]>,
  steps: readonly OverdueStepRow[],
  penalty: PenaltySettings | null,
  now: Date,
  timeZone: string,
): OverdueLineView[] {
  return invoices.map((i) => ({
    invoiceId: i.id,
    number: i.number,
    date: i.date,
    dueDate: i.dueDate,
    dealId: i.dealId,
    client: i.client,
    owedKopecks: i.totalKopecks - i.paidKopecks,
    daysOverdue: daysOverdue(i.dueDate, now, timeZone),
    penaltyKopecks: penalty ? penaltyAt({ totalKopecks: i.totalKopecks, dueDate: i.dueDate, payments: payments.get(i.id) ?? [] }, penalty, now, timeZone).kopecks : null,
    step: stepReached(steps.filter((s) => s.invoice_id === i.id)),
  }));
}

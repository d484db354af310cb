import { DateTime } from 'luxon';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import { getPortal } from '../storage/portals.js';
import { getPortalSettings } from '../settings/portalSettings.js';
import { getDocument } from '../storage/documents.js';
import { openInvoices } from '../storage/payments.js';
import { stepsOf } from '../storage/overdueSteps.js';
import { daysOverdue, planOverdueSteps } from '../overdue/planner.js';
import { ladderActionName } from '../overdue/ladder.js';
import { penaltyOfInvoice } from './penaltyOf.js';

/** One overdue invoice as `qrbill overdue` (and the app's pages) show it. */
export interface OverdueLine {
  invoiceId: number;
  number: string;
  dealId: number;
  client: string;
  dueDate: string;
  amountDueKopecks: number;
  daysOverdue: number;
  lastStep: { key: string; name: string; status: string; at: string } | null;
  nextStep: { key: string; name: string; at: string } | null;
  penaltyKopecks: number | null;
}

/** The portal's invoices past their due date (portal time) and still unpaid, most overdue first. */
export async function overdueReport(db: Kysely<Database>, memberId: string, now: Date): Promise<OverdueLine[]> {
  const portal = await getPortal(db, memberId);
  if (!portal) return [];
  const settings = await getPortalSettings(db, memberId);
  const invoices = (await openInvoices(db, memberId)).filter((i) => i.dueDate && daysOverdue(i.dueDate, now, portal.time_zone) > 0);
  const steps = await stepsOf(db, memberId, invoices.map((i) => i.id));
  const lines: OverdueLine[] = [];
  for (const i of invoices) {
    const mine = steps.filter((s) => s.invoice_id === i.id).sort((a, b) => a.due_at.localeCompare(b.due_at));
    const plan = planOverdueSteps(
      {
        dueDate: i.dueDate!,
        totalKopecks: i.totalKopecks,
        paidKopecks: i.paidKopecks,
        state: 'open',
        done: mine.map((s) => ({ key: s.step_key, at: new Date(s.created_at) })),
        issuedAt: DateTime.fromISO(i.date, { zone: portal.time_zone }).startOf('day').toJSDate(),
      },
      settings.escalation,
      { now, timeZone: portal.time_zone, pauseClientRemindersBelowKopecks: Math.round(settings.reminderPauseBelowRub * 100) },
    );
    const last = mine.at(-1);
    const doc = await getDocument(db, memberId, i.id);
    const penalty = doc ? await penaltyOfInvoice(db, settings, doc, now, portal.time_zone) : null;
    const next = plan.next ?? plan.due[0] ?? null;
    lines.push({
      invoiceId: i.id,
      number: i.number,
      dealId: i.dealId,
      client: i.buyerName,
      dueDate: i.dueDate!,
      amountDueKopecks: i.totalKopecks - i.paidKopecks,
      daysOverdue: plan.daysOverdue,
      lastStep: last ? { key: last.step_key, name: ladderActionName(last.step_key.split(':')[1] as never), status: last.status, at: last.updated_at } : null,
      nextStep: next ? { key: next.key, name: ladderActionName(next.step.action), at: next.at.toISOString() } : null,
      penaltyKopecks: penalty ? penalty.kopecks : null,
    });
  }
  return lines.sort((a, b) => b.daysOverdue - a.daysOverdue || a.number.localeCompare(b.number));
}

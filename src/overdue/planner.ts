/**
 * Which ladder steps an invoice owes right now. Pure: the caller brings the invoice, the steps already
 * recorded for it, the ladder and the instant; it then carries out `due` in order and records `skipped`
 * (both keyed by stepKey, exactly once per invoice), and sleeps until `next.at`.
 *
 * Rules (issue 10): nothing for a paid or cancelled invoice; a partial payment pauses the client's
 * reminders while the remainder is under the portal's threshold (internal notifications go on: the
 * money is still missing); after downtime each missed internal notification fires once, in ladder order;
 * a client reminder more than two days late is skipped — a client must not get three letters in a heap
 * after an outage. Days count in the portal's time zone and a step fires at its hour there, so a step at
 * 09:00 stays at 09:00 across a summer-time switch.
 */
import { DateTime } from 'luxon';
import { AppError } from '../errors.js';
import { addDays, todayIn } from '../invoicing/period.js';
import { isClientAction, stepKey, type LadderStep } from './ladder.js';

export type InvoiceState = 'open' | 'paid' | 'cancelled';

export interface DoneStep {
  /** stepKey of the step: `-3:client_reminder`. */
  key: string;
  at: Date;
}

export interface PlannedInvoice {
  /** YYYY-MM-DD: «Оплатить не позднее»; the due day itself is not overdue. */
  dueDate: string;
  totalKopecks: number;
  paidKopecks: number;
  state: InvoiceState;
  /** Steps already carried out or skipped (recorded by the caller), in any order. */
  done: readonly DoneStep[];
  /** When the invoice was issued: steps whose moment passed before it existed are skipped, not sent. */
  issuedAt?: Date;
}

export interface PlannerOptions {
  now: Date;
  timeZone: string;
  /**
   * After a partial payment, client reminders pause while the remainder is below this many kopecks
   * (a small remainder is usually a bank fee or a rounding, not a debt to chase by letter). 0: never pause.
   */
  pauseClientRemindersBelowKopecks?: number;
  /** How late a client reminder may still go out (default 2 days). */
  clientGraceDays?: number;
}

export type SkipReason = 'late' | 'before_issue';

export interface StepAt {
  step: LadderStep;
  key: string;
  /** The moment the step is scheduled for. */
  at: Date;
}

export interface Plan {
  /** Steps to carry out now, oldest first. */
  due: StepAt[];
  /** Steps to record as skipped now, never to be sent. */
  skipped: (StepAt & { reason: SkipReason })[];
  /** Client steps held back by the partial-payment pause; not recorded, they go out if the pause ends in time. */
  paused: StepAt[];
  /** The next step still ahead, with its moment; null when the ladder is over or the invoice closed. */
  next: StepAt | null;
  /** Calendar days past the due date today (0 on or before it). */
  daysOverdue: number;
  remainderKopecks: number;
}

export const DEFAULT_CLIENT_GRACE_DAYS = 2;

/** The instant of a step: its hour on (due date + day) in the portal's zone. */
export function stepInstant(dueDate: string, step: Pick<LadderStep, 'day' | 'hour'>, timeZone: string): Date {
  const [h, m] = step.hour.split(':').map(Number) as [number, number];
  const dt = DateTime.fromISO(addDays(dueDate, step.day), { zone: timeZone }).set({ hour: h, minute: m });
  if (!dt.isValid) {
    throw new AppError('INVALID_STEP_TIME', `Не удалось вычислить время шага ${step.day} ${step.hour} в поясе ${timeZone}`, {
      details: { dueDate, step, timeZone },
    });
  }
  return dt.toJSDate();
}

/** Calendar days from the due date to `now`'s day in the portal's zone; 0 on or before the due date. */
export function daysOverdue(dueDate: string, now: Date, timeZone: string): number {
  const today = todayIn(timeZone, now);
  const diff = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / 86_400_000);
  return Math.max(0, diff);
}

export function planOverdueSteps(invoice: PlannedInvoice, ladder: readonly LadderStep[], options: PlannerOptions): Plan {
  const { now, timeZone } = options;
  const remainderKopecks = Math.max(0, invoice.totalKopecks - invoice.paidKopecks);
  const plan: Plan = { due: [], skipped: [], paused: [], next: null, daysOverdue: 0, remainderKopecks };
  if (invoice.state !== 'open' || remainderKopecks === 0) return plan;
  plan.daysOverdue = daysOverdue(invoice.dueDate, now, timeZone);

  const threshold = options.pauseClientRemindersBelowKopecks ?? 0;
  const clientPaused = invoice.paidKopecks > 0 && remainderKopecks < threshold;
  const graceDays = options.clientGraceDays ?? DEFAULT_CLIENT_GRACE_DAYS;
  const done = new Set(invoice.done.map((d) => d.key));

  const steps = ladder
    .map((step, order) => ({ step, key: stepKey(step), at: stepInstant(invoice.dueDate, step, timeZone), order }))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order);

  for (const s of steps) {
    if (done.has(s.key)) continue;
    const item: StepAt = { step: s.step, key: s.key, at: s.at };
    const client = isClientAction(s.step.action);
    if (s.at.getTime() > now.getTime()) {
      if (!plan.next && !(client && clientPaused)) plan.next = item;
      continue;
    }
    if (invoice.issuedAt && s.at.getTime() < invoice.issuedAt.getTime()) {
      plan.skipped.push({ ...item, reason: 'before_issue' });
      continue;
    }
    if (client) {
      // «More than two days late» is measured on the portal's clock, so a summer-time switch cannot move it.
      const deadline = DateTime.fromJSDate(s.at, { zone: timeZone }).plus({ days: graceDays }).toJSDate();
      if (now.getTime() > deadline.getTime()) {
        plan.skipped.push({ ...item, reason: 'late' });
        continue;
      }
      if (clientPaused) {
        plan.paused.push(item);
        continue;
      }
    }
    plan.due.push(item);
  }
  return plan;
}

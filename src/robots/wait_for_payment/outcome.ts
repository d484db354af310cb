import { DateTime } from 'luxon';
import { addDays, todayIn } from '../../invoicing/period.js';
import { kopecksToDecimal } from '../../documents/money.js';
import type { RobotResult } from '../framework/types.js';

export interface WaitedInvoice {
  state: string;
  dueDate: string | null;
  paidKopecks: number;
  /** YYYY-MM-DD of the last payment counted. */
  lastPaidOn: string | null;
}

export interface WaitTerms {
  mode: 'until_paid' | 'until_due';
}

/**
 * When an until_due wait gives up: the start of the day after due date + grace days in the portal's time zone (the
 * due day itself, and each grace day, are still on time). Undefined when the invoice has no due date.
 */
export function waitDeadline(dueDate: string | null, graceDays: number, timeZone: string): Date | undefined {
  if (!dueDate) return undefined;
  const day = addDays(dueDate, graceDays + 1);
  return DateTime.fromISO(day, { zone: timeZone }).startOf('day').toJSDate();
}

/** Whole days past the due date on `now`'s calendar day in the portal's zone (0 on the due day and before). */
export function daysOverdue(dueDate: string | null, now: Date, timeZone: string): number {
  if (!dueDate) return 0;
  const today = todayIn(timeZone, now);
  const days = Math.round(DateTime.fromISO(today, { zone: 'UTC' }).diff(DateTime.fromISO(dueDate, { zone: 'UTC' }), 'days').days);
  return Math.max(0, days);
}

/**
 * What a wait_for_payment call answers now, or undefined while it keeps waiting: `paid` once the invoice is paid in
 * full, `cancelled` when it was cancelled, `overdue` (until_due only) once the deadline passed.
 */
export function waitOutcome(invoice: WaitedInvoice, terms: WaitTerms, deadline: Date | undefined, now: Date, timeZone: string): RobotResult | undefined {
  const values = (status: string): RobotResult => ({
    status,
    paid_at: invoice.lastPaidOn ?? '',
    paid_amount: Number(kopecksToDecimal(invoice.paidKopecks)),
    days_overdue: daysOverdue(invoice.dueDate, now, timeZone),
  });
  if (invoice.state === 'paid') return { ...values('paid'), days_overdue: invoice.lastPaidOn ? daysOverdue(invoice.dueDate, DateTime.fromISO(invoice.lastPaidOn, { zone: timeZone }).toJSDate(), timeZone) : 0 };
  if (invoice.state === 'cancelled') return values('cancelled');
  if (terms.mode === 'until_due' && deadline && now >= deadline) return values('overdue');
  return undefined;
}

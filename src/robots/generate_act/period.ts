import type { Period } from '../../invoicing/period.js';
import { calendarMonth } from '../../invoicing/period.js';

/** What an act's period and rows can come from; invoices as stored (`period_*` may be null). */
export interface InvoiceRef {
  id: number;
  state: string;
  period_from: string | null;
  period_to: string | null;
}

export type ActPeriodSource = 'explicit' | 'invoice' | 'deal' | 'previous_month';

/**
 * The calendar month before the current one in the portal's time zone: an act closes the elapsed
 * period, so on 1 December (Moscow) it is November, even though it is still 30 November in UTC.
 */
export function previousMonth(now: Date, timeZone: string): Period {
  return calendarMonth(now, timeZone, -1);
}

/** A cancelled invoice billed nothing: it gives neither the period nor the rows of an act. */
export const isBilled = (inv: InvoiceRef | undefined): inv is InvoiceRef => !!inv && inv.state !== 'cancelled';

const periodOf = (inv: InvoiceRef | undefined): Period | undefined =>
  isBilled(inv) && inv.period_from && inv.period_to ? { from: inv.period_from, to: inv.period_to } : undefined;

/**
 * The act's period, first that applies: the robot's dates; the invoice named by the robot; the deal's
 * last invoice; the deal's period fields; the previous calendar month.
 */
export function chooseActPeriod(input: {
  explicit: Period | undefined;
  requestedInvoice: InvoiceRef | undefined;
  lastInvoice: InvoiceRef | undefined;
  dealPeriod: Period | undefined;
  now: Date;
  timeZone: string;
}): { period: Period; source: ActPeriodSource } {
  if (input.explicit) return { period: input.explicit, source: 'explicit' };
  const fromInvoice = periodOf(input.requestedInvoice) ?? periodOf(input.lastInvoice);
  if (fromInvoice) return { period: fromInvoice, source: 'invoice' };
  if (input.dealPeriod) return { period: input.dealPeriod, source: 'deal' };
  return { period: previousMonth(input.now, input.timeZone), source: 'previous_month' };
}

/**
 * The invoice whose snapshot the act copies (so the act states exactly what was billed): the one named
 * by the robot, else the deal's last invoice when it is for the same period; otherwise none, and the
 * act is built from the deal's current rows.
 */
export function billedInvoiceFor<T extends InvoiceRef>(input: {
  requestedInvoice: T | undefined;
  lastInvoice: T | undefined;
  period: Period;
}): T | undefined {
  if (input.requestedInvoice) return input.requestedInvoice;
  const last = input.lastInvoice;
  if (isBilled(last) && last.period_from === input.period.from && last.period_to === input.period.to) return last;
  return undefined;
}

/**
 * The billing periods of a lease, as calendar days (`YYYY-MM-DD`, no time zone: the zone was applied when
 * the terms were read, and a period of 1–31 January is the same days in Moscow and in Berlin).
 *
 * Month-based periods sit on a grid of anchor dates: the anchor day in every N-th month, clamped to the
 * month's length, and always counted from the grid's origin, never from the previous (clamped) start — so
 * a lease anchored on the 31st starts its periods on 31 January, 28 (29) February and again on 31 March.
 * A period runs to the day before the next grid date. A lease that starts off the grid gets a first partial
 * period up to the first grid date; a lease end cuts the period containing it. Day-based periods (week,
 * days:N) are a grid of N days from the lease start.
 */
import { addDays } from '../invoicing/period.js';
import { daysInMonth } from '../documents/dates.js';
import type { LeaseTerms } from './terms.js';

export interface DateRange {
  /** YYYY-MM-DD, first day. */
  from: string;
  /** YYYY-MM-DD, last day, inclusive. */
  to: string;
}

export interface BillingPeriod extends DateRange {
  /** 0-based position in the lease (the partial first period, when there is one, is 0). */
  index: number;
  /** The whole grid period this one is part of; equal to from/to unless the period is partial. */
  full: DateRange;
  /** Shorter than its full period: the lease starts off the grid or ends inside it. */
  partial: boolean;
}

/** Inclusive count of days from `from` to `to` (1 for a single day). */
export function daysInRange(range: DateRange): number {
  return dayNumber(range.to) - dayNumber(range.from) + 1;
}

/** Days since 1970-01-01 of a calendar date (pure integer arithmetic, no zone). */
export function dayNumber(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

function monthOf(iso: string): number {
  const [y, m] = iso.split('-').map(Number) as [number, number];
  return y * 12 + (m - 1);
}

/** The anchor day of a month counted as year×12 + month−1, clamped to the month's last day. */
function anchorDate(month: number, anchorDay: number): string {
  const y = Math.floor(month / 12);
  const m = (month % 12) + 1;
  const d = Math.min(anchorDay, daysInMonth(y, m));
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The k-th grid date (k may be negative: the grid extends before its origin for a partial first period). */
function gridStart(terms: LeaseTerms, origin: string, k: number): string {
  const { length } = terms.period;
  if (length.unit === 'days') return addDays(origin, k * length.count);
  return anchorDate(monthOf(origin) + k * length.count, terms.anchorDay);
}

/** The first grid date on or after the lease start: the lease start for day-based periods. */
function gridOrigin(terms: LeaseTerms): string {
  if (terms.period.length.unit === 'days') return terms.start;
  const here = anchorDate(monthOf(terms.start), terms.anchorDay);
  return here >= terms.start ? here : anchorDate(monthOf(terms.start) + 1, terms.anchorDay);
}

/**
 * All periods of the lease, lazily and in order; endless for an open-ended lease, so take what you need.
 */
export function* leasePeriods(terms: LeaseTerms): Generator<BillingPeriod> {
  const origin = gridOrigin(terms);
  let index = 0;
  let k = origin > terms.start ? -1 : 0;
  for (;;) {
    const fullFrom = gridStart(terms, origin, k);
    const fullTo = addDays(gridStart(terms, origin, k + 1), -1);
    const from = fullFrom < terms.start ? terms.start : fullFrom;
    if (terms.end !== null && from > terms.end) return;
    const to = terms.end !== null && terms.end < fullTo ? terms.end : fullTo;
    yield { index, from, to, full: { from: fullFrom, to: fullTo }, partial: from !== fullFrom || to !== fullTo };
    index += 1;
    k += 1;
  }
}

/** Number of periods of a lease with an end; null when open-ended. */
export function periodCount(terms: LeaseTerms): number | null {
  if (terms.end === null) return null;
  let n = 0;
  for (const _ of leasePeriods(terms)) n += 1;
  return n;
}

/** The day the period's deal is due to be created: its start minus `bill_days_before`. */
export function controlDate(period: DateRange, terms: Pick<LeaseTerms, 'billDaysBefore'>): string {
  return addDays(period.from, -terms.billDaysBefore);
}

/**
 * The first period a schedule made on `scheduledOn` (the portal's calendar day) bills. Catch-up starts from
 * the period containing that day: periods that ended before the schedule existed belong to the past
 * (billed by hand, if at all) and are never created. Null when the lease ended before that day.
 */
export function firstPeriodToBill(terms: LeaseTerms, scheduledOn: string): BillingPeriod | null {
  for (const p of leasePeriods(terms)) {
    if (p.to >= scheduledOn) return p;
  }
  return null;
}

/**
 * The periods a schedule made on `scheduledOn` must have billed by `today`: from the first period to bill
 * up to the last whose control date has come, oldest first (after downtime, each missed period once).
 */
export function periodsDueBy(terms: LeaseTerms, scheduledOn: string, today: string): BillingPeriod[] {
  const out: BillingPeriod[] = [];
  for (const p of leasePeriods(terms)) {
    if (p.to < scheduledOn) continue;
    if (controlDate(p, terms) > today) break;
    out.push(p);
  }
  return out;
}

/** The first period billed on or after `scheduledOn` whose control date is after `today`: what comes next. */
export function nextPeriodAfter(terms: LeaseTerms, scheduledOn: string, today: string): BillingPeriod | null {
  for (const p of leasePeriods(terms)) {
    if (p.to < scheduledOn) continue;
    if (controlDate(p, terms) > today) return p;
  }
  return null;
}

export interface StoppedLease {
  terms: LeaseTerms;
  /** The lease's last period after the stop; null when the stop comes before the lease starts. */
  lastPeriod: BillingPeriod | null;
}

/**
 * `stop_lease_billing`: the period containing `stopAfter` becomes the last one. With pro-rata on, the lease
 * ends on that day and the period is billed by its days; with it off, a period is always billed whole, so
 * the lease runs to the end of that period. An earlier end already in the terms stays; a stop before the
 * lease start leaves no period at all.
 */
export function stopLease(terms: LeaseTerms, stopAfter: string): StoppedLease {
  // An end the day before the start: no period at all, and the terms still say when billing stopped.
  if (stopAfter < terms.start) return { terms: { ...terms, end: addDays(terms.start, -1) }, lastPeriod: null };
  if (terms.end !== null && terms.end <= stopAfter) {
    let last: BillingPeriod | null = null;
    for (const p of leasePeriods(terms)) last = p;
    return { terms, lastPeriod: last };
  }
  let containing: BillingPeriod | undefined;
  for (const p of leasePeriods(terms)) {
    if (p.to >= stopAfter) {
      containing = p;
      break;
    }
  }
  // The loop ends: the lease either ends after stopAfter (then its last period contains it) or never.
  const stopped = { ...terms, end: terms.prorate ? stopAfter : containing!.to };
  let last: BillingPeriod | null = null;
  for (const p of leasePeriods(stopped)) last = p;
  return { terms: stopped, lastPeriod: last };
}

/**
 * The lease control dates coming up: for each active schedule, the periods whose deal is due to be created in
 * the window, with the amount it will bill. From the same period math and preview the scheduler uses, so the
 * dashboard shows what will really happen.
 */
import type { LeaseSchedule } from '../../storage/leases.js';
import type { LeasePeriodRow } from '../../storage/schema.js';
import { controlDate, leasePeriods, type BillingPeriod } from '../../leases/periods.js';
import { previewPeriod } from '../../leases/preview.js';
import { termsOf } from '../../leasing/terms.js';
import type { LeaseTerms } from '../../leases/terms.js';
import { addDays } from '../../invoicing/period.js';

/**
 * A schedule's periods from its first billed one up to a horizon, with their control dates. Reading the terms and
 * walking the period grid costs about 0.6 ms a schedule (zod, calendar arithmetic): 120 ms a view at 200 leases.
 * They change only when the schedule does (`updated_at`) or the horizon is passed, so each process keeps them.
 */
interface Calendar {
  key: string;
  /** Periods are known up to this control date (inclusive). */
  horizon: string;
  terms: LeaseTerms;
  periods: Array<{ period: BillingPeriod; control: string }>;
}
const calendars = new Map<number, Calendar>();
const CALENDAR_CACHE_LIMIT = 20_000;
/** How far past the window a calendar is worked out, so a new day rarely means working it out again. */
const HORIZON_DAYS = 400;

function calendarOf(s: LeaseSchedule, timeZone: string, until: string): Calendar | null {
  const key = `${s.updated_at}|${s.stop_after ?? ''}|${s.scheduled_on}|${timeZone}`;
  const cached = calendars.get(s.id);
  if (cached && cached.key === key && cached.horizon >= until) return cached;
  let terms: LeaseTerms;
  try {
    terms = termsOf(s, timeZone);
  } catch {
    return null;
  }
  const horizon = addDays(until, HORIZON_DAYS);
  const periods: Calendar['periods'] = [];
  for (const period of leasePeriods(terms)) {
    if (period.to < s.scheduled_on) continue;
    const control = controlDate(period, terms);
    if (control > horizon) break;
    periods.push({ period, control });
  }
  if (calendars.size >= CALENDAR_CACHE_LIMIT) calendars.clear();
  const calendar = { key, horizon, terms, periods };
  calendars.set(s.id, calendar);
  return calendar;
}

/** Works out the calendars of these schedules ahead of a view, a few at a time so requests are served meanwhile. */
export async function warmLeaseCalendars(schedules: readonly LeaseSchedule[], timeZone: string, until: string): Promise<void> {
  for (let i = 0; i < schedules.length; i++) {
    const s = schedules[i]!;
    if (s.state === 'active') calendarOf(s, timeZone, until);
    if (i % 20 === 19) await new Promise((r) => setImmediate(r));
  }
}

export interface LeaseDateView {
  scheduleId: number;
  contractDealId: number;
  title: string;
  /** YYYY-MM-DD: the day the period's deal is created. */
  controlDate: string;
  from: string;
  to: string;
  /** «январь 2027», «15.01.2027–31.01.2027»: how the deal names the period. */
  text: string;
  partial: boolean;
  amountKopecks: number;
  /** What already happened to the period: still ahead, being created, or its creation failed (retrying). */
  status: 'planned' | 'claimed' | 'failed';
}

/**
 * Periods with a control date in [today, until], soonest first, and earlier ones whose deal is claimed but not
 * created yet (`known` holds the recorded periods from some days back). Periods already created are left out, and
 * so is a period that ended before the schedule was made (never billed). A schedule whose terms no longer parse
 * is skipped (the scheduler reports it).
 */
export function upcomingLeaseDates(
  schedules: readonly LeaseSchedule[],
  known: readonly LeasePeriodRow[],
  timeZone: string,
  today: string,
  until: string,
): LeaseDateView[] {
  const out: LeaseDateView[] = [];
  const recorded = new Map(known.map((k) => [`${k.schedule_id}|${k.period_from}`, k]));
  for (const s of schedules) {
    if (s.state !== 'active') continue;
    const calendar = calendarOf(s, timeZone, until);
    if (!calendar) continue;
    const rows = s.rows.map((r) => ({ name: r.name, amountKopecks: Math.round(r.priceKopecks * r.quantity) }));
    for (const { period: p, control: date } of calendar.periods) {
      if (date > until) break;
      const row = recorded.get(`${s.id}|${p.from}`);
      // Before today only a period still not created is worth a line (its deal is being made or keeps failing).
      if (date < today && !row) continue;
      if (row?.status === 'created') continue;
      const preview = previewPeriod(calendar.terms, p, rows);
      out.push({
        scheduleId: s.id,
        contractDealId: s.contract_deal_id,
        title: s.deal.title,
        controlDate: date,
        from: p.from,
        to: p.to,
        text: preview.text,
        partial: p.partial,
        amountKopecks: preview.totalKopecks,
        status: row ? (row.status === 'failed' ? 'failed' : 'claimed') : 'planned',
      });
    }
  }
  return out.sort((a, b) => a.controlDate.localeCompare(b.controlDate) || a.title.localeCompare(b.title, 'ru'));
}

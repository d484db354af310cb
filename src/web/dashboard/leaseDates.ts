/**
 * The lease control dates coming up: for each active schedule, the periods whose deal is due to be created in
 * the window, with the amount it will bill. Pure, from the same period math and preview the scheduler uses, so
 * the dashboard shows what will really happen.
 */
import type { LeaseSchedule } from '../../storage/leases.js';
import type { LeasePeriodRow } from '../../storage/schema.js';
import { controlDate, leasePeriods } from '../../leases/periods.js';
import { previewPeriod } from '../../leases/preview.js';
import { termsOf } from '../../leasing/terms.js';

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
  for (const s of schedules) {
    if (s.state !== 'active') continue;
    let terms;
    try {
      terms = termsOf(s, timeZone);
    } catch {
      continue;
    }
    const rows = s.rows.map((r) => ({ name: r.name, amountKopecks: Math.round(r.priceKopecks * r.quantity) }));
    for (const p of leasePeriods(terms)) {
      if (p.to < s.scheduled_on) continue;
      const date = controlDate(p, terms);
      if (date > until) break;
      const row = known.find((k) => k.schedule_id === s.id && k.period_from === p.from);
      // Before today only a period still not created is worth a line (its deal is being made or keeps failing).
      if (date < today && !row) continue;
      if (row?.status === 'created') continue;
      const preview = previewPeriod(terms, p, rows);
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

import type { AppDeps } from '../deps.js';
import { transaction } from '../storage/db.js';
import { getPortal } from '../storage/portals.js';
import { claimPeriod, listSchedules, periodsOf, reclaimFailedPeriod, setScheduleState, type LeaseSchedule } from '../storage/leases.js';
import type { LeasePeriodRow } from '../storage/schema.js';
import { todayIn } from '../invoicing/period.js';
import { controlDate, leasePeriods, periodsDueBy } from '../leases/periods.js';
import { termsOf } from './terms.js';
import { LEASE_PERIOD_JOB, leasePeriodJobKey, leasePeriodRetryKey } from './periodJob.js';

type TickDeps = Pick<AppDeps, 'database' | 'jobs' | 'clock' | 'log' | 'work'>;

/**
 * One pass of the lease scheduler: for every active schedule, each period whose control date has come (in the
 * portal's zone, on the service clock) is claimed once and handed to a job that creates its deal — one period of
 * a schedule at a time, so after downtime the missed periods are created oldest first (each job claims the next). A schedule whose last period is claimed ends. Returns the number of
 * periods claimed.
 */
export async function runLeaseScheduler(deps: TickDeps, only?: { memberId: string; scheduleId: number }): Promise<number> {
  const { db } = deps.database;
  let claimed = 0;
  const schedules = (await listSchedules(db, only?.memberId, 'active')).filter((s) => !only || s.id === only.scheduleId);
  const known = new Map<number, LeasePeriodRow[]>();
  for (const p of await periodsOf(db, schedules.map((s) => s.id))) known.set(p.schedule_id, [...(known.get(p.schedule_id) ?? []), p]);
  for (const schedule of schedules) {
    const portal = await getPortal(db, schedule.member_id);
    if (!portal || portal.status !== 'active') continue;
    const now = deps.clock.now();
    let terms;
    try {
      terms = termsOf(schedule, portal.time_zone);
    } catch (err) {
      deps.log.error({ err, memberId: schedule.member_id, scheduleId: schedule.id }, 'lease schedule has unreadable terms');
      continue;
    }
    const today = todayIn(portal.time_zone, now);
    const rows = known.get(schedule.id) ?? [];
    const inLease = new Set<string>();
    for (const p of leasePeriods(terms)) {
      if (controlDate(p, terms) > today) break;
      inLease.add(p.from);
    }
    // A period whose job ran out of attempts is started again (a new job; the period was never skipped).
    for (const p of rows.filter((r) => r.status === 'failed' && inLease.has(r.period_from))) {
      const again = await transaction(deps.database, async (trx) => {
        if (!(await reclaimFailedPeriod(trx, schedule.id, p.period_from, now))) return false;
        await deps.jobs.enqueue(
          { kind: LEASE_PERIOD_JOB, key: leasePeriodRetryKey(schedule.id, p.period_from, p.updated_at), payload: { memberId: schedule.member_id, scheduleId: schedule.id, from: p.period_from, to: p.period_to } },
          trx,
        );
        return true;
      });
      if (again) {
        claimed++;
        p.status = 'claimed';
        deps.log.warn({ memberId: schedule.member_id, scheduleId: schedule.id, period: p.period_from }, 'a lease period whose deal could not be created is tried again');
      }
    }
    const done = new Set(rows.map((r) => r.period_from));
    // One period at a time per schedule, oldest first: the job that creates a deal claims the next one when done; a
    // period still failing holds the later ones back.
    const busy = rows.some((r) => r.status !== 'created' && inLease.has(r.period_from));
    const due = busy ? [] : periodsDueBy(terms, schedule.scheduled_on, today).filter((p) => !done.has(p.from)).slice(0, 1);
    for (const p of due) {
      const ok = await transaction(deps.database, async (trx) => {
        if (!(await claimPeriod(trx, { scheduleId: schedule.id, from: p.from, to: p.to, controlDate: controlDate(p, terms), now }))) return false;
        await deps.jobs.enqueue(
          { kind: LEASE_PERIOD_JOB, key: leasePeriodJobKey(schedule.id, p.from), payload: { memberId: schedule.member_id, scheduleId: schedule.id, from: p.from, to: p.to } },
          trx,
        );
        return true;
      });
      if (ok) {
        claimed++;
        if (p.to < today) deps.log.warn({ memberId: schedule.member_id, scheduleId: schedule.id, period: p.from }, 'a missed lease period is billed late');
      }
    }
    const created = new Set(rows.filter((r) => r.status === 'created').map((r) => r.period_from));
    if (allCreated(schedule, terms, created)) {
      await setScheduleState(db, schedule.id, schedule.stop_after ? 'stopped' : 'ended', now);
      deps.log.info({ memberId: schedule.member_id, scheduleId: schedule.id }, 'lease schedule ended: every period is billed');
    }
  }
  if (claimed) deps.work.notify();
  return claimed;
}

/** A lease with an end whose every period (from the schedule day on) has its deal has nothing left to bill. */
function allCreated(schedule: LeaseSchedule, terms: ReturnType<typeof termsOf>, created: Set<string>): boolean {
  if (terms.end === null) return false;
  for (const p of leasePeriods(terms)) {
    if (p.to < schedule.scheduled_on) continue;
    if (!created.has(p.from)) return false;
  }
  return true;
}

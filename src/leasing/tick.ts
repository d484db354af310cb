import type { AppDeps } from '../deps.js';
import { transaction } from '../storage/db.js';
import { getPortal } from '../storage/portals.js';
import { claimPeriod, listSchedules, periodsOf, setScheduleState, type LeaseSchedule } from '../storage/leases.js';
import { todayIn } from '../invoicing/period.js';
import { controlDate, leasePeriods, periodsDueBy } from '../leases/periods.js';
import { termsOf } from './terms.js';
import { LEASE_PERIOD_JOB, leasePeriodJobKey } from './periodJob.js';

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
  const known = new Map<number, Set<string>>();
  const inFlight = new Set<number>();
  for (const p of await periodsOf(db, schedules.map((s) => s.id))) {
    const set = known.get(p.schedule_id) ?? new Set<string>();
    set.add(p.period_from);
    known.set(p.schedule_id, set);
    if (p.status === 'claimed') inFlight.add(p.schedule_id);
  }
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
    const done = known.get(schedule.id) ?? new Set<string>();
    // One period at a time per schedule, oldest first: the job that creates a deal claims the next one when done.
    const due = inFlight.has(schedule.id) ? [] : periodsDueBy(terms, schedule.scheduled_on, today).filter((p) => !done.has(p.from)).slice(0, 1);
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
        done.add(p.from);
        if (p.to < today) deps.log.warn({ memberId: schedule.member_id, scheduleId: schedule.id, period: p.from }, 'a missed lease period is billed late');
      }
    }
    if (allClaimed(schedule, terms, done)) {
      await setScheduleState(db, schedule.id, schedule.stop_after ? 'stopped' : 'ended', now);
      deps.log.info({ memberId: schedule.member_id, scheduleId: schedule.id }, 'lease schedule ended: every period is billed');
    }
  }
  if (claimed) deps.work.notify();
  return claimed;
}

/** A lease with an end whose every period (from the schedule day on) is claimed has nothing left to bill. */
function allClaimed(schedule: LeaseSchedule, terms: ReturnType<typeof termsOf>, done: Set<string>): boolean {
  if (terms.end === null) return false;
  for (const p of leasePeriods(terms)) {
    if (p.to < schedule.scheduled_on) continue;
    if (!done.has(p.from)) return false;
  }
  return true;
}

import type { LeaseSchedule } from '../storage/leases.js';
import { parseLeaseTerms, type LeaseTerms } from '../leases/terms.js';
import { stopLease } from '../leases/periods.js';

/** A schedule's terms as in force: the robot's properties read in the portal's zone, cut at a stop if any. */
export function termsOf(schedule: Pick<LeaseSchedule, 'properties' | 'stop_after'>, timeZone: string): LeaseTerms {
  const terms = parseLeaseTerms(schedule.properties, timeZone);
  return schedule.stop_after ? stopLease(terms, schedule.stop_after).terms : terms;
}

import { z } from 'zod';
import { defineJobKind } from '../jobs/types.js';

/**
 * Creates one period's deal of a lease schedule. A deal that cannot be created (client deleted, pipeline gone) is
 * retried with growing pauses (leaseRetryDelayMs) for about two days and the responsible user is told; a job out of
 * attempts marks the period failed and the scheduler starts a new one (retryKey) — a period is never skipped.
 */
export const LEASE_PERIOD_JOB = defineJobKind({
  name: 'lease-period',
  payload: z.object({ memberId: z.string().min(1), scheduleId: z.number().int().positive(), from: z.string(), to: z.string() }),
  maxAttempts: 60,
});
export type LeasePeriodPayload = z.infer<typeof LEASE_PERIOD_JOB.payload>;
export const leasePeriodJobKey = (scheduleId: number, from: string) => `${LEASE_PERIOD_JOB.name}:${scheduleId}:${from}`;
/** The job that takes a failed period up again; `failedAt` (when it was marked failed) makes each restart's key new. */
export const leasePeriodRetryKey = (scheduleId: number, from: string, failedAt: string) => `${leasePeriodJobKey(scheduleId, from)}:retry:${failedAt}`;

/**
 * Pause after failed attempt `attempt`: 1 min, 2, 4 … doubling up to an hour. A person has to fix the contract
 * (a client, a pipeline), so retrying every few seconds only burns the portal's request budget; an hour at most
 * means the deal appears within the hour once it is fixed.
 */
export function leaseRetryDelayMs(attempt: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, Math.min(attempt - 1, 20)), 3_600_000);
}

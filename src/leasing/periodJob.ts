import { z } from 'zod';
import { defineJobKind } from '../jobs/types.js';

/**
 * Creates one period's deal of a lease schedule. A deal that cannot be created (client deleted, pipeline gone) is
 * retried with backoff for about a day — a period is never skipped silently; the responsible user is told.
 */
export const LEASE_PERIOD_JOB = defineJobKind({
  name: 'lease-period',
  payload: z.object({ memberId: z.string().min(1), scheduleId: z.number().int().positive(), from: z.string(), to: z.string() }),
  maxAttempts: 60,
});
export type LeasePeriodPayload = z.infer<typeof LEASE_PERIOD_JOB.payload>;
export const leasePeriodJobKey = (scheduleId: number, from: string) => `${LEASE_PERIOD_JOB.name}:${scheduleId}:${from}`;

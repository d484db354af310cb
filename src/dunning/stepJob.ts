import { z } from 'zod';
import { defineJobKind } from '../jobs/types.js';
import { LADDER_ACTIONS } from '../overdue/ladder.js';

/**
 * The ladder steps of one invoice that came due together, carried out in order by one job (after downtime the
 * missed internal notifications go out once each, oldest first). Skipped steps ride along to be written on the
 * deal's timeline.
 */
export const OVERDUE_STEPS_JOB = defineJobKind({
  name: 'overdue-steps',
  payload: z.object({
    memberId: z.string().min(1),
    invoiceId: z.number().int().positive(),
    steps: z.array(
      z.object({
        key: z.string(),
        action: z.enum(LADDER_ACTIONS),
        day: z.number().int(),
        skipped: z.enum(['late', 'before_issue']).optional(),
      }),
    ),
  }),
  maxAttempts: 10,
});
export type OverdueStepsPayload = z.infer<typeof OVERDUE_STEPS_JOB.payload>;

import { z } from 'zod';
import { defineJobKind } from '../../jobs/types.js';

/** One job per delivery: the event token is the platform's unique id of a robot run. */
export const ROBOT_JOB = defineJobKind({
  name: 'robot',
  payload: z.object({
    eventToken: z.string().min(1),
    /** Set when the delivery's properties are invalid: the job only answers with this error. */
    invalid: z.string().optional(),
  }),
  maxAttempts: 8,
});
export type RobotJobPayload = z.infer<typeof ROBOT_JOB.payload>;
export const robotJobKey = (eventToken: string) => `${ROBOT_JOB.name}:${eventToken}`;

/**
 * Sends the answer of a robot call whose job gave up without one. With the worker's backoff (2 s growing to
 * 5 min), 20 attempts keep trying for about an hour and a half.
 */
export const ROBOT_ANSWER_JOB = defineJobKind({
  name: 'robot-answer',
  payload: z.object({
    eventToken: z.string().min(1),
    /** Why the robot job gave up (its last error), for `error_text` when it left no return values. */
    reason: z.string().nullable(),
  }),
  maxAttempts: 20,
});
export type RobotAnswerJobPayload = z.infer<typeof ROBOT_ANSWER_JOB.payload>;
export const robotAnswerJobKey = (eventToken: string) => `${ROBOT_ANSWER_JOB.name}:${eventToken}`;

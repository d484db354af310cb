import { z } from 'zod';
import { defineJobKind } from '../jobs/types.js';

/** What a recorded payment does in the portal (comment, fields, notices, triggers), once per payment. */
export const PAYMENT_EFFECTS_JOB = defineJobKind({
  name: 'payment-effects',
  payload: z.object({ memberId: z.string().min(1), paymentId: z.number().int().positive() }),
  maxAttempts: 12,
});
export type PaymentEffectsPayload = z.infer<typeof PAYMENT_EFFECTS_JOB.payload>;
/** Manual re-matching gives the payment a new round of effects: the round is part of the key. */
export const paymentEffectsJobKey = (paymentId: number, round = 0) => `${PAYMENT_EFFECTS_JOB.name}:${paymentId}:${round}`;

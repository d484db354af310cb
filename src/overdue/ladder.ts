/**
 * The escalation ladder: a portal setting (`qrbill settings <member_id> escalation=[…]`) listing what happens
 * to an unpaid invoice and when, counted in days from its due date (negative: before it) at an hour of the
 * portal's time zone. A step is identified by its day and action, which is what "each step at most once
 * per invoice" is keyed on.
 */
import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';

export const LADDER_ACTIONS = [
  'client_reminder',
  'notify_manager',
  'notify_head',
  'notify_accountants',
  'client_overdue_reminder',
] as const;

export type LadderAction = (typeof LADDER_ACTIONS)[number];

/** Steps that write to the client; the others tell people inside the company. */
export const CLIENT_ACTIONS: ReadonlySet<LadderAction> = new Set(['client_reminder', 'client_overdue_reminder']);

export const isClientAction = (action: LadderAction): boolean => CLIENT_ACTIONS.has(action);

export interface LadderStep {
  /** Days from the due date: −3 is three days before it, +1 the first day overdue. */
  day: number;
  /** `HH:MM`, portal time. */
  hour: string;
  action: LadderAction;
}

export const MIN_STEP_DAY = -30;
export const MAX_STEP_DAY = 60;
export const DEFAULT_STEP_HOUR = '09:00';

/**
 * The issue's default: a reminder three days before the due date; on the first overdue day the manager is
 * told (with a CRM to-do and the «Счёт просрочен» trigger, done by whoever carries out notify_manager);
 * the head on the third, the accountants on the fifth; a second reminder stating the penalty on the seventh.
 */
export const DEFAULT_LADDER: readonly LadderStep[] = Object.freeze([
  { day: -3, hour: DEFAULT_STEP_HOUR, action: 'client_reminder' },
  { day: 1, hour: DEFAULT_STEP_HOUR, action: 'notify_manager' },
  { day: 3, hour: DEFAULT_STEP_HOUR, action: 'notify_head' },
  { day: 5, hour: DEFAULT_STEP_HOUR, action: 'notify_accountants' },
  { day: 7, hour: DEFAULT_STEP_HOUR, action: 'client_overdue_reminder' },
]);

const ACTION_NAMES: Record<LadderAction, string> = {
  client_reminder: 'напоминание клиенту до срока',
  notify_manager: 'уведомление ответственному',
  notify_head: 'уведомление руководителю',
  notify_accountants: 'уведомление бухгалтерам',
  client_overdue_reminder: 'напоминание клиенту о просрочке',
};

export const ladderActionName = (action: LadderAction): string => ACTION_NAMES[action];

/** The key a done step is recorded under: `-3:client_reminder`. */
export const stepKey = (step: Pick<LadderStep, 'day' | 'action'>): string => `${step.day}:${step.action}`;

const HOUR_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;

export const ladderStepSchema = z.object({
  day: z
    .number({ error: 'day — ожидается целое число дней от срока оплаты' })
    .int('day — ожидается целое число дней от срока оплаты')
    .min(MIN_STEP_DAY, `day — не раньше чем за ${-MIN_STEP_DAY} дней до срока (${MIN_STEP_DAY})`)
    .max(MAX_STEP_DAY, `day — не позже ${MAX_STEP_DAY} дней после срока`),
  hour: z
    .string({ error: 'hour — ожидается время ЧЧ:ММ, например 09:00' })
    .regex(HOUR_RE, 'hour — ожидается время ЧЧ:ММ, например 09:00')
    .transform((h) => h.padStart(5, '0'))
    .default(DEFAULT_STEP_HOUR),
  action: z.enum(LADDER_ACTIONS, { error: `action — одно из: ${LADDER_ACTIONS.join(', ')}` }),
});

/**
 * The whole ladder: steps in any order come out sorted by day, then hour (the order they fire in).
 * A client reminder «до срока» must come on or before the due date and everything else after it (the due
 * day itself is not overdue), and a day+action pair may appear once.
 */
export const ladderSchema = z
  .array(ladderStepSchema, { error: 'ожидается список шагов [{"day": -3, "action": "client_reminder"}, …]' })
  .max(30, 'не больше 30 шагов')
  .superRefine((steps, ctx) => {
    const seen = new Map<string, number>();
    steps.forEach((s, i) => {
      if (s.action === 'client_reminder' && s.day > 0) {
        ctx.addIssue({ code: 'custom', path: [i, 'day'], message: `day — напоминание до срока (client_reminder) бывает в день срока или раньше (day ≤ 0), а не ${s.day}` });
      }
      if (s.action !== 'client_reminder' && s.day < 1) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'day'],
          message: `day — ${ladderActionName(s.action)} (${s.action}) бывает только после срока (day ≥ 1): день срока ещё не просрочка`,
        });
      }
      const key = stepKey(s);
      const before = seen.get(key);
      if (before !== undefined) {
        ctx.addIssue({ code: 'custom', path: [i], message: `повторяет шаг ${before + 1}: ${s.action} в день ${s.day}` });
      } else {
        seen.set(key, i);
      }
    });
  })
  .transform((steps): LadderStep[] =>
    [...steps].sort((a, b) => a.day - b.day || a.hour.localeCompare(b.hour) || LADDER_ACTIONS.indexOf(a.action) - LADDER_ACTIONS.indexOf(b.action)),
  );

/**
 * Reads the setting from JSON text or an already parsed value; throws a ValidationError whose message
 * names the step («escalation[2] (шаг 3): hour — …»).
 */
export function parseLadder(input: unknown): LadderStep[] {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new ValidationError([{ path: 'escalation', message: 'escalation: не JSON; пример: [{"day": -3, "action": "client_reminder"}]' }]);
    }
  }
  const parsed = ladderSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: ValidationIssue[] = parsed.error.issues.map((i) => {
    const [index] = i.path;
    const where = typeof index === 'number' ? `escalation[${index}] (шаг ${index + 1})` : 'escalation';
    return { path: typeof index === 'number' ? `escalation[${index}]` : 'escalation', message: `${where}: ${i.message}` };
  });
  throw new ValidationError(issues, issues.map((i) => i.message).join('; '));
}

import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../storage/schema.js';
import { getSetting, setSetting } from '../storage/settings.js';
import { ValidationError } from '../errors.js';
import { validateNumberTemplate } from '../invoicing/numbering.js';
import { DEFAULT_LADDER, ladderSchema } from '../overdue/ladder.js';
import { parsePenaltySetting } from '../overdue/penalty.js';
import { checkEmailTemplateSyntax } from '../invoicing/email.js';

/**
 * Per-portal billing settings (the landlord's choices). Stored as one JSON value; every field has a
 * default so a freshly installed portal issues documents without any setup.
 */
const numberTemplate = z.string().superRefine((t, ctx) => {
  try {
    validateNumberTemplate(t);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
});

const DUE_DAYS = 'срок оплаты — целое число дней от 0 до 365';
const USER_ID = 'сотрудник — номер пользователя портала';
const PAUSE = 'сумма в рублях от 0 до 1 000 000';

const emailTemplatePart = (max: number) =>
  z
    .string()
    .max(max, `не длиннее ${max} символов`)
    .superRefine((source, ctx) => {
      try {
        checkEmailTemplateSyntax(source);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `ошибка в шаблоне: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}` });
      }
    });
const emailTemplateSchema = z.object({ subject: emailTemplatePart(300).refine((s) => s.trim() !== '', 'тема письма пуста'), body: emailTemplatePart(20_000) }).strict();

export const portalSettingsSchema = z
  .object({
    /** `{seq}`, `{seq:4}`, `{yyyy}`, `{yy}`, `{mm}`; e.g. `АР-{yyyy}-{seq}`. */
    invoiceNumberTemplate: numberTemplate.default('{seq}'),
    actNumberTemplate: numberTemplate.default('{seq}'),
    dueDays: z.number({ error: DUE_DAYS }).int(DUE_DAYS).min(0, DUE_DAYS).max(365, DUE_DAYS).default(5),
    /** What the QR block of a QR-invoice shows: GOST requisites QR, a bank-issued link, or nothing. */
    qrMode: z.enum(['gost', 'link', 'none'], { error: 'одно из: gost, link, none' }).default('gost'),
    bankPaymentLink: z.url({ protocol: /^https$/, error: 'нужна ссылка банка вида https://…' }).optional(),
    /** Wins over the product rows' tax fields (a landlord on УСН: none; 22 % included…). */
    vatOverride: z
      .object({ mode: z.enum(['none', 'included', 'on_top']), rate: z.union([z.literal(22), z.literal(10), z.literal(7), z.literal(5), z.literal(0)], { error: 'ставка НДС: 22, 10, 7, 5 или 0' }).optional() })
      .refine((v) => v.mode === 'none' || v.rate !== undefined, { message: 'укажите ставку НДС (rate: 22, 10, 7, 5 или 0)', path: ['rate'] })
      .optional(),
    accountantEmails: z.array(z.email({ error: 'неверный адрес e-mail' })).max(20, 'не больше 20 адресов').default([]),
    /** `MESSAGE_FROM` of e-mails, e.g. `ООО «Арендодатель» <billing@example.ru>`; default: the portal's. */
    emailFrom: z.string().max(200, 'не длиннее 200 символов').optional(),
    /** A portal's own wording of a letter (`invoice`, `payment_reminder`…): wins over the template files. */
    emailTemplates: z.record(z.string().regex(/^[a-z0-9_-]+$/, 'имя шаблона: латинские строчные буквы, цифры, _ и -'), emailTemplateSchema).default({}),
    /** The overdue ladder (src/overdue/ladder.ts): steps in days from the due date, at an hour of the portal's zone. */
    escalation: ladderSchema.default(() => [...DEFAULT_LADDER]),
    /** Portal users told at the «accountants» step (and when a manager's head cannot be found). */
    accountantUserIds: z.array(z.number({ error: USER_ID }).int(USER_ID).positive(USER_ID), { error: USER_ID }).max(20, 'не больше 20 сотрудников').default([]),
    /** Пени: `{"ratePerDayPercent": 0.1, "capPercent": 10}` or "off". Kept as written; read with parsePenaltySetting. */
    penalty: z
      .union([z.literal('off'), z.object({ ratePerDayPercent: z.union([z.number(), z.string()]), capPercent: z.union([z.number(), z.string()]).optional() })])
      .superRefine((v, ctx) => {
        try {
          parsePenaltySetting(v);
        } catch (err) {
          // Keep the field each problem is about (penalty.ratePerDayPercent…): the settings page shows it there.
          if (err instanceof ValidationError) {
            for (const i of err.issues) ctx.addIssue({ code: 'custom', path: i.path.split('.').slice(1), message: i.message.replace(/^penalty: /, '') });
          } else ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
        }
      })
      .default('off'),
    /** After a partial payment, client reminders pause while the remainder is below this many rubles (0: never). */
    reminderPauseBelowRub: z.number({ error: PAUSE }).min(0, PAUSE).max(1_000_000, PAUSE).default(0),
  })
  .strict();

export type PortalSettings = z.infer<typeof portalSettingsSchema>;

const key = (memberId: string) => `portal_settings:${memberId}`;

function parse(input: unknown): PortalSettings {
  const r = portalSettingsSchema.safeParse(input);
  if (!r.success) {
    throw new ValidationError(r.error.issues.map((i) => ({ path: i.path.join('.') || '(settings)', message: i.message })));
  }
  return r.data;
}

export async function getPortalSettings(db: Kysely<Database>, memberId: string): Promise<PortalSettings> {
  const raw = await getSetting(db, key(memberId));
  return parse(raw ? JSON.parse(raw) : {});
}

/**
 * The settings after a change, checked with every rule (the CLI and the settings page both come through here);
 * throws ValidationError naming each bad field. Pure: nothing is stored.
 */
export function mergePortalSettings(current: PortalSettings, patch: Record<string, unknown>): PortalSettings {
  const next = parse({ ...current, ...patch });
  // Checked on writing only: a portal saved before this rule still reads (the robot then falls back to the GOST QR).
  if (next.qrMode === 'link' && !next.bankPaymentLink) {
    throw new ValidationError([{ path: 'bankPaymentLink', message: 'для QR со ссылкой банка укажите ссылку https://…', messageEn: 'a bank link QR needs bankPaymentLink=https://…' }]);
  }
  return next;
}

export async function savePortalSettings(db: Kysely<Database>, memberId: string, settings: PortalSettings): Promise<void> {
  await setSetting(db, key(memberId), JSON.stringify(settings));
}

export async function updatePortalSettings(
  db: Kysely<Database>,
  memberId: string,
  patch: Record<string, unknown>,
): Promise<PortalSettings> {
  const next = mergePortalSettings(await getPortalSettings(db, memberId), patch);
  await savePortalSettings(db, memberId, next);
  return next;
}

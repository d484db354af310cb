import { z } from 'zod';
import type { RobotProperty } from '../framework/types.js';
import { many, optional, yesNo } from '../framework/props.js';
import { parseRecipients } from '../../crm/recipients.js';

export const SENDABLE_DOCUMENTS = ['invoice', 'qr_invoice', 'act'] as const;
export type SendableDocument = (typeof SENDABLE_DOCUMENTS)[number];

/** Same rule as the template loader: the name becomes part of a file path. */
export const TEMPLATE_NAME_RE = /^[a-z0-9_-]+$/;

/** The letter that fits what is sent: an act alone gets the act letter, anything with an invoice the invoice one. */
export function defaultTemplateFor(documents: readonly SendableDocument[]): string {
  return documents.length > 0 && documents.every((d) => d === 'act') ? 'act' : 'invoice';
}

export const sendSchema = z
  .object({
    documents: many(z.enum(SENDABLE_DOCUMENTS, { error: 'допустимы invoice, qr_invoice, act' })).transform((docs) =>
      docs.length ? [...new Set(docs)] : (['qr_invoice'] as SendableDocument[]),
    ),
    template: optional(
      z
        .string()
        .trim()
        .regex(TEMPLATE_NAME_RE, {
          message: 'имя шаблона письма — латинские строчные буквы, цифры, «_» и «-» (например invoice или act)',
        }),
    ),
    to: optional(
      z.string().superRefine((v, ctx) => {
        const { invalid } = parseRecipients(v);
        if (invalid.length) {
          ctx.addIssue({
            code: 'custom',
            message: `не адрес e-mail: ${invalid.map((x) => `«${x}»`).join(', ')} (несколько адресов — через запятую)`,
          });
        }
      }),
    ),
    cc_accountant: yesNo(false),
  })
  .transform((p) => ({ ...p, template: p.template ?? defaultTemplateFor(p.documents) }));

export type SendProps = z.infer<typeof sendSchema>;

export const sendProperties: Record<string, RobotProperty> = {
  documents: {
    name: { ru: 'Документы', en: 'Documents' },
    description: {
      ru: 'Последние выставленные по сделке счёт и/или акт (сначала запустите роботы выставления)',
      en: "The deal's latest invoice and/or act (run the issuing robots first)",
    },
    type: 'select',
    multiple: true,
    options: { invoice: 'Счёт', qr_invoice: 'Счёт с QR-кодом', act: 'Акт' },
    default: 'qr_invoice',
  },
  template: {
    name: { ru: 'Шаблон письма', en: 'E-mail template' },
    description: {
      ru: 'invoice, act, payment_reminder или свой; по умолчанию invoice (для одного акта — act)',
      en: 'invoice, act, payment_reminder or your own; default invoice (act when only the act is sent)',
    },
    type: 'string',
  },
  to: {
    name: { ru: 'Кому (e-mail)', en: 'To (e-mail)' },
    description: {
      ru: 'Адреса через запятую; по умолчанию — рабочий e-mail клиента из карточки',
      en: "Comma-separated addresses; default: the client's work e-mail",
    },
    type: 'string',
  },
  cc_accountant: {
    name: { ru: 'Копия бухгалтерии', en: 'Copy to accountants' },
    description: {
      ru: 'Отправить письмо и на e-mail бухгалтерии из настроек приложения',
      en: 'Also send to the accountant addresses from the app settings',
    },
    type: 'select',
    options: { Y: 'Да', N: 'Нет' },
    default: 'N',
  },
};

export const sendReturnProperties: Record<string, RobotProperty> = {
  activity_id: { name: { ru: 'ID дела «Письмо»', en: 'E-mail activity id' }, type: 'int' },
  sent_to: { name: { ru: 'Получатели', en: 'Recipients' }, type: 'string' },
};

import { z } from 'zod';
import type { RobotProperty } from '../framework/types.js';
import { optional, portalDate, positiveInt, yesNo } from '../framework/props.js';

/** `included_22` → {mode: included, rate: 22}; `none` → {mode: none}. */
export const VAT_OPTIONS: Record<string, string> = {
  none: 'Без НДС',
  included_22: 'НДС 22% в т.ч.',
  on_top_22: 'НДС 22% сверху',
  included_10: 'НДС 10% в т.ч.',
  on_top_10: 'НДС 10% сверху',
  included_7: 'НДС 7% в т.ч.',
  on_top_7: 'НДС 7% сверху',
  included_5: 'НДС 5% в т.ч.',
  on_top_5: 'НДС 5% сверху',
  included_0: 'НДС 0%',
};

export const invoiceSchema = z.object({
  document_kind: z.preprocess((v) => (v === '' || v === undefined ? 'qr_invoice' : v), z.enum(['qr_invoice', 'invoice'])),
  period_from: optional(portalDate),
  period_to: optional(portalDate),
  due_days: optional(positiveInt.max(365)),
  due_date: optional(portalDate),
  vat_mode: optional(z.enum(Object.keys(VAT_OPTIONS) as [string, ...string[]])),
  create_smart_invoice: yesNo(false),
  force_new: yesNo(false),
}).refine((p) => (p.period_from === undefined) === (p.period_to === undefined), {
  message: 'укажите обе даты периода (с и по) или ни одной',
  path: ['period_to'],
}).refine((p) => !p.period_from || !p.period_to || p.period_from <= p.period_to, {
  message: 'период заканчивается раньше, чем начинается',
  path: ['period_to'],
});

export type InvoiceProps = z.infer<typeof invoiceSchema>;

export const invoiceProperties: Record<string, RobotProperty> = {
  document_kind: {
    name: { ru: 'Документ', en: 'Document' },
    type: 'select',
    options: { qr_invoice: 'Счёт с QR-кодом', invoice: 'Счёт без QR-кода' },
    default: 'qr_invoice',
  },
  period_from: {
    name: { ru: 'Период с', en: 'Period from' },
    description: { ru: 'По умолчанию — поле сделки «Период с», иначе следующий месяц', en: 'Default: the deal period, else next month' },
    type: 'date',
  },
  period_to: { name: { ru: 'Период по', en: 'Period to' }, type: 'date' },
  due_days: {
    name: { ru: 'Срок оплаты, дней', en: 'Days to pay' },
    description: { ru: 'По умолчанию 5 (настройка портала)', en: 'Default 5 (portal setting)' },
    type: 'int',
  },
  due_date: { name: { ru: 'Оплатить до (дата)', en: 'Due date' }, type: 'date' },
  vat_mode: {
    name: { ru: 'НДС (если не как в товарах сделки)', en: 'VAT override' },
    type: 'select',
    options: VAT_OPTIONS,
  },
  create_smart_invoice: {
    name: { ru: 'Создать счёт в Битрикс24', en: 'Create a Bitrix24 smart invoice' },
    type: 'select',
    options: { Y: 'Да', N: 'Нет' },
    default: 'N',
  },
  force_new: {
    name: { ru: 'Всегда новый счёт', en: 'Always issue a new invoice' },
    description: {
      ru: 'Иначе для той же сделки и периода вернётся последний выставленный счёт без изменений, даже если товары сделки изменились (об этом скажут «Предупреждения»)',
      en: "Otherwise the same deal and period return the latest invoice unchanged, even if the deal's rows changed (the warnings say so)",
    },
    type: 'select',
    options: { Y: 'Да', N: 'Нет' },
    default: 'N',
  },
};

const text = (ru: string, en: string): RobotProperty => ({ name: { ru, en }, type: 'string' });

export const invoiceReturnProperties: Record<string, RobotProperty> = {
  invoice_id: { name: { ru: 'ID счёта', en: 'Invoice id' }, type: 'int' },
  invoice_number: text('Номер счёта', 'Invoice number'),
  invoice_date: { name: { ru: 'Дата счёта', en: 'Invoice date' }, type: 'date' },
  invoice_url: text('Ссылка на счёт (PDF)', 'Invoice PDF link'),
  qr_invoice_url: text('Ссылка на счёт с QR (PDF)', 'QR-invoice PDF link'),
  qr_image_url: text('Ссылка на QR-код (PNG)', 'QR image link'),
  amount_due: { name: { ru: 'Сумма к оплате', en: 'Amount due' }, type: 'double' },
  due_date: { name: { ru: 'Оплатить до', en: 'Due date' }, type: 'date' },
  payment_purpose: text('Назначение платежа', 'Payment purpose'),
  smart_invoice_id: { name: { ru: 'ID счёта Битрикс24', en: 'Smart invoice id' }, type: 'int' },
  warnings: { name: { ru: 'Предупреждения', en: 'Warnings' }, type: 'text' },
};

export function vatFromOption(option: string | undefined) {
  if (!option) return undefined;
  if (option === 'none') return { mode: 'none' as const };
  const [mode, rate] = option.split(/_(?=\d+$)/) as ['included' | 'on_top', string];
  return { mode, rate: Number(rate) as 22 | 10 | 7 | 5 | 0 };
}

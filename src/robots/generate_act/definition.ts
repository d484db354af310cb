import { z } from 'zod';
import type { RobotProperty } from '../framework/types.js';
import { optional, portalDate, positiveInt, yesNo } from '../framework/props.js';

export const actSchema = z
  .object({
    period_from: optional(portalDate),
    period_to: optional(portalDate),
    invoice_id: optional(positiveInt.min(1)),
    signed_original_received: yesNo(false),
    allow_early: yesNo(false),
  })
  .refine((p) => (p.period_from === undefined) === (p.period_to === undefined), {
    message: 'укажите обе даты периода (с и по) или ни одной',
    path: ['period_to'],
  })
  .refine((p) => !p.period_from || !p.period_to || p.period_from <= p.period_to, {
    message: 'период заканчивается раньше, чем начинается',
    path: ['period_to'],
  });

export type ActProps = z.infer<typeof actSchema>;

const yesNoSelect = (ru: string, en: string, description?: RobotProperty['description']): RobotProperty => ({
  name: { ru, en },
  ...(description ? { description } : {}),
  type: 'select',
  options: { Y: 'Да', N: 'Нет' },
  default: 'N',
});

export const actProperties: Record<string, RobotProperty> = {
  period_from: {
    name: { ru: 'Период с', en: 'Period from' },
    description: {
      ru: 'По умолчанию — период последнего счёта сделки, иначе поля сделки «Период», иначе прошлый месяц',
      en: "Default: the period of the deal's last invoice, else the deal period, else the previous month",
    },
    type: 'date',
  },
  period_to: { name: { ru: 'Период по', en: 'Period to' }, type: 'date' },
  invoice_id: {
    name: { ru: 'ID счёта', en: 'Invoice id' },
    description: {
      ru: 'Акт по этому счёту (его период и строки); по умолчанию — последний счёт сделки за тот же период',
      en: "Act for this invoice (its period and lines); default: the deal's last invoice for the same period",
    },
    type: 'int',
  },
  signed_original_received: yesNoSelect('Получен подписанный оригинал', 'Signed original received', {
    ru: 'Да — отметить уже выставленный акт (за указанный период или счёт, иначе последний акт сделки) как подписанный клиентом; новый акт не выставляется',
    en: "Yes: mark the already issued act (of the given period or invoice, else the deal's latest act) as signed by the client; no act is issued",
  }),
  allow_early: yesNoSelect('Выставить досрочно', 'Issue early', {
    ru: 'Да — выставить акт до окончания периода (датой запуска робота). Иначе акт выставляется не раньше последнего дня периода, а досрочный запуск завершается ошибкой с датой, когда акт можно выставить',
    en: 'Yes: issue the act before its period ends (dated the day the robot runs). Otherwise the act is issued on the last day of the period or later, and an early run ends with an error saying when',
  }),
};

const text = (ru: string, en: string): RobotProperty => ({ name: { ru, en }, type: 'string' });

export const actReturnProperties: Record<string, RobotProperty> = {
  act_id: { name: { ru: 'ID акта', en: 'Act id' }, type: 'int' },
  act_number: text('Номер акта', 'Act number'),
  act_date: { name: { ru: 'Дата акта', en: 'Act date' }, type: 'date' },
  act_url: text('Ссылка на акт (PDF)', 'Act PDF link'),
  act_state: {
    name: { ru: 'Состояние акта', en: 'Act state' },
    type: 'select',
    options: { issued: 'Выставлен', sent: 'Отправлен клиенту', signed_original_received: 'Получен подписанный оригинал' },
  },
};

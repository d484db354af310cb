import { z } from 'zod';
import type { RobotProperty } from '../framework/types.js';
import { optional, positiveInt } from '../framework/props.js';

export const waitSchema = z.object({
  invoice_id: optional(positiveInt.min(1)),
  mode: optional(z.enum(['until_paid', 'until_due'], { error: 'ожидается until_paid или until_due' })).transform((v) => v ?? 'until_paid'),
  grace_days: optional(positiveInt.max(365, 'не больше 365 дней')).transform((v) => v ?? 0),
});

export type WaitProps = z.infer<typeof waitSchema>;

export const waitProperties: Record<string, RobotProperty> = {
  invoice_id: {
    name: { ru: 'ID счёта', en: 'Invoice id' },
    description: { ru: 'По умолчанию — последний счёт сделки', en: "Default: the deal's last invoice" },
    type: 'int',
  },
  mode: {
    name: { ru: 'Ждать', en: 'Wait' },
    type: 'select',
    options: { until_paid: 'до оплаты (или отмены счёта)', until_due: 'до оплаты или до срока оплаты' },
    default: 'until_paid',
  },
  grace_days: {
    name: { ru: 'Дней отсрочки после срока оплаты', en: 'Grace days after the due date' },
    description: {
      ru: 'Для режима «до срока оплаты»: ответ «просрочен» приходит по истечении срока оплаты плюс столько дней (по часовому поясу портала)',
      en: "For «until due»: «overdue» is answered once the due date plus this many days has passed (portal's time zone)",
    },
    type: 'int',
    default: 0,
  },
};

export const waitReturnProperties: Record<string, RobotProperty> = {
  status: {
    name: { ru: 'Результат', en: 'Result' },
    type: 'select',
    options: { paid: 'Оплачен', overdue: 'Просрочен', cancelled: 'Отменён', error: 'Ошибка' },
  },
  paid_at: { name: { ru: 'Дата оплаты', en: 'Paid on' }, type: 'date' },
  paid_amount: { name: { ru: 'Оплачено, руб.', en: 'Paid amount' }, type: 'double' },
  days_overdue: { name: { ru: 'Дней просрочки', en: 'Days overdue' }, type: 'int' },
};

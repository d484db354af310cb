import { z } from 'zod';
import type { RobotProperty } from '../framework/types.js';
import { optional, positiveInt } from '../framework/props.js';
import { LEASE_PROPERTY_LABELS } from '../../leases/terms.js';

/**
 * The lease terms are read in the portal's time zone inside the run (src/leases/terms.ts names each bad property);
 * here only the target pipeline and stage are checked, and everything else is passed through as sent.
 */
export const startSchema = z
  .object({
    target_category_id: optional(positiveInt),
    target_stage_id: optional(z.string().max(50)),
  })
  .catchall(z.unknown());

export type StartProps = z.infer<typeof startSchema>;

const text = (ru: string, en: string, description?: RobotProperty['description']): RobotProperty => ({ name: { ru, en }, type: 'string', ...(description ? { description } : {}) });

export const startProperties: Record<string, RobotProperty> = {
  lease_start: { name: { ru: LEASE_PROPERTY_LABELS.lease_start, en: 'Lease start' }, type: 'date', required: true },
  lease_end: { name: { ru: LEASE_PROPERTY_LABELS.lease_end, en: 'Lease end' }, description: { ru: 'Пусто — бессрочно', en: 'Empty: open-ended' }, type: 'date' },
  period: text(LEASE_PROPERTY_LABELS.period, 'Period', {
    ru: 'month (по умолчанию), quarter, half_year, year, week или days:N',
    en: 'month (default), quarter, half_year, year, week or days:N',
  }),
  anchor_day: { name: { ru: LEASE_PROPERTY_LABELS.anchor_day, en: 'Anchor day' }, description: { ru: 'По умолчанию — день начала аренды', en: "Default: the lease start's day" }, type: 'int' },
  bill_days_before: { name: { ru: LEASE_PROPERTY_LABELS.bill_days_before, en: 'Bill days before' }, description: { ru: 'Контрольная дата = начало периода минус столько дней (по умолчанию 5)', en: 'Control date = period start minus this many days (default 5)' }, type: 'int' },
  prorate: { name: { ru: LEASE_PROPERTY_LABELS.prorate, en: 'Pro-rate partial periods' }, type: 'select', options: { Y: 'Да', N: 'Нет' }, default: 'Y' },
  target_category_id: { name: { ru: 'Воронка новых сделок', en: 'Pipeline of new deals' }, description: { ru: 'По умолчанию — воронка сделки-договора', en: "Default: the contract deal's pipeline" }, type: 'int' },
  target_stage_id: text('Стадия новых сделок', 'Stage of new deals', { ru: 'По умолчанию — первая стадия воронки', en: "Default: the pipeline's first stage" }),
  contract_number: text(LEASE_PROPERTY_LABELS.contract_number, 'Contract number'),
  contract_date: { name: { ru: LEASE_PROPERTY_LABELS.contract_date, en: 'Contract date' }, type: 'date' },
  indexation_percent: { name: { ru: LEASE_PROPERTY_LABELS.indexation_percent, en: 'Yearly indexation, %' }, type: 'double' },
  indexation_month: { name: { ru: LEASE_PROPERTY_LABELS.indexation_month, en: 'Indexation month' }, type: 'int' },
};

export const startReturnProperties: Record<string, RobotProperty> = {
  schedule_id: { name: { ru: 'ID графика', en: 'Schedule id' }, type: 'int' },
  next_control_date: { name: { ru: 'Следующая контрольная дата', en: 'Next control date' }, type: 'date' },
  next_period_from: { name: { ru: 'Следующий период с', en: 'Next period from' }, type: 'date' },
  next_period_to: { name: { ru: 'Следующий период по', en: 'Next period to' }, type: 'date' },
  periods_total: { name: { ru: 'Всего периодов', en: 'Periods in total' }, type: 'string' },
};

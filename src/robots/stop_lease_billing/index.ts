import { z } from 'zod';
import type { RobotDefinition } from '../framework/types.js';
import { optional, portalDate } from '../framework/props.js';
import { AppError } from '../../errors.js';
import { todayIn } from '../../invoicing/period.js';
import { formatDateShort } from '../../documents/dates.js';
import { parseLeaseTerms } from '../../leases/terms.js';
import { stopLease } from '../../leases/periods.js';
import { scheduleOfContract, setStopAfter } from '../../storage/leases.js';
import { runLeaseScheduler } from '../../leasing/tick.js';

const stopSchema = z.object({ stop_after: optional(portalDate) });
type StopProps = z.infer<typeof stopSchema>;

/**
 * stop_lease_billing, on the contract deal: the period containing `stop_after` (default today, portal time) is the
 * last one billed — pro-rated to that day when the schedule pro-rates, else whole.
 */
export const stopLeaseBilling: RobotDefinition<StopProps> = {
  code: 'stop_lease_billing',
  name: { ru: 'QR-биллинг: остановить выставление по договору', en: 'QR billing: stop lease billing' },
  description: {
    ru: 'Последним выставляется период, в который попадает дата остановки (по дням, если так настроено).',
    en: 'The period containing the stop date is the last one billed (pro-rated if so configured).',
  },
  useSubscription: true,
  properties: {
    stop_after: { name: { ru: 'Остановить после даты', en: 'Stop after' }, description: { ru: 'По умолчанию — сегодня', en: 'Default: today' }, type: 'date' },
  },
  returnProperties: { last_period_to: { name: { ru: 'Последний период по', en: 'Last period to' }, type: 'date' } },
  schema: stopSchema,
  async run(ctx, props) {
    const { db } = ctx.deps.database;
    const schedule = await scheduleOfContract(db, ctx.portal.member_id, ctx.call.document.id);
    if (!schedule || schedule.state !== 'active') {
      throw new AppError('LEASE_NOT_SCHEDULED', 'По этой сделке выставление не запущено (робот «начать выставление по договору аренды»).');
    }
    const stopAfter = props.stop_after ?? todayIn(ctx.portal.time_zone, ctx.clock.now());
    const stopped = stopLease(parseLeaseTerms(schedule.properties, ctx.portal.time_zone), stopAfter);
    await setStopAfter(db, schedule.id, stopAfter, ctx.clock.now());
    await runLeaseScheduler(ctx.deps, { memberId: ctx.portal.member_id, scheduleId: schedule.id });
    const last = stopped.lastPeriod;
    await ctx.effect('comment', () =>
      ctx.bitrix.call('crm.timeline.comment.add', {
        fields: { ENTITY_ID: ctx.call.document.id, ENTITY_TYPE: 'deal', COMMENT: `Выставление по договору останавливается: последний период ${last ? `с ${formatDateShort(last.from)} по ${formatDateShort(last.to)}` : '— нет (остановка до начала аренды)'}.` },
      }),
    );
    return { last_period_to: last?.to ?? '' };
  },
};

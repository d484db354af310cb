import type { RobotDefinition } from '../framework/types.js';
import { AppError } from '../../errors.js';
import { todayIn } from '../../invoicing/period.js';
import { formatDateShort } from '../../documents/dates.js';
import { LEASE_PROPERTY_LABELS, parseLeaseTerms } from '../../leases/terms.js';
import { controlDate, nextPeriodAfter, periodCount } from '../../leases/periods.js';
import { saveSchedule, type ContractDeal, type ContractRow } from '../../storage/leases.js';
import { runLeaseScheduler } from '../../leasing/tick.js';
import { startProperties, startReturnProperties, startSchema, type StartProps } from './definition.js';

interface Row {
  PRODUCT_NAME?: unknown;
  PRICE?: unknown;
  QUANTITY?: unknown;
  TAX_RATE?: unknown;
  TAX_INCLUDED?: unknown;
  MEASURE_CODE?: unknown;
}

const kopecks = (v: unknown) => Math.round(Number(v ?? 0) * 100);

/**
 * start_lease_billing, on the contract deal: the lease bills itself from now on. On each control date the scheduler
 * creates the next period's deal (whose first stage starts the invoicing robots). Called again for the same deal it
 * replaces the schedule from the next period on (a new price, an extended end) and says so on the deal.
 */
export const startLeaseBilling: RobotDefinition<StartProps> = {
  code: 'start_lease_billing',
  name: { ru: 'QR-биллинг: начать выставление по договору аренды', en: 'QR billing: start lease billing' },
  description: {
    ru: 'Каждый период создаёт сделку следующего периода (с клиентом, строками и датами периода) в контрольную дату, до окончания аренды.',
    en: "Creates the next period's deal on each control date (client, rows, period dates) until the lease ends.",
  },
  useSubscription: true,
  properties: startProperties,
  returnProperties: startReturnProperties,
  schema: startSchema,
  async run(ctx, props) {
    const tz = ctx.portal.time_zone;
    const properties = Object.fromEntries(Object.keys(LEASE_PROPERTY_LABELS).map((k) => [k, props[k] === undefined || props[k] === null ? '' : String(props[k])]));
    const terms = parseLeaseTerms(properties, tz);
    const dealId = ctx.call.document.id;
    const res = await ctx.bitrix.batch({
      deal: { method: 'crm.deal.get', params: { id: dealId } },
      rows: { method: 'crm.deal.productrows.get', params: { id: dealId } },
      link: { method: 'crm.requisite.link.get', params: { entityTypeId: 2, entityId: dealId } },
    });
    const deal = res.result.deal as Record<string, unknown> | undefined;
    if (!deal) throw new AppError('DEAL_NOT_FOUND', `Сделка ${dealId} не найдена.`);
    ctx.noteDeal(deal);
    const rows = ((res.result.rows as Row[] | undefined) ?? []).map(
      (r): ContractRow => ({
        name: String(r.PRODUCT_NAME ?? '').trim(),
        priceKopecks: kopecks(r.PRICE),
        quantity: Number(r.QUANTITY ?? 1) || 1,
        taxRate: r.TAX_RATE === null || r.TAX_RATE === undefined || r.TAX_RATE === '' ? null : Number(r.TAX_RATE),
        taxIncluded: r.TAX_INCLUDED === 'Y',
        measureCode: Number(r.MEASURE_CODE ?? 0) || null,
      }),
    );
    if (!rows.length || rows.every((r) => r.priceKopecks <= 0)) {
      throw new AppError('LEASE_WITHOUT_ROWS', 'В сделке-договоре нет товаров с ценой: добавьте строку аренды (например, «Арендная плата за {month} {year} г.») с ценой за целый период.');
    }
    const link = res.result.link as { REQUISITE_ID?: unknown; BANK_DETAIL_ID?: unknown; MC_REQUISITE_ID?: unknown; MC_BANK_DETAIL_ID?: unknown } | undefined;
    const categoryId = Number(deal.CATEGORY_ID ?? 0);
    const contract: ContractDeal = {
      title: String(deal.TITLE ?? `Сделка ${dealId}`),
      companyId: Number(deal.COMPANY_ID ?? 0),
      contactId: Number(deal.CONTACT_ID ?? 0),
      assignedById: Number(deal.ASSIGNED_BY_ID ?? 0) || ctx.portal.user_id || 0,
      categoryId,
      targetCategoryId: props.target_category_id ?? categoryId,
      targetStageId: props.target_stage_id ?? null,
      requisiteLink: link && Number(link.REQUISITE_ID)
        ? { REQUISITE_ID: Number(link.REQUISITE_ID), BANK_DETAIL_ID: Number(link.BANK_DETAIL_ID ?? 0), MC_REQUISITE_ID: Number(link.MC_REQUISITE_ID ?? 0), MC_BANK_DETAIL_ID: Number(link.MC_BANK_DETAIL_ID ?? 0) }
        : null,
    };
    const now = ctx.clock.now();
    const today = todayIn(tz, now);
    const { schedule, updated } = await saveSchedule(ctx.deps.database.db, {
      memberId: ctx.portal.member_id,
      contractDealId: dealId,
      properties,
      deal: contract,
      rows,
      scheduledOn: today,
      now,
    });
    // A control date that has come already (a lease started last week) is billed now, not at the next pass.
    await runLeaseScheduler(ctx.deps, { memberId: ctx.portal.member_id, scheduleId: schedule.id });
    const next = nextPeriodAfter(terms, today, today);
    const total = periodCount(terms);
    await ctx.effect('comment', () =>
      ctx.bitrix.call('crm.timeline.comment.add', {
        fields: {
          ENTITY_ID: dealId,
          ENTITY_TYPE: 'deal',
          COMMENT: `${updated ? 'График выставления обновлён (с ближайшего периода)' : 'Запущено выставление по договору аренды'}: ${rows.length} строк, ` +
            (next ? `следующая сделка — за период с ${formatDateShort(next.from)} по ${formatDateShort(next.to)}, создаётся ${formatDateShort(controlDate(next, terms))}` : 'новых периодов нет') +
            (terms.end ? `; аренда до ${formatDateShort(terms.end)}` : '; бессрочно') + '.',
        },
      }),
    );
    return {
      schedule_id: schedule.id,
      next_control_date: next ? controlDate(next, terms) : '',
      next_period_from: next?.from ?? '',
      next_period_to: next?.to ?? '',
      periods_total: total === null ? '' : String(total),
    };
  },
};

import type { AppDeps } from '../deps.js';
import { dealRef } from '../crm/dealRef.js';
import type { JobHandler } from '../jobs/types.js';
import { AppError, errorMessage, isPermanent } from '../errors.js';
import { getPortal } from '../storage/portals.js';
import { finishPeriod, getSchedule, notePeriodFailure } from '../storage/leases.js';
import { ufName } from '../crm/dealFields.js';
import { notifyUser } from '../crm/dealWrites.js';
import { formatDateShort } from '../documents/dates.js';
import { formatMoney, kopecksToDecimal } from '../documents/money.js';
import { leasePeriods } from '../leases/periods.js';
import { periodRowAmounts } from '../leases/proration.js';
import { periodText, renderRowName } from '../leases/rowText.js';
import { termsOf } from './terms.js';
import { runLeaseScheduler } from './tick.js';
import { leaseRetryDelayMs, type LeasePeriodPayload } from './periodJob.js';

/**
 * Creates the deal of one lease period: «<contract title> — <period>», the contract's client, responsible and
 * requisite link, the target pipeline and stage, rows with the period's text and pro-rated / indexed prices, the
 * period and contract fields, and a link back (a field with the contract deal's id, a comment on both deals). The
 * deal is looked for before it is added, so a retry after an unanswered add never makes two.
 */
export function leasePeriodJobHandler(deps: AppDeps): JobHandler<LeasePeriodPayload> {
  return async (job, ctx) => {
    const { memberId, scheduleId, from } = job.payload;
    const { db } = deps.database;
    const portal = await getPortal(db, memberId);
    const schedule = await getSchedule(db, memberId, scheduleId);
    if (!portal || portal.status === 'uninstalled' || !schedule) return;
    const terms = termsOf(schedule, portal.time_zone);
    let period;
    let last = false;
    for (const p of leasePeriods(terms)) {
      if (period) {
        last = false;
        break;
      }
      if (p.from === from) {
        period = p;
        last = true;
      }
      if (p.from > from) break;
    }
    if (!period) {
      await finishPeriod(db, scheduleId, from, 'failed', null, 'период больше не входит в срок аренды', deps.clock.now());
      return;
    }
    const client = deps.bitrix.forPortal(memberId);
    const c = schedule.deal;
    const amounts = periodRowAmounts(
      terms,
      period,
      schedule.rows.map((r) => ({ name: r.name, amountKopecks: Math.round(r.priceKopecks * r.quantity) })),
    );
    const text = periodText(period);
    const basis = terms.contractNumber ? `Договор № ${terms.contractNumber}${terms.contractDate ? ` от ${formatDateShort(terms.contractDate)}` : ''}` : '';
    const fields: Record<string, unknown> = {
      TITLE: `${c.title} — ${text}`,
      CATEGORY_ID: c.targetCategoryId,
      ...(c.targetStageId ? { STAGE_ID: c.targetStageId } : {}),
      ASSIGNED_BY_ID: c.assignedById,
      ...(c.companyId ? { COMPANY_ID: c.companyId } : {}),
      ...(c.contactId ? { CONTACT_ID: c.contactId } : {}),
      OPPORTUNITY: kopecksToDecimal(amounts.reduce((s, a) => s + a.amountKopecks, 0)),
      CURRENCY_ID: 'RUB',
      [ufName('QRB_PER_FROM')]: period.from,
      [ufName('QRB_PER_TO')]: period.to,
      [ufName('QRB_CONTRACT')]: String(schedule.contract_deal_id),
      ...(basis ? { [ufName('QRB_BASIS')]: basis } : {}),
    };
    try {
      const dealId = await ctx.effect('deal', async () => {
        // An earlier attempt may have added it and lost the answer: look first. The client is read in the same batch:
        // crm.deal.add takes the id of a deleted company without a word, and a period deal without its client would
        // only fail later, at the invoice.
        const res = await client.batch({
          found: { method: 'crm.deal.list', params: { filter: { [ufName('QRB_CONTRACT')]: String(schedule.contract_deal_id), [ufName('QRB_PER_FROM')]: period.from }, select: ['ID'] } },
          ...(c.companyId ? { company: { method: 'crm.company.get', params: { id: c.companyId } } } : {}),
          ...(c.contactId ? { contact: { method: 'crm.contact.get', params: { id: c.contactId } } } : {}),
        });
        const found = res.result.found as Array<{ ID?: unknown }> | undefined;
        const existing = Array.isArray(found) ? Number(found[0]?.ID ?? 0) : 0;
        if (existing) return existing;
        if (res.errors.found) throw new AppError('LEASE_PERIOD_LOOKUP_FAILED', `поиск сделки периода: ${res.errors.found.error_description || res.errors.found.error}`, { retryable: true });
        const gone = clientGone(res.errors, c);
        if (gone) throw new AppError('LEASE_CLIENT_GONE', gone);
        return Number(await client.call('crm.deal.add', { fields, params: { REGISTER_SONET_EVENT: 'Y' } }));
      });
      await ctx.effect('rows', () =>
        client.call('crm.deal.productrows.set', {
          id: dealId,
          rows: schedule.rows.map((r, i) => {
            const amount = amounts[i]!.amountKopecks;
            // Quantity kept when the period amount divides by it (120 m² × price); else one line for the period.
            const whole = Number.isInteger(r.quantity) && r.quantity > 0 && amount % r.quantity === 0;
            return {
              PRODUCT_NAME: renderRowName(r.name, period),
              PRICE: kopecksToDecimal(whole ? Math.round(amount / r.quantity) : amount),
              QUANTITY: whole ? r.quantity : 1,
              ...(r.taxRate !== null ? { TAX_RATE: r.taxRate, TAX_INCLUDED: r.taxIncluded ? 'Y' : 'N' } : {}),
              ...(r.measureCode ? { MEASURE_CODE: r.measureCode } : {}),
            };
          }),
        }),
      );
      if (c.requisiteLink) {
        await ctx.effect('requisite-link', () => client.call('crm.requisite.link.register', { fields: { ENTITY_TYPE_ID: 2, ENTITY_ID: dealId, ...c.requisiteLink } }));
      }
      const total = formatMoney(amounts.reduce((s, a) => s + a.amountKopecks, 0));
      await ctx.effect('comments', () =>
        client.batch({
          child: {
            method: 'crm.timeline.comment.add',
            params: { fields: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal', COMMENT: `Сделка периода ${text} по договору аренды: ${dealRef(schedule.contract_deal_id, c.title)}. Сумма ${total} ₽${period.partial ? ' (неполный период, по дням)' : ''}.` } },
          },
          contract: {
            method: 'crm.timeline.comment.add',
            params: { fields: { ENTITY_ID: schedule.contract_deal_id, ENTITY_TYPE: 'deal', COMMENT: `Создана сделка периода ${text}: ${dealRef(dealId, String(fields.TITLE))}, ${total} ₽.${last && terms.end ? ` ${leaseEndText(terms.end)}` : ''}` } },
          },
        }),
      );
      await finishPeriod(db, scheduleId, from, 'created', dealId, null, deps.clock.now());
      deps.log.info({ memberId, scheduleId, period: from, dealId }, 'lease period deal created');
      // A missed period after this one (downtime) is claimed now, in order, rather than at the next pass.
      await runLeaseScheduler(deps, { memberId, scheduleId });
    } catch (err) {
      // The contract's client or pipeline is gone, or the portal refuses: tell the responsible once per period and
      // keep retrying with growing pauses — the period stays claimed, so later periods wait behind it (oldest first)
      // and it is never skipped. Only a job out of attempts marks it failed; the scheduler then starts a new one.
      if (isPermanent(err) || ctx.isLastAttempt) {
        await ctx.effect('notify-failure', () =>
          notifyUser(client, c.assignedById, `QR-биллинг: не удалось создать сделку периода ${text} по договору ${dealRef(schedule.contract_deal_id, c.title)}: ${errorMessage(err)}. Исправьте сделку-договор (и запустите робот «начать выставление» снова) — попытки продолжаются.`, `qrbill:lease:${scheduleId}:${from}`),
        );
      }
      await notePeriodFailure(db, scheduleId, from, ctx.isLastAttempt ? 'failed' : 'claimed', errorMessage(err), deps.clock.now());
      throw new AppError('LEASE_PERIOD_NOT_CREATED', `deal of period ${from} of schedule ${scheduleId}: ${errorMessage(err)}`, {
        cause: err,
        retryable: !ctx.isLastAttempt,
        retryAfterMs: leaseRetryDelayMs(job.attempt),
      });
    }
  };
}

/** What is wrong with the contract's client when the lookup batch could not read it (deleted, or no access). */
function clientGone(errors: Record<string, { error: string; error_description: string }>, c: { companyId: number; contactId: number }): string | null {
  if (errors.company) return `компания клиента (ID ${c.companyId}) не найдена — удалена? (${errors.company.error_description || errors.company.error})`;
  if (errors.contact) return `контакт клиента (ID ${c.contactId}) не найден — удалён? (${errors.contact.error_description || errors.contact.error})`;
  return null;
}

/** The end of the lease as said on the contract deal with its last period's deal. */
function leaseEndText(end: string): string {
  return `Это последний период: аренда по договору заканчивается ${formatDateShort(end)}, выставление завершено — новых сделок по договору не будет.`;
}

import type { AppDeps } from '../deps.js';
import { dealRef } from '../crm/dealRef.js';
import type { JobHandler } from '../jobs/types.js';
import { isPermanent } from '../errors.js';
import { formatMoney, kopecksToDecimal } from '../documents/money.js';
import { formatDateShort } from '../documents/dates.js';
import { getPayment, invoicePaid, invoicePaidThrough } from '../storage/payments.js';
import { getDocument } from '../storage/documents.js';
import { getPortal } from '../storage/portals.js';
import { ufName } from '../crm/dealFields.js';
import { notifyUser, writeDealResults } from '../crm/dealWrites.js';
import { AUTOMATION_TRIGGERS, fireDealTrigger } from '../crm/automationTriggers.js';
import type { PaymentEffectsPayload } from './effectsJob.js';
import { resolvePaymentWaits } from '../robots/wait_for_payment/waits.js';

const rub = (k: number) => `${formatMoney(k)} ₽`;

/**
 * What a recorded payment does in the portal, each step journaled so a retry repeats none: for every invoice it
 * paid, a timeline comment on the deal («Оплата 25 000,00 ₽ по счёту № 15, п/п 588 от 02.12.2026»), the deal
 * fields «Оплачено» and «Дата оплаты», and the automation trigger «счёт оплачен» or «оплачен частично»; the
 * responsible user is told about partial, over- and unmatched payments.
 */
export function paymentEffectsJobHandler(deps: AppDeps): JobHandler<PaymentEffectsPayload> {
  return async (job, ctx) => {
    const { memberId, paymentId } = job.payload;
    const { db } = deps.database;
    const portal = await getPortal(db, memberId);
    const payment = await getPayment(db, memberId, paymentId);
    if (!portal || portal.status === 'uninstalled' || !payment) return;
    // The importer answers these waits right after its commit; this durable job answers them when it died first.
    // Each wait is claimed once, so answering twice is a no-op.
    await resolvePaymentWaits(deps, memberId, payment.allocations.map((a) => a.invoiceId));
    const client = deps.bitrix.forPortal(memberId);
    const order = `п/п ${payment.number} от ${formatDateShort(payment.pay_date)}`;

    for (const a of payment.allocations) {
      const invoice = await getDocument(db, memberId, a.invoiceId);
      if (!invoice || invoice.kind !== 'invoice') continue;
      const paid = await invoicePaid(db, memberId, invoice.id);
      // The invoice as this payment left it, not as it is now: when two payments of one statement complete it, the
      // first says «оплачен частично» and fires that trigger, and only the second fires «оплачен».
      const through = await invoicePaidThrough(db, memberId, invoice.id, payment.id);
      const paidInFull = through >= invoice.amount_kopecks;
      const text = `Оплата ${rub(a.amountKopecks)} по счёту № ${invoice.number}, ${order}` +
        (paidInFull ? ' — счёт оплачен полностью' : `; оплачено ${rub(through)} из ${rub(invoice.amount_kopecks)}`);
      await ctx.effect(`deal:${invoice.id}`, () =>
        writeDealResults(
          client,
          invoice.deal_id,
          { [ufName('QRB_PAID_SUM')]: `${kopecksToDecimal(paid.paidKopecks)}|RUB`, [ufName('QRB_PAID_DATE')]: paid.lastPaidOn ?? payment.pay_date },
          { text, marker: `${order}, счёт № ${invoice.number}`, lookFirst: true },
        ),
      );
      const trigger = invoice.state === 'cancelled' ? undefined : paidInFull ? AUTOMATION_TRIGGERS.invoicePaid : AUTOMATION_TRIGGERS.invoicePartlyPaid;
      if (trigger) {
        await ctx.effect(`trigger:${invoice.id}:${trigger.code}`, () =>
          fireDealTrigger(client, trigger, invoice.deal_id).catch((err: unknown) => {
            // Not registered (an install without admin rights) or refused: the payment stands; moving the deal
            // by trigger is the admin's to fix, and retrying would not help.
            if (!isPermanent(err)) throw err;
            deps.log.warn({ err, memberId, dealId: invoice.deal_id, trigger: trigger.code }, 'automation trigger refused');
          }),
        );
      }
      if (payment.result === 'partially_paid' || payment.result === 'overpaid') {
        await ctx.effect(`notify:${invoice.id}`, () => notifyResponsible(deps, memberId, invoice.deal_id, noticeText(payment.result, text, payment.excess_kopecks)));
      }
    }
    if (payment.result === 'manual') {
      const candidate = payment.candidates[0] ? await getDocument(db, memberId, payment.candidates[0]) : undefined;
      const message =
        `Платёж ${rub(payment.amount_kopecks)} от ${payment.payer_name || `ИНН ${payment.payer_inn}`} (${order}) не сопоставлен со счётом: ${payment.reason}. ` +
        `Сопоставьте его: qrbill payments ${memberId} match ${payment.id} <номер счёта>`;
      if (candidate) await ctx.effect('notify:manual', () => notifyResponsible(deps, memberId, candidate.deal_id, message));
      else deps.log.warn({ memberId, paymentId }, 'unmatched payment with no candidate invoice: it waits in qrbill payments');
    }
  };
}

function noticeText(result: string, text: string, excessKopecks: number): string {
  if (result === 'overpaid') return `QR-биллинг: переплата ${rub(excessKopecks)}. ${text}`;
  return `QR-биллинг: частичная оплата. ${text}`;
}

async function notifyResponsible(deps: AppDeps, memberId: string, dealId: number, message: string): Promise<boolean> {
  const client = deps.bitrix.forPortal(memberId);
  const deal = (await client.call('crm.deal.get', { id: dealId })) as { ASSIGNED_BY_ID?: unknown; TITLE?: unknown } | undefined;
  const userId = Number(deal?.ASSIGNED_BY_ID ?? 0);
  if (!userId) return false;
  const title = typeof deal?.TITLE === 'string' && deal.TITLE ? deal.TITLE : `сделка ${dealId}`;
  return notifyUser(client, userId, `${dealRef(dealId, title)}: ${message}`, `qrbill:payment:${dealId}`);
}

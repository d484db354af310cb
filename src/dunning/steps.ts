import type { AppDeps } from '../deps.js';
import { dealRef } from '../crm/dealRef.js';
import type { JobHandler } from '../jobs/types.js';
import { formatMoney } from '../documents/money.js';
import { formatDateShort } from '../documents/dates.js';
import { getDocument } from '../storage/documents.js';
import { getPortal } from '../storage/portals.js';
import { getPortalSettings } from '../settings/portalSettings.js';
import { invoicePaid } from '../storage/payments.js';
import { finishStep } from '../storage/overdueSteps.js';
import { notifyUser, writeDealResults } from '../crm/dealWrites.js';
import { AUTOMATION_TRIGGERS, fireDealTrigger } from '../crm/automationTriggers.js';
import { findHead } from '../crm/orgStructure.js';
import { loadSendSources } from '../robots/send_documents/sources.js';
import { sendLetter } from '../robots/send_documents/letter.js';
import { isPermanent } from '../errors.js';
import { daysOverdue } from '../overdue/planner.js';
import { ladderActionName } from '../overdue/ladder.js';
import { penaltyOfInvoice } from './penaltyOf.js';
import type { OverdueStepsPayload } from './stepJob.js';

const rub = (k: number) => `${formatMoney(k)} ₽`;

/**
 * Carries out the ladder steps of one invoice, in order, each journaled (a retry repeats none): client reminders
 * as CRM e-mails with the invoice attached, notifications to the manager (with a to-do and the «Счёт просрочен»
 * trigger), the manager's head (found along the org structure) and the accountants; each step, also a skipped
 * one, written on the deal's timeline. An invoice paid or cancelled meanwhile stops here.
 */
export function overdueStepsJobHandler(deps: AppDeps): JobHandler<OverdueStepsPayload> {
  return async (job, ctx) => {
    const { memberId, invoiceId, steps } = job.payload;
    const { db } = deps.database;
    const portal = await getPortal(db, memberId);
    const invoice = await getDocument(db, memberId, invoiceId);
    if (!portal || portal.status === 'uninstalled' || !invoice || invoice.kind !== 'invoice') return;
    const now = deps.clock.now();
    if (invoice.state === 'paid' || invoice.state === 'cancelled') {
      for (const s of steps.filter((x) => !x.skipped)) await finishStep(db, invoiceId, s.key, 'skipped', `не выполнен: счёт ${invoice.state === 'paid' ? 'оплачен' : 'отменён'}`, now);
      return;
    }
    const client = deps.bitrix.forPortal(memberId);
    const settings = await getPortalSettings(db, memberId);
    const deal = ((await client.call('crm.deal.get', { id: invoice.deal_id })) ?? {}) as { ASSIGNED_BY_ID?: unknown; TITLE?: unknown };
    const managerId = Number(deal.ASSIGNED_BY_ID ?? 0) || portal.user_id || 0;
    const paid = await invoicePaid(db, memberId, invoiceId);
    const remainder = Math.max(0, invoice.amount_kopecks - paid.paidKopecks);
    const days = invoice.due_date ? daysOverdue(invoice.due_date, now, portal.time_zone) : 0;
    const penalty = await penaltyOfInvoice(db, settings, invoice, now, portal.time_zone);
    const title = typeof deal.TITLE === 'string' && deal.TITLE ? deal.TITLE : `сделка ${invoice.deal_id}`;
    const dealLink = dealRef(invoice.deal_id, title);
    const what = `счёт № ${invoice.number} от ${formatDateShort(invoice.doc_date)} на ${rub(invoice.amount_kopecks)}` +
      (invoice.due_date ? `, срок оплаты ${formatDateShort(invoice.due_date)}` : '') +
      (days ? `, просрочка ${days} дн.` : '') +
      (paid.paidKopecks ? `, оплачено ${rub(paid.paidKopecks)}, осталось ${rub(remainder)}` : '') +
      (penalty && penalty.kopecks ? `, пени ${rub(penalty.kopecks)}` : '');
    const notify = (userId: number, tag: string) =>
      notifyUser(client, userId, `QR-биллинг: ${dealLink} — ${what}`, `qrbill:overdue:${invoiceId}:${tag}`);

    for (const step of steps) {
      let detail: string;
      if (step.skipped) {
        detail = `${ladderActionName(step.action)} пропущено: ${step.skipped === 'late' ? 'опоздание больше двух дней (сервис был недоступен), напоминание не отправлено задним числом' : 'срок шага прошёл до выставления счёта'}`;
      } else if (step.action === 'client_reminder' || step.action === 'client_overdue_reminder') {
        const originId = `qrbill-overdue-${invoiceId}-${step.key}`;
        const sources = await loadSendSources(client, invoice.deal_id, originId);
        const sent = await sendLetter(
          {
            deps,
            bitrix: client,
            memberId,
            dealId: invoice.deal_id,
            effect: (name, fn) => ctx.effect(`${step.key}:${name}`, fn),
            now,
            fallbackUserId: managerId,
            extra: { overdue: { days, remainder: formatMoney(remainder), ...(penalty && penalty.kopecks ? { penalty: formatMoney(penalty.kopecks) } : {}) } },
          },
          { documents: ['qr_invoice'], template: step.action === 'client_reminder' ? 'payment_reminder' : 'payment_overdue', cc_accountant: false },
          sources,
          originId,
        );
        detail = `${ladderActionName(step.action)}: письмо ${sent.recipients.join(', ')}`;
      } else if (step.action === 'notify_manager') {
        await ctx.effect(`${step.key}:notify`, () => notify(managerId, 'manager'));
        await ctx.effect(`${step.key}:todo`, () =>
          client.call('crm.activity.todo.add', {
            ownerTypeId: 2,
            ownerId: invoice.deal_id,
            deadline: new Date(now.getTime() + 24 * 3600_000).toISOString(),
            title: `Связаться с клиентом: просрочен счёт № ${invoice.number}`,
            description: `Просрочен ${what}.`,
            responsibleId: managerId,
          }),
        );
        await ctx.effect(`${step.key}:trigger`, () =>
          fireDealTrigger(client, AUTOMATION_TRIGGERS.invoiceOverdue, invoice.deal_id).catch((err: unknown) => {
            if (!isPermanent(err)) throw err;
            deps.log.warn({ err, memberId, invoiceId }, 'automation trigger «счёт просрочен» refused');
          }),
        );
        detail = `${ladderActionName(step.action)}, дело с крайним сроком и триггер «Счёт просрочен»`;
      } else if (step.action === 'notify_head') {
        const head = await findHead(client, managerId);
        if (head.found) {
          await ctx.effect(`${step.key}:notify`, () => notify(head.headId, 'head'));
          detail = `${ladderActionName(step.action)} (пользователь ${head.headId})`;
        } else {
          // No one to escalate to along the org structure: the accountants learn instead, and the log says why.
          deps.log.warn({ memberId, invoiceId, managerId, reason: head.reason }, 'no head found for the manager; the accountants are told instead');
          for (const id of settings.accountantUserIds) await ctx.effect(`${step.key}:notify:${id}`, () => notify(id, 'head-fallback'));
          detail = `руководитель не найден (${head.reason === 'no_department' ? 'у ответственного нет отдела' : head.reason === 'no_head' ? 'у отдела нет руководителя' : 'пользователь не найден'}), уведомлены бухгалтеры`;
        }
      } else {
        for (const id of settings.accountantUserIds) await ctx.effect(`${step.key}:notify:${id}`, () => notify(id, 'accountant'));
        if (!settings.accountantUserIds.length) deps.log.warn({ memberId, invoiceId }, 'no accountants set (qrbill settings … accountantUserIds=[…]): nobody told');
        detail = settings.accountantUserIds.length ? ladderActionName(step.action) : `${ladderActionName(step.action)}: бухгалтеры не указаны в настройках`;
      }
      await ctx.effect(`${step.key}:timeline`, () =>
        writeDealResults(client, invoice.deal_id, {}, {
          text: `Просрочка (шаг ${step.key}, счёт № ${invoice.number}): ${detail}. ${what[0]!.toUpperCase()}${what.slice(1)}.`,
          marker: `шаг ${step.key}, счёт № ${invoice.number})`,
          lookFirst: true,
        }),
      );
      await finishStep(db, invoiceId, step.key, step.skipped ? 'skipped' : 'done', detail, now);
    }
  };
}

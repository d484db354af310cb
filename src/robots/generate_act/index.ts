import type { RobotDefinition, RobotRunContext } from '../framework/types.js';
import type { DocumentModel } from '../../documents/model.js';
import type { DealSources } from '../../crm/dealSources.js';
import type { StoredDocument } from '../../storage/documents.js';
import type { Period } from '../../invoicing/period.js';
import { actProperties, actReturnProperties, actSchema, type ActProps } from './definition.js';
import { billedInvoiceFor, chooseActPeriod } from './period.js';
import { actModelFromInvoice } from './model.js';
import { markActSigned } from './state.js';
import { loadSources, dealPeriod, dealBasis } from '../shared/dealContext.js';
import { documentLinks } from '../shared/documentLinks.js';
import { issueNumbered } from '../shared/issueNumbered.js';
import { AppError } from '../../errors.js';
import { getPortalSettings } from '../../settings/portalSettings.js';
import { findDocumentByKey, getDocument, latestDocumentForDeal, latestMatchingDocument } from '../../storage/documents.js';
import { documentFromDeal } from '../../invoicing/documentFromDeal.js';
import { todayIn, periodLabel } from '../../invoicing/period.js';
import { formatMoney } from '../../documents/money.js';
import { formatDateShort } from '../../documents/dates.js';
import { recordOnDeal } from '../shared/recordOnDeal.js';
import { ufName } from '../../crm/dealFields.js';

/** Same deal and period → the same act, however often the robot runs. */
export const actIdempotencyKey = (memberId: string, dealId: number, period: Period) =>
  `act:${memberId}:${dealId}:${period.from}:${period.to}`;

/** The invoice named by `invoice_id`: it must be an invoice of this portal and this deal. */
async function requestedInvoice(ctx: RobotRunContext, id: number | undefined): Promise<StoredDocument | undefined> {
  if (id === undefined) return undefined;
  const doc = await getDocument(ctx.deps.database.db, ctx.portal.member_id, id);
  if (!doc || doc.kind !== 'invoice' || doc.deal_id !== ctx.call.document.id) {
    throw new AppError('INVOICE_NOT_FOUND', `Счёт с ID ${id} не найден в этой сделке: проверьте параметр робота «ID счёта».`, {
      details: { invoiceId: id },
    });
  }
  if (doc.state === 'cancelled') {
    throw new AppError('INVOICE_CANCELLED', `Счёт № ${doc.number} аннулирован: акт по нему не выставляется.`, {
      details: { invoiceId: id },
    });
  }
  return doc;
}

interface ActPlan {
  period: Period;
  key: string;
  billed: StoredDocument | undefined;
}

async function planAct(ctx: RobotRunContext, props: ActProps, sources: DealSources): Promise<ActPlan> {
  const { db } = ctx.deps.database;
  const memberId = ctx.portal.member_id;
  const dealId = ctx.call.document.id;
  const requested = await requestedInvoice(ctx, props.invoice_id);
  const lastInvoice = await latestDocumentForDeal(db, memberId, dealId, 'invoice');
  const { period } = chooseActPeriod({
    explicit: props.period_from && props.period_to ? { from: props.period_from, to: props.period_to } : undefined,
    requestedInvoice: requested,
    lastInvoice,
    dealPeriod: dealPeriod(sources.deal, ctx.portal.time_zone),
    now: ctx.clock.now(),
    timeZone: ctx.portal.time_zone,
  });
  return {
    period,
    key: actIdempotencyKey(memberId, dealId, period),
    billed: billedInvoiceFor({ requestedInvoice: requested, lastInvoice, period }),
  };
}

/**
 * The act whose signed original came back: the one for the robot's period or invoice, else the one for
 * the period of the deal's last invoice, else the deal's latest act (an act is signed after the next
 * month's invoice has often been issued). Marking never issues an act: the signature is for a
 * document the client has.
 */
async function actToMarkSigned(ctx: RobotRunContext, props: ActProps, plan: ActPlan): Promise<StoredDocument> {
  const { db } = ctx.deps.database;
  const memberId = ctx.portal.member_id;
  const dealId = ctx.call.document.id;
  const explicit = props.period_from !== undefined || props.invoice_id !== undefined;
  const act =
    (props.invoice_id !== undefined
      ? await latestMatchingDocument(db, memberId, dealId, 'act', { invoiceId: props.invoice_id })
      : undefined) ??
    (await findDocumentByKey(db, plan.key)) ??
    (explicit ? undefined : await latestDocumentForDeal(db, memberId, dealId, 'act'));
  if (!act) {
    throw new AppError(
      'ACT_NOT_ISSUED',
      `Отметить получение подписанного оригинала нельзя: акт за ${periodLabel(plan.period.from, plan.period.to)} по сделке не выставлен. ` +
        'Сначала выставьте акт роботом «QR-биллинг: выставить акт» без параметра «Получен подписанный оригинал».',
      { details: { period: plan.period } },
    );
  }
  return act;
}

/**
 * An act confirms services rendered, so it is dated no earlier than the last day of its period; a run
 * before that is refused with the date the act can be issued, unless the robot says «Выставить досрочно».
 * Returns whether the act is early (and allowed): its snapshot then says so. A rerun for a period whose
 * act exists gets that act back, early or not.
 */
async function earlyAllowed(ctx: RobotRunContext, props: ActProps, plan: ActPlan, today: string): Promise<boolean> {
  if (today >= plan.period.to) return false;
  if (props.allow_early || (await findDocumentByKey(ctx.deps.database.db, plan.key))) return true;
  const end = formatDateShort(plan.period.to);
  throw new AppError(
    'ACT_TOO_EARLY',
    `Акт за ${periodLabel(plan.period.from, plan.period.to)} можно выставить не раньше ${end} — последнего дня периода ` +
      `(сегодня ${formatDateShort(today)}). Запустите робот ${end} или позже, либо задайте в роботе «Выставить досрочно» = Да.`,
    { details: { period: plan.period, today } },
  );
}

async function issueAct(ctx: RobotRunContext, props: ActProps, plan: ActPlan, sources: DealSources) {
  const { db } = ctx.deps.database;
  const memberId = ctx.portal.member_id;
  const now = ctx.clock.now();
  // Dated the day it is drawn up, even when that is after the period (the usual case).
  const today = todayIn(ctx.portal.time_zone, now);
  const early = await earlyAllowed(ctx, props, plan, today);
  const settings = await getPortalSettings(db, memberId);
  let model: DocumentModel;
  let warnings: string[] = [];
  if (plan.billed) {
    model = actModelFromInvoice(plan.billed.snapshot, { date: today, period: plan.period });
  } else {
    const vatOverride = settings.vatOverride;
    const basis = dealBasis(sources.deal);
    ({ model, warnings } = documentFromDeal({
      kind: 'act',
      date: today,
      period: plan.period,
      rows: sources.rows,
      client: sources.client,
      clientRequisites: sources.clientRequisites,
      linkedClientRequisiteId: sources.linkedClientRequisiteId,
      seller: sources.seller,
      ...(vatOverride ? { vatOverride } : {}),
      ...(basis ? { basis } : {}),
    }));
  }
  // The snapshot says it was issued early on purpose, so it still renders later.
  if (early) model = { ...model, allowEarly: true };
  const { doc, created } = await issueNumbered(ctx, {
    kind: 'act',
    model,
    key: plan.key,
    numberTemplate: settings.actNumberTemplate,
    period: plan.period,
    invoiceId: plan.billed?.id ?? null,
  });
  return { doc, created, warnings };
}

function resultOf(doc: StoredDocument, url: string) {
  return { act_id: doc.id, act_number: doc.number, act_date: doc.doc_date, act_url: url, act_state: doc.state };
}

function timelineComment(doc: StoredDocument, url: string, billed: StoredDocument | undefined, warnings: string[]): string {
  const period = doc.period_from && doc.period_to ? ` за ${periodLabel(doc.period_from, doc.period_to)}` : '';
  return [
    `[B]Акт № ${doc.number} от ${formatDateShort(doc.doc_date)}[/B] на ${formatMoney(doc.amount_kopecks)} руб.${period}`,
    ...(billed ? [`По счёту № ${billed.number} от ${formatDateShort(billed.doc_date)}`] : []),
    `Акт: ${url}`,
    ...warnings.map((w) => `⚠ ${w}`),
  ].join('\n');
}

export const generateAct: RobotDefinition<ActProps> = {
  code: 'generate_act',
  name: { ru: 'QR-биллинг: выставить акт', en: 'QR billing: issue act' },
  description: {
    ru: 'Формирует акт об оказании услуг за прошедший период (по выставленному счёту или товарам сделки), записывает номер и ссылку в поля сделки.',
    en: 'Issues the act for the elapsed period (from the billed invoice or the deal rows); writes number and link into deal fields.',
  },
  useSubscription: true,
  properties: actProperties,
  returnProperties: actReturnProperties,
  schema: actSchema,
  async run(ctx, props) {
    const sources = await loadSources(ctx);
    const plan = await planAct(ctx, props, sources);
    const memberId = ctx.portal.member_id;
    if (props.signed_original_received) {
      const act = await markActSigned(ctx.deps, memberId, (await actToMarkSigned(ctx, props, plan)).id);
      return resultOf(act, documentLinks(ctx.deps, act, ['act']).act);
    }
    const { doc, created, warnings } = await issueAct(ctx, props, plan, sources);
    const url = documentLinks(ctx.deps, doc, ['act']).act;
    await recordOnDeal(
      ctx,
      { doc, created },
      {
        [ufName('QRB_ACT_NO')]: doc.number,
        [ufName('QRB_ACT_DATE')]: doc.doc_date,
        [ufName('QRB_ACT_URL')]: url,
      },
      { text: timelineComment(doc, url, plan.billed, warnings), marker: url },
    );
    return resultOf(doc, url);
  },
};

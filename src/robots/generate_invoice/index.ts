import type { RobotDefinition, RobotRunContext } from '../framework/types.js';
import type { DealSources } from '../../crm/dealSources.js';
import { invoiceProperties, invoiceReturnProperties, invoiceSchema, vatFromOption, type InvoiceProps } from './definition.js';
import { loadSources, dealPeriod, dealBasis } from '../shared/dealContext.js';
import { documentLinks } from '../shared/documentLinks.js';
import { getPortalSettings } from '../../settings/portalSettings.js';
import { documentFromDeal } from '../../invoicing/documentFromDeal.js';
import { defaultPeriod, dueDateFor, todayIn, periodLabel } from '../../invoicing/period.js';
import { issueNumbered } from '../shared/issueNumbered.js';
import { formatMoney, kopecksToDecimal } from '../../documents/money.js';
import { formatDateShort } from '../../documents/dates.js';
import { documentTotals, paymentPurpose } from '../../documents/purpose.js';
import { recordOnDeal } from '../shared/recordOnDeal.js';
import { ufName } from '../../crm/dealFields.js';
import { createSmartInvoice } from './smartInvoice.js';
import { repeatedInvoiceWarnings } from './repeat.js';
import { findDocumentByKey, latestMatchingDocument } from '../../storage/documents.js';
import type { StoredDocument } from '../../storage/documents.js';

async function issueInvoice(ctx: RobotRunContext, props: InvoiceProps, sources: DealSources) {
  const { db } = ctx.deps.database;
  const memberId = ctx.portal.member_id;
  const dealId = ctx.call.document.id;
  const tz = ctx.portal.time_zone;
  const now = ctx.clock.now();
  const settings = await getPortalSettings(db, memberId);
  const today = todayIn(tz, now);
  const period =
    props.period_from && props.period_to
      ? { from: props.period_from, to: props.period_to }
      : (dealPeriod(sources.deal, tz) ?? defaultPeriod(now, tz));
  const dueDate = props.due_date ?? dueDateFor(today, props.due_days ?? settings.dueDays);
  const vatOverride = vatFromOption(props.vat_mode) ?? settings.vatOverride;
  const build = () =>
    documentFromDeal({
      kind: props.document_kind,
      date: today,
      dueDate,
      period,
      rows: sources.rows,
      client: sources.client,
      clientRequisites: sources.clientRequisites,
      linkedClientRequisiteId: sources.linkedClientRequisiteId,
      seller: sources.seller,
      ...(vatOverride ? { vatOverride } : {}),
      qr: settings.qrMode === 'link' && settings.bankPaymentLink ? { mode: 'link', link: settings.bankPaymentLink } : { mode: settings.qrMode === 'link' ? 'gost' : settings.qrMode },
      ...(dealBasis(sources.deal) ? { basis: dealBasis(sources.deal)! } : {}),
    });
  const repeated = (doc: StoredDocument) => {
    let current: unknown;
    try {
      current = build().model;
    } catch (err) {
      current = err;
    }
    return repeatedInvoiceWarnings(doc, props.document_kind, current);
  };

  if (!props.force_new) {
    // The deal's latest invoice for the period, also one forced earlier: the deal fields show that one.
    // Another call's invoice comes back as it is (the client may have it already); a retry of the
    // call that issued it goes on below and gets its own warnings again.
    const existing = await latestMatchingDocument(db, memberId, dealId, 'invoice', { period, notInStates: ['cancelled'] });
    if (existing && existing.created_by !== ctx.call.eventToken) {
      return { doc: existing, created: false, warnings: repeated(existing) };
    }
  }
  const { model, warnings } = build();
  if (props.document_kind === 'qr_invoice' && settings.qrMode === 'link' && !settings.bankPaymentLink) {
    warnings.push('В настройках выбран QR-код со ссылкой банка, но ссылка не задана: напечатан QR для оплаты по реквизитам (qrbill settings … bankPaymentLink=https://…).');
  }
  const periodKey = `invoice:${memberId}:${dealId}:${period.from}:${period.to}`;
  const callKey = `invoice:${memberId}:${dealId}:call:${ctx.call.eventToken}`;
  // A cancelled invoice keeps its key; the period is billed again under this call's own key.
  const key = props.force_new || (await findDocumentByKey(db, periodKey))?.state === 'cancelled' ? callKey : periodKey;
  const { doc, created } = await issueNumbered(ctx, {
    kind: 'invoice',
    model,
    key,
    numberTemplate: settings.invoiceNumberTemplate,
    period,
    dueDate,
    responsible: sources.responsible ?? null,
  });
  // Lost a race with a concurrent call for the same period: its invoice is the one.
  if (!created && doc.created_by !== ctx.call.eventToken) return { doc, created, warnings: repeated(doc) };
  return { doc, created, warnings };
}

export const generateInvoice: RobotDefinition<InvoiceProps> = {
  code: 'generate_invoice',
  name: { ru: 'QR-биллинг: выставить счёт', en: 'QR billing: issue invoice' },
  description: {
    ru: 'Формирует счёт и QR-счёт (ГОСТ Р 56042) по товарам сделки за период, записывает номер и ссылки в поля сделки.',
    en: 'Issues the invoice and QR-invoice (GOST R 56042) for the deal period; writes number and links into deal fields.',
  },
  useSubscription: true,
  properties: invoiceProperties,
  returnProperties: invoiceReturnProperties,
  schema: invoiceSchema,
  async run(ctx, props) {
    const sources = await loadSources(ctx);
    const { doc, created, warnings } = await issueInvoice(ctx, props, sources);
    const snapshot = doc.snapshot;
    const totals = documentTotals(snapshot);
    const purpose = paymentPurpose(snapshot, totals);
    const hasQr = snapshot.kind === 'qr_invoice' && snapshot.qr?.mode !== 'none';
    const links = documentLinks(ctx.deps, doc, hasQr ? ['invoice', 'qr_invoice', 'qr_png'] : ['invoice']);
    const period = doc.period_from && doc.period_to ? periodLabel(doc.period_from, doc.period_to) : '';
    await recordOnDeal(
      ctx,
      { doc, created },
      {
        [ufName('QRB_INV_NO')]: doc.number,
        [ufName('QRB_INV_DATE')]: doc.doc_date,
        [ufName('QRB_INV_SUM')]: `${kopecksToDecimal(doc.amount_kopecks)}|RUB`,
        [ufName('QRB_INV_DUE')]: doc.due_date ?? '',
        [ufName('QRB_INV_URL')]: links.invoice,
        [ufName('QRB_QRINV_URL')]: links.qr_invoice ?? '',
        [ufName('QRB_QR_PNG')]: links.qr_png ?? '',
        [ufName('QRB_PER_FROM')]: doc.period_from ?? '',
        [ufName('QRB_PER_TO')]: doc.period_to ?? '',
      },
      {
        text: [
          `[B]Счёт № ${doc.number} от ${formatDateShort(doc.doc_date)}[/B] на ${formatMoney(doc.amount_kopecks)} руб.${period ? ` за ${period}` : ''}, оплатить до ${doc.due_date ? formatDateShort(doc.due_date) : '—'}`,
          `Счёт: ${links.invoice}`,
          ...(links.qr_invoice ? [`Счёт с QR-кодом: ${links.qr_invoice}`] : []),
          ...warnings.map((w) => `⚠ ${w}`),
        ].join('\n'),
        marker: links.invoice,
      },
    );
    const smartInvoiceId = props.create_smart_invoice
      ? await ctx.effect('smart-invoice', () => createSmartInvoice(ctx, sources, snapshot, doc, { mayExist: !created }))
      : 0;
    return {
      invoice_id: doc.id,
      invoice_number: doc.number,
      invoice_date: doc.doc_date,
      invoice_url: links.invoice,
      qr_invoice_url: links.qr_invoice ?? '',
      qr_image_url: links.qr_png ?? '',
      amount_due: Number(kopecksToDecimal(doc.amount_kopecks)),
      due_date: doc.due_date ?? '',
      payment_purpose: purpose,
      smart_invoice_id: smartInvoiceId,
      warnings: warnings.join('\n'),
    };
  },
};

import { DateTime } from 'luxon';
import { listPayments, type PaymentWithAllocations } from '../../storage/payments.js';
import { invoicesByIds, type InvoiceListRow } from '../../storage/invoiceList.js';
import { manualQueueCount } from '../../storage/paymentQueue.js';
import { translate, type WebLang } from '../i18n/index.js';
import { mayChangeMoney } from '../moneyRights.js';
import type { Page } from './types.js';

const QUEUE_SHOWN = 100;
const RECENT_SHOWN = 30;

/** The words the page's script needs (the decisions of an upload are drawn in the browser). */
const SCRIPT_KEYS = [
  'pay.uploading', 'pay.processing', 'pay.done', 'pay.failed', 'pay.noConnection', 'pay.fileRequired',
  'pay.date', 'pay.docNumber', 'pay.payer', 'pay.amount', 'pay.result', 'pay.invoice', 'pay.reason', 'pay.inn',
  'pay.maybe', 'pay.noFile', 'pay.res.paid', 'pay.res.partially_paid', 'pay.res.overpaid', 'pay.res.manual', 'pay.res.duplicate', 'pay.res.skipped',
];

function paymentView(p: PaymentWithAllocations, lang: WebLang) {
  return {
    id: p.id,
    date: p.pay_date,
    number: p.number,
    amountKopecks: p.amount_kopecks,
    payerName: p.payer_name,
    payerInn: p.payer_inn,
    purpose: p.purpose,
    reason: p.reason,
    result: p.result,
    resultLabel: translate(lang, `pay.res.${p.result}`),
    matchedBy: p.matched_by === 'manual' ? translate(lang, 'pay.byHand') : p.matched_by === 'auto' ? translate(lang, 'pay.auto') : '',
    excessKopecks: p.excess_kopecks,
    invoices: p.allocations.map((a) => a.invoiceNumber).join(', '),
    matched: p.allocations.length > 0,
  };
}

/** The unmatched payments with their likely invoices, the statement upload, and what came in lately. */
export const paymentsPage: Page = {
  template: 'payments',
  nav: 'payments',
  title: 'pay.title',
  scripts: ['payments.js'],
  async load(deps, ctx) {
    const { db } = deps.database;
    const memberId = ctx.portal.member_id;
    const today = DateTime.fromJSDate(ctx.now, { zone: ctx.zone }).toISODate()!;
    const canChange = await mayChangeMoney(deps, ctx);
    const queue = await listPayments(db, memberId, { result: 'manual', limit: QUEUE_SHOWN });
    const queueCount = queue.length < QUEUE_SHOWN ? queue.length : await manualQueueCount(db, memberId);
    const candidates = new Map<number, InvoiceListRow>();
    for (const inv of await invoicesByIds(db, memberId, [...new Set(queue.flatMap((p) => p.candidates))], today)) candidates.set(inv.id, inv);
    const recent = await listPayments(db, memberId, { limit: RECENT_SHOWN });
    return {
      canChange,
      queueCount,
      queueMore: queueCount > queue.length,
      queueShown: queue.length,
      queue: queue.map((p) => ({
        ...paymentView(p, ctx.lang),
        candidates: p.candidates
          .map((id) => candidates.get(id))
          .filter((inv): inv is InvoiceListRow => inv !== undefined && inv.state !== 'cancelled' && inv.state !== 'paid')
          .map((inv) => ({ ...inv, matchBody: JSON.stringify({ invoiceId: inv.id }) })),
      })),
      recent: recent.map((p) => paymentView(p, ctx.lang)),
      words: Object.fromEntries(SCRIPT_KEYS.map((k) => [k, translate(ctx.lang, k)])),
    };
  },
};

import type { Page } from './types.js';
import { crmDealUrl } from '../portalLinks.js';
import type { WebContext } from '../context.js';
import type { DealTabView, InvoiceView, LeaseView } from '../deal/view.js';
import { dealTabView } from '../deal/view.js';
import { lookUpDealForView, mayActOnDeal, type DealLookup } from '../deal/access.js';
import { allocationsTo, dealDocuments, leaseOfDeal, overdueStepsOf, type DealDocument } from '../../storage/dealTab.js';
import { getPortalSettings } from '../../settings/portalSettings.js';
import { documentUrl } from '../../documents/links.js';
import { translate } from '../i18n/index.js';
import { formatDate, formatInstant, formatMoney } from '../format.js';

/**
 * The deal card's tab: the deal's invoices (with payments and the overdue ladder), acts, the lease it belongs to, and
 * the two things people do here by hand — note that the signed original of an act came back, send a document again.
 * Drawn without the app's navigation: it lives inside the CRM card.
 */
export const dealPage: Page = {
  template: 'deal',
  title: 'deal.title',
  frameOnly: true,
  scripts: ['deal.js'],
  async load(deps, ctx, query) {
    const dealId = Number(query.id);
    if (!Number.isInteger(dealId) || dealId <= 0) return { message: translate(ctx.lang, 'deal.noId') };
    const { db } = deps.database;
    const memberId = ctx.portal.member_id;
    // The portal is asked who is responsible while the database answers the rest; if it is slow (its request budget
    // is shared with the robots), the responsible kept with the deal's documents decides what the buttons show.
    const [documents, lease, settings, quick] = await Promise.all([
      dealDocuments(db, memberId, dealId),
      leaseOfDeal(db, memberId, dealId),
      getPortalSettings(db, memberId),
      lookUpDealForView(deps, memberId, dealId, PORTAL_BUDGET_MS),
    ]);
    const lookup = quick ?? fromDocuments(dealId, documents);
    if (!documents.length && !lease && !lookup.found && lookup.reason === 'not_found') {
      return { message: translate(ctx.lang, 'deal.notFound', { id: dealId }) };
    }
    const invoiceIds = documents.filter((d) => d.kind === 'invoice').map((d) => d.id);
    const [allocations, steps] = await Promise.all([allocationsTo(db, memberId, invoiceIds), overdueStepsOf(db, memberId, invoiceIds)]);
    const canAct = mayActOnDeal(ctx.session, lookup.found ? lookup.deal : undefined, settings.accountantUserIds);
    const view = dealTabView({
      documents,
      allocations,
      steps,
      lease,
      ladder: settings.escalation,
      pauseClientRemindersBelowKopecks: Math.round(settings.reminderPauseBelowRub * 100),
      now: ctx.now,
      zone: ctx.zone,
      canAct,
      link: (doc, file) =>
        documentUrl(deps.config.PUBLIC_URL, deps.linkSecret, { memberId, documentId: doc.id, version: doc.linkVersion, file }),
    });
    return present(ctx, dealId, view, canAct, lookup);
  },
};

/** How long the tab waits for the portal to say who is responsible (the page's whole answer aims at ≤ 200 ms). */
const PORTAL_BUDGET_MS = 120;

/** The deal as its newest document recorded it, when the portal did not answer in time. */
function fromDocuments(dealId: number, documents: DealDocument[]): DealLookup {
  const responsibleId = documents.find((d) => d.responsibleId !== null)?.responsibleId;
  return responsibleId ? { found: true, deal: { id: dealId, title: '', responsibleId } } : { found: false, reason: 'unavailable' };
}

const portalDealUrl = (ctx: WebContext, id: number) => crmDealUrl(ctx.portalOrigin, id);

/** Labels the template shows as they are: states, ladder lines, lease lines (formatting stays in one language). */
function present(ctx: WebContext, dealId: number, view: DealTabView, canAct: boolean, lookup: DealLookup) {
  const t = (key: string, vars?: Record<string, unknown>) => translate(ctx.lang, key, vars);
  const date = (d: string | null) => formatDate(d, ctx.lang);
  const money = (k: number) => formatMoney(k, ctx.lang);
  const period = (from: string | null, to: string | null) => (from && to ? `${date(from)} — ${date(to)}` : '—');
  const open = view.invoices.filter((i) => i.shownState !== 'paid' && i.shownState !== 'cancelled');
  const ladderLines = (i: InvoiceView): string[] => {
    const out: string[] = [];
    const l = i.ladder;
    if (!l) return out;
    if (l.last) {
      const step = t(`deal.step.${l.last.action}`);
      const at = formatInstant(l.last.at, ctx.zone, ctx.lang);
      out.push(l.last.status === 'claimed' ? t('deal.step.lastClaimed', { step }) : t(l.last.status === 'skipped' ? 'deal.step.lastSkipped' : 'deal.step.last', { step, at }));
    }
    if (l.next) out.push(t('deal.step.next', { step: t(`deal.step.${l.next.action}`), at: formatInstant(l.next.at, ctx.zone, ctx.lang) }));
    return out;
  };
  return {
    dealId,
    dealTitle: lookup.found ? lookup.deal.title : '',
    canAct,
    unavailable: !lookup.found && lookup.reason === 'unavailable',
    empty: view.empty,
    summary: {
      due: money(open.reduce((s, i) => s + i.remainderKopecks, 0)),
      paid: money(view.invoices.reduce((s, i) => s + i.paidKopecks, 0)),
      overdue: money(view.invoices.filter((i) => i.shownState === 'overdue').reduce((s, i) => s + i.remainderKopecks, 0)),
      hasOverdue: view.invoices.some((i) => i.shownState === 'overdue'),
    },
    invoices: view.invoices.map((i) => ({
      ...i,
      period: period(i.periodFrom, i.periodTo),
      stateLabel: t(`deal.inv.state.${i.shownState}`),
      overdueLabel: i.daysOverdue > 0 ? t('deal.overdueDays', { n: i.daysOverdue }) : '',
      remainderLabel: i.paidKopecks > 0 && i.remainderKopecks > 0 ? t('deal.remainder', { sum: money(i.remainderKopecks) }) : '',
      ladderLines: ladderLines(i),
      links: i.links.map((l) => ({ ...l, label: t(`deal.file.${l.file}`) })),
      resend: {
        label: t('deal.resendLabel', { doc: t('deal.file.invoice'), number: i.number }),
        confirm: t('deal.resendConfirm', { doc: t('deal.file.invoice'), number: i.number }),
      },
    })),
    acts: view.acts.map((a) => ({
      ...a,
      period: period(a.periodFrom, a.periodTo),
      stateLabel: t(`deal.act.state.${a.state}`),
      confirmSigned: t('deal.markSignedConfirm', { number: a.number }),
      resend: {
        label: t('deal.resendLabel', { doc: t('deal.file.act'), number: a.number }),
        confirm: t('deal.resendConfirm', { doc: t('deal.file.act'), number: a.number }),
      },
    })),
    payments: view.payments.map((p) => ({
      ...p,
      matchedLabel: p.matchedBy ? t(`deal.matched.${p.matchedBy}`) : '—',
      partOf: p.paymentKopecks !== p.amountKopecks ? t('deal.partOf', { sum: money(p.paymentKopecks) }) : '',
    })),
    lease: view.lease ? presentLease(ctx, view.lease, t, date) : null,
    robots: {
      invoice: t('deal.empty.invoice', { robot: t('deal.robot.generate_invoice'), send: t('deal.robot.send_documents') }),
      wait: t('deal.empty.wait', { robot: t('deal.robot.wait_for_payment') }),
      act: t('deal.empty.act', { robot: t('deal.robot.generate_act'), send: t('deal.robot.send_documents') }),
      lease: t('deal.empty.lease', { robot: t('deal.robot.start_lease_billing') }),
    },
    texts: { sending: t('deal.sending'), signedDone: t('deal.signedDone'), alreadySent: t('deal.alreadySent'), resent: t('deal.resent') },
  };
}

function presentLease(ctx: WebContext, l: LeaseView, t: (k: string, v?: Record<string, unknown>) => string, date: (d: string | null) => string) {
  const progress = l.total === null ? t('deal.lease.endless', { done: l.done }) : t('deal.lease.ofTotal', { done: l.done, total: l.total });
  return {
    role: l.role,
    contract: l.role === 'contract',
    lead:
      l.role === 'contract'
        ? t('deal.lease.contract', { title: l.title })
        : t('deal.lease.period', { title: l.title, from: date(l.own?.from ?? null), to: date(l.own?.to ?? null) }),
    contractUrl: portalDealUrl(ctx, l.contractDealId),
    stateLabel: t(`deal.lease.state.${l.state}`),
    state: l.state,
    progress: l.failed ? `${progress}; ${t('deal.lease.failed', { n: l.failed })}` : progress,
    next: l.next ? t('deal.lease.nextAt', { date: date(l.next.controlDate), from: date(l.next.from), to: date(l.next.to) }) : t('deal.lease.none'),
    deals: l.deals.slice(0, 12).map((d) => ({
      label: d.dealId ? t('deal.lease.dealLink', { id: d.dealId }) : '',
      url: d.dealId ? portalDealUrl(ctx, d.dealId) : '',
      period: `${date(d.from)} — ${date(d.to)}`,
      status: d.status === 'created' ? '' : t(`deal.lease.period.${d.status}`),
    })),
  };
}

import { DateTime } from 'luxon';
import { crmDealUrl } from '../portalLinks.js';
import type { AppDeps } from '../../deps.js';
import { documentUrl } from '../../documents/links.js';
import { countInvoices, invoiceFilterChoices, listInvoices, LIST_STATES, type InvoiceListRow } from '../../storage/invoiceList.js';
import type { WebContext } from '../context.js';
import { translate } from '../i18n/index.js';
import { pageUrl } from '../render.js';
import { invoiceCsv } from '../lists/invoiceCsv.js';
import { PAGE_SIZE, pagerWindow, readInvoiceQuery } from '../lists/invoiceQuery.js';
import type { DownloadPage, Page } from './types.js';

const todayOf = (ctx: WebContext) => DateTime.fromJSDate(ctx.now, { zone: ctx.zone }).toISODate()!;

/** The signed public link of an invoice's PDF, the same the robot returns as invoice_url. */
const pdfLink = (deps: AppDeps, ctx: WebContext, r: InvoiceListRow, file: 'invoice' | 'qr_invoice') =>
  documentUrl(deps.config.PUBLIC_URL, deps.linkSecret, { memberId: ctx.portal.member_id, documentId: r.id, version: r.linkVersion, file });

/** Every invoice of the portal: filters, 50 a page, links to the PDFs, and the same selection as CSV. */
export const invoicesPage: Page = {
  template: 'invoices',
  nav: 'invoices',
  title: 'inv.title',
  async load(deps, ctx, query) {
    const { db } = deps.database;
    const { filter, page, params } = readInvoiceQuery(query);
    const today = todayOf(ctx);
    const { count, totalKopecks } = await countInvoices(db, ctx.portal.member_id, filter, today);
    const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
    const current = Math.min(page, pages);
    const rows = await listInvoices(db, ctx.portal.member_id, filter, today, { limit: PAGE_SIZE, offset: (current - 1) * PAGE_SIZE });
    const choices = await invoiceFilterChoices(db, ctx.portal.member_id);
    const at = (n: number) => pageUrl('invoices', ctx.token, { ...params, page: n });
    return {
      filter: params,
      states: LIST_STATES.map((s) => ({ value: s, label: translate(ctx.lang, `inv.st.${s}`), selected: s === params.state })),
      clients: choices.clients.map((c) => ({ ...c, selected: c.value === params.client })),
      responsible: choices.responsible.map((c) => ({ ...c, selected: c.value === params.responsible })),
      count,
      totalKopecks,
      rows: rows.map((r) => ({
        ...r,
        stateLabel: translate(ctx.lang, `inv.st.${r.state}`),
        dealUrl: crmDealUrl(ctx.portalOrigin, r.dealId),
        pdfUrl: pdfLink(deps, ctx, r, 'invoice'),
        qrUrl: r.docKind === 'qr_invoice' ? pdfLink(deps, ctx, r, 'qr_invoice') : null,
      })),
      pager: {
        page: current,
        pages,
        many: pages > 1,
        prev: current > 1 ? at(current - 1) : null,
        next: current < pages ? at(current + 1) : null,
        window: pagerWindow(current, pages).map((n) => (n === null ? { gap: true } : { n, current: n === current, url: at(n) })),
      },
      csvUrl: pageUrl('invoices.csv', ctx.token, params),
      resetUrl: pageUrl('invoices', ctx.token),
    };
  },
};

/** `invoices.csv`: the list's filter, every matching invoice, for Excel. */
export const invoicesCsvPage: DownloadPage = {
  async download(deps, ctx, query) {
    const { filter } = readInvoiceQuery(query);
    const today = todayOf(ctx);
    const rows = await listInvoices(deps.database.db, ctx.portal.member_id, filter, today);
    const stamp = DateTime.fromJSDate(ctx.now, { zone: ctx.zone }).toFormat('dd.MM.yyyy');
    return {
      name: translate(ctx.lang, 'inv.csvName', { date: stamp }),
      type: 'text/csv; charset=utf-8',
      body: invoiceCsv(rows, ctx.lang, (r) => pdfLink(deps, ctx, r, 'invoice')),
    };
  },
};

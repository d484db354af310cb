import { DateTime } from 'luxon';
import { LIST_STATES, type InvoiceListFilter, type ListState } from '../../storage/invoiceList.js';
import type { QueryValues } from '../context.js';

export const PAGE_SIZE = 50;

/** The invoice list's query string as the filter form sends it; what cannot be read is dropped, never guessed. */
export interface InvoiceQuery {
  filter: InvoiceListFilter;
  page: number;
  /** The filter as it goes back into links (pager, CSV export): only what was understood. */
  params: Record<string, string>;
}

const isoDate = (v: string | undefined): string | undefined =>
  v && /^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v).isValid ? v : undefined;

export function readInvoiceQuery(q: QueryValues): InvoiceQuery {
  const from = isoDate(q.from);
  const to = isoDate(q.to);
  const state = LIST_STATES.includes(q.state as ListState) ? (q.state as ListState) : undefined;
  const client = q.client && /^(inn|name):.{1,300}$/s.test(q.client) ? q.client : undefined;
  const responsibleId = q.responsible && /^\d{1,9}$/.test(q.responsible) ? Number(q.responsible) : undefined;
  const page = q.page && /^\d{1,6}$/.test(q.page) ? Math.max(1, Number(q.page)) : 1;
  const filter: InvoiceListFilter = {
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(state ? { state } : {}),
    ...(client ? { client } : {}),
    ...(responsibleId !== undefined ? { responsibleId } : {}),
  };
  const params: Record<string, string> = {
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(state ? { state } : {}),
    ...(client ? { client } : {}),
    ...(responsibleId !== undefined ? { responsible: String(responsibleId) } : {}),
  };
  return { filter, page, params };
}

/** The pages a pager offers around the current one: first, last, and two either side («1 … 4 5 6 7 8 … 20»). */
export function pagerWindow(page: number, pages: number): Array<number | null> {
  const out: Array<number | null> = [];
  for (let p = 1; p <= pages; p++) {
    if (p === 1 || p === pages || Math.abs(p - page) <= 2) out.push(p);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}

import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Database, DocumentsTable } from './schema.js';

/**
 * What a person sees of an invoice in a list: its state as it reads today (an unpaid invoice past its due date is
 * «overdue», which is not stored), the client and the responsible user kept at issue, and what it has received.
 */
export const LIST_STATES = ['issued', 'partially_paid', 'overdue', 'paid', 'cancelled'] as const;
export type ListState = (typeof LIST_STATES)[number];

export interface InvoiceListFilter {
  /** Invoice dates, YYYY-MM-DD inclusive. */
  from?: string;
  to?: string;
  state?: ListState;
  /** A client as the filter lists it: `inn:<INN>` or `name:<buyer name>` (a buyer without an INN). */
  client?: string;
  responsibleId?: number;
}

export interface InvoiceListRow {
  id: number;
  number: string;
  docKind: 'invoice' | 'qr_invoice' | 'act';
  date: string;
  dueDate: string | null;
  periodFrom: string | null;
  periodTo: string | null;
  dealId: number;
  buyerName: string;
  buyerInn: string;
  responsibleId: number | null;
  responsibleName: string | null;
  amountKopecks: number;
  paidKopecks: number;
  state: ListState;
  linkVersion: number;
}

type Query = SelectQueryBuilder<Database, 'documents', object>;

/** Each filter is a condition on an indexed column (migration 0007); `today` decides what is overdue. */
function filtered(db: Kysely<Database>, memberId: string, f: InvoiceListFilter, today: string): Query {
  let q = db.selectFrom('documents').where('member_id', '=', memberId).where('kind', '=', 'invoice') as Query;
  if (f.from) q = q.where('doc_date', '>=', f.from);
  if (f.to) q = q.where('doc_date', '<=', f.to);
  if (f.responsibleId !== undefined) q = q.where('responsible_id', '=', f.responsibleId);
  if (f.client?.startsWith('inn:')) q = q.where('buyer_inn', '=', f.client.slice(4));
  else if (f.client?.startsWith('name:')) q = q.where('buyer_inn', '=', '').where('buyer_name', '=', f.client.slice(5));
  const open = ['issued', 'partially_paid'];
  switch (f.state) {
    case 'overdue':
      q = q.where('state', 'in', open).where('due_date', '<', today);
      break;
    case 'issued':
    case 'partially_paid':
      // The same invoice never shows under two states: once past due it is only «overdue».
      q = q.where('state', '=', f.state).where((eb) => eb.or([eb('due_date', 'is', null), eb('due_date', '>=', today)]));
      break;
    case 'paid':
    case 'cancelled':
      q = q.where('state', '=', f.state);
      break;
    default:
      break;
  }
  return q;
}

/** How many invoices match and what they add up to (the page's caption and pager). */
export async function countInvoices(db: Kysely<Database>, memberId: string, f: InvoiceListFilter, today: string): Promise<{ count: number; totalKopecks: number }> {
  const row = await filtered(db, memberId, f, today)
    .select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(amount_kopecks), 0)`.as('sum')])
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), totalKopecks: Number(row.sum) };
}

/** One page of the list, newest first; `limit` undefined gives every matching invoice (the CSV export). */
export async function listInvoices(
  db: Kysely<Database>,
  memberId: string,
  f: InvoiceListFilter,
  today: string,
  page: { limit?: number; offset?: number } = {},
): Promise<InvoiceListRow[]> {
  let q = filtered(db, memberId, f, today)
    .select(LIST_COLUMNS)
    .orderBy('doc_date', 'desc')
    .orderBy('id', 'desc');
  if (page.limit !== undefined) q = q.limit(page.limit).offset(page.offset ?? 0);
  return withPaid(db, memberId, await q.execute(), today);
}

const LIST_COLUMNS = [
  'id', 'number', 'doc_kind', 'doc_date', 'due_date', 'period_from', 'period_to', 'deal_id', 'buyer_name', 'buyer_inn',
  'responsible_id', 'responsible_name', 'amount_kopecks', 'state', 'link_version',
] as const;

/** Invoices by id as the lists show them (the candidates of a payment waiting for a person). */
export async function invoicesByIds(db: Kysely<Database>, memberId: string, ids: number[], today: string): Promise<InvoiceListRow[]> {
  const out: InvoiceListRow[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('documents')
      .select(LIST_COLUMNS)
      .where('member_id', '=', memberId)
      .where('kind', '=', 'invoice')
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    out.push(...(await withPaid(db, memberId, rows, today)));
  }
  return out;
}

type ListColumns = Pick<Selectable<DocumentsTable>, (typeof LIST_COLUMNS)[number]>;

async function withPaid(db: Kysely<Database>, memberId: string, rows: ListColumns[], today: string): Promise<InvoiceListRow[]> {
  const paid = await paidOf(db, memberId, rows.map((r) => r.id));
  return rows.map((r) => {
    const overdue = (r.state === 'issued' || r.state === 'partially_paid') && r.due_date !== null && r.due_date < today;
    return {
      id: r.id,
      number: r.number,
      docKind: r.doc_kind,
      date: r.doc_date,
      dueDate: r.due_date,
      periodFrom: r.period_from,
      periodTo: r.period_to,
      dealId: r.deal_id,
      buyerName: r.buyer_name ?? '',
      buyerInn: r.buyer_inn ?? '',
      responsibleId: r.responsible_id,
      responsibleName: r.responsible_name,
      amountKopecks: r.amount_kopecks,
      paidKopecks: paid.get(r.id) ?? 0,
      state: overdue ? 'overdue' : (r.state as ListState),
      linkVersion: r.link_version,
    };
  });
}

/** What the listed invoices received, summed per invoice (only for the rows shown, in chunks the drivers accept). */
async function paidOf(db: Kysely<Database>, memberId: string, ids: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('payment_allocations')
      .select(['invoice_id', sql<number>`sum(amount_kopecks)`.as('paid')])
      .where('member_id', '=', memberId)
      .where('invoice_id', 'in', ids.slice(i, i + 500))
      .groupBy('invoice_id')
      .execute();
    for (const r of rows) out.set(r.invoice_id, Number(r.paid));
  }
  return out;
}

export interface FilterChoice {
  value: string;
  label: string;
}

/** The clients and responsible users the portal's invoices name, for the filter's drop-downs. */
export async function invoiceFilterChoices(db: Kysely<Database>, memberId: string): Promise<{ clients: FilterChoice[]; responsible: FilterChoice[] }> {
  const buyers = await db
    .selectFrom('documents')
    .select(['buyer_inn', sql<string>`max(buyer_name)`.as('name')])
    .where('member_id', '=', memberId)
    .where('kind', '=', 'invoice')
    .where('buyer_inn', '!=', '')
    .groupBy('buyer_inn')
    .execute();
  const people = await db
    .selectFrom('documents')
    .select(['buyer_name'])
    .distinct()
    .where('member_id', '=', memberId)
    .where('kind', '=', 'invoice')
    .where('buyer_inn', '=', '')
    .execute();
  const users = await db
    .selectFrom('documents')
    .select(['responsible_id', sql<string>`max(responsible_name)`.as('name')])
    .where('member_id', '=', memberId)
    .where('kind', '=', 'invoice')
    .where('responsible_id', 'is not', null)
    .groupBy('responsible_id')
    .execute();
  const byLabel = (a: FilterChoice, b: FilterChoice) => a.label.localeCompare(b.label, 'ru');
  return {
    clients: [
      ...buyers.map((b) => ({ value: `inn:${b.buyer_inn}`, label: `${b.name} (${b.buyer_inn})` })),
      ...people.filter((p) => p.buyer_name).map((p) => ({ value: `name:${p.buyer_name}`, label: p.buyer_name! })),
    ].sort(byLabel),
    responsible: users.map((u) => ({ value: String(u.responsible_id), label: u.name || `#${u.responsible_id}` })).sort(byLabel),
  };
}

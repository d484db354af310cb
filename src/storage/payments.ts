import { sql, type Kysely } from 'kysely';
import type { Database, PaymentRow, StoredPaymentResult } from './schema.js';
import type { DocumentModel } from '../documents/model.js';
import { transaction } from './db.js';

/** Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 500;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** An invoice that can still take money, with what it has received so far. */
export interface OpenInvoice {
  id: number;
  number: string;
  /** YYYY-MM-DD */
  date: string;
  dueDate: string | null;
  buyerInn: string;
  buyerName: string;
  /** The account the invoice asked to be paid to, and its owner: the landlord's own accounts. */
  sellerInn: string;
  sellerAccount: string;
  totalKopecks: number;
  paidKopecks: number;
  dealId: number;
  state: 'issued' | 'partially_paid';
}

/** The portal's unpaid and partly paid invoices, oldest first. */
export async function openInvoices(db: Kysely<Database>, memberId: string): Promise<OpenInvoice[]> {
  const rows = await db
    .selectFrom('documents')
    .select(['id', 'number', 'doc_date', 'due_date', 'amount_kopecks', 'deal_id', 'state', 'snapshot_json'])
    .where('member_id', '=', memberId)
    .where('kind', '=', 'invoice')
    .where('state', 'in', ['issued', 'partially_paid'])
    .orderBy('doc_date')
    .orderBy('id')
    .execute();
  // What they received, in a query of its own: joined to an aggregate, PostgreSQL without fresh statistics re-ran the
  // aggregate for every invoice (15 s for 30 000 open invoices after a large import).
  const paid = new Map<number, number>();
  for (const chunk of chunks(rows.map((r) => r.id))) {
    const sums = await db
      .selectFrom('payment_allocations')
      .select(['invoice_id', (e) => e.fn.sum<number>('amount_kopecks').as('paid')])
      .where('invoice_id', 'in', chunk)
      .groupBy('invoice_id')
      .execute();
    for (const r of sums) paid.set(r.invoice_id, Number(r.paid));
  }
  return rows.map((r) => {
    const { buyer, seller } = JSON.parse(r.snapshot_json) as DocumentModel;
    return {
      id: r.id,
      number: r.number,
      date: r.doc_date,
      dueDate: r.due_date,
      buyerInn: buyer.inn ?? '',
      buyerName: buyer.name,
      sellerInn: seller.inn,
      sellerAccount: seller.bank.account,
      totalKopecks: r.amount_kopecks,
      paidKopecks: paid.get(r.id) ?? 0,
      dealId: r.deal_id,
      state: r.state as OpenInvoice['state'],
    };
  });
}

/**
 * Fresh planner statistics for the payments tables (PostgreSQL): after a large import the old ones make PostgreSQL
 * look identities up by scanning the portal's payments (30 ms per 500 identities at 30 000 payments) until
 * autovacuum catches up. Cheap: ANALYZE samples at most 30 000 rows a table.
 */
export async function analyzePayments(db: Kysely<Database>): Promise<void> {
  await sql`analyze payments, payment_allocations`.execute(db);
}

/** Which of these bank-side identities the portal has recorded already. */
export async function knownBankKeys(db: Kysely<Database>, memberId: string, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db.selectFrom('payments').select('bank_key').where('member_id', '=', memberId).where('bank_key', 'in', keys.slice(i, i + 500)).execute();
    for (const r of rows) found.add(r.bank_key);
  }
  return found;
}

export interface NewPayment {
  bankKey: string;
  source: 'statement' | 'push';
  payDate: string;
  number: string;
  amountKopecks: number;
  payerInn: string;
  payerName: string;
  payerAccount: string;
  payeeAccount: string;
  purpose: string;
  result: StoredPaymentResult;
  reason: string;
  excessKopecks: number;
  candidates: number[];
  allocations: Array<{ invoiceId: number; amountKopecks: number }>;
}

export interface InvoicePaymentChange {
  invoiceId: number;
  dealId: number;
  number: string;
  paidKopecks: number;
  totalKopecks: number;
  state: 'issued' | 'partially_paid' | 'paid';
}

/**
 * Records payments with their allocations and moves each invoice they paid to `paid` or `partially_paid`, in one
 * transaction (the caller's, when it holds one), a few hundred rows per statement. The bank-side identity is unique
 * per portal: a payment already recorded (another import, an overlapping statement, a concurrent push) is not
 * applied again and comes back with `created` false. Results are in the order of `payments`.
 */
export async function recordPayments(
  db: Kysely<Database>,
  memberId: string,
  payments: readonly NewPayment[],
  now: Date,
  opts: { analyze?: boolean } = {},
): Promise<Array<{ id: number; created: boolean }>> {
  if (payments.length === 0) return [];
  const at = now.toISOString();
  return transaction(db, async (trx) => {
    const createdIds = new Map<string, number>();
    for (const chunk of chunks(payments)) {
      const rows = await trx
        .insertInto('payments')
        .values(
          chunk.map((p) => ({
            member_id: memberId,
            bank_key: p.bankKey,
            source: p.source,
            pay_date: p.payDate,
            number: p.number,
            amount_kopecks: p.amountKopecks,
            payer_inn: p.payerInn,
            payer_name: p.payerName,
            payer_account: p.payerAccount,
            payee_account: p.payeeAccount,
            purpose: p.purpose,
            result: p.result,
            reason: p.reason,
            excess_kopecks: p.excessKopecks,
            candidates_json: JSON.stringify(p.candidates),
            matched_by: p.allocations.length ? ('auto' as const) : null,
            created_at: at,
            updated_at: at,
          })),
        )
        .onConflict((oc) => oc.columns(['member_id', 'bank_key']).doNothing())
        .returning(['id', 'bank_key'])
        .execute();
      for (const r of rows) createdIds.set(r.bank_key, r.id);
    }
    // Only the first of two equal identities in one call is the created one.
    const claimed = new Set<string>();
    const results: Array<{ id: number; created: boolean } | undefined> = payments.map((p) => {
      const id = createdIds.get(p.bankKey);
      if (id === undefined || claimed.has(p.bankKey)) return undefined;
      claimed.add(p.bankKey);
      return { id, created: true };
    });
    const missing = [...new Set(payments.filter((_, i) => !results[i]).map((p) => p.bankKey))];
    const existing = new Map<string, number>();
    for (const chunk of chunks(missing)) {
      const rows = await trx.selectFrom('payments').select(['id', 'bank_key']).where('member_id', '=', memberId).where('bank_key', 'in', chunk).execute();
      for (const r of rows) existing.set(r.bank_key, r.id);
    }
    const allocations = payments.flatMap((p, i) => {
      const r = results[i];
      return r ? p.allocations.map((a) => ({ payment_id: r.id, invoice_id: a.invoiceId, member_id: memberId, amount_kopecks: a.amountKopecks, created_at: at })) : [];
    });
    for (const chunk of chunks(allocations)) await trx.insertInto('payment_allocations').values(chunk).execute();
    // PostgreSQL plans the settling below from statistics that predate this transaction's rows (ANALYZE counts them):
    // with the table believed small it scanned all allocations for every chunk of invoices.
    if (opts.analyze) await sql`analyze payment_allocations`.execute(trx);
    await settleInvoiceStatesInPlace(trx, memberId, [...new Set(allocations.map((a) => a.invoice_id))], at);
    return payments.map((p, i) => results[i] ?? { id: existing.get(p.bankKey)!, created: false });
  });
}

async function allocate(
  trx: Kysely<Database>,
  memberId: string,
  paymentId: number,
  allocations: Array<{ invoiceId: number; amountKopecks: number }>,
  at: string,
): Promise<InvoicePaymentChange[]> {
  if (allocations.length === 0) return [];
  await trx
    .insertInto('payment_allocations')
    .values(allocations.map((a) => ({ payment_id: paymentId, invoice_id: a.invoiceId, member_id: memberId, amount_kopecks: a.amountKopecks, created_at: at })))
    .execute();
  return settleInvoiceStates(trx, memberId, allocations.map((a) => a.invoiceId), at);
}

/**
 * The same as settleInvoiceStates for many invoices at once, without reading anything back: one UPDATE per few
 * hundred invoices computes each state from its allocations. The portal is compared as `member_id || ''` so that
 * SQLite looks the rows up by id: given `member_id = ?` it walked the portal's (member_id, kind, state) index, 30 ms
 * a chunk on a portal of 100 000 invoices.
 */
async function settleInvoiceStatesInPlace(trx: Kysely<Database>, memberId: string, invoiceIds: number[], at: string): Promise<void> {
  // The sums come from a grouped sub-select joined once (UPDATE … FROM, PostgreSQL and SQLite ≥ 3.33): a correlated
  // sub-query per row cost PostgreSQL 50 ms a chunk.
  const state = sql`case when s.paid >= documents.amount_kopecks then 'paid' when s.paid > 0 then 'partially_paid' else 'issued' end`;
  for (const chunk of chunks(invoiceIds)) {
    await sql`
      update documents set state = ${state}, updated_at = ${at}
      from (select invoice_id, sum(amount_kopecks) as paid from payment_allocations where invoice_id in (${sql.join(chunk)}) group by invoice_id) as s
      where documents.id = s.invoice_id and documents.member_id || '' = ${memberId} and documents.state <> 'cancelled' and documents.state <> ${state}
    `.execute(trx);
  }
}

/** Sets each invoice's state from what its allocations add up to (a cancelled invoice stays cancelled). */
async function settleInvoiceStates(trx: Kysely<Database>, memberId: string, invoiceIds: number[], at: string): Promise<InvoicePaymentChange[]> {
  const changes: InvoicePaymentChange[] = [];
  for (const chunk of chunks(invoiceIds)) {
    // By id alone, the portal checked below: with member_id in the query SQLite walked the portal's documents by
    // their (member_id, kind, state) index instead of picking the ids, 30 ms a chunk on a portal of 100 000.
    const docs = await trx.selectFrom('documents').select(['id', 'member_id', 'deal_id', 'number', 'amount_kopecks', 'state']).where('id', 'in', chunk).execute();
    const sums = await trx
      .selectFrom('payment_allocations')
      .select(['invoice_id', (e) => e.fn.sum<number>('amount_kopecks').as('paid')])
      .where('invoice_id', 'in', chunk)
      .groupBy('invoice_id')
      .execute();
    const paidOf = new Map(sums.map((r) => [r.invoice_id, Number(r.paid)]));
    const moves = new Map<InvoicePaymentChange['state'], number[]>();
    const byId = new Map(docs.map((d) => [d.id, d]));
    for (const invoiceId of chunk) {
      const doc = byId.get(invoiceId);
      if (!doc || doc.member_id !== memberId) throw new Error(`Invoice ${invoiceId} of ${memberId} not found while settling its payments`);
      const paid = paidOf.get(invoiceId) ?? 0;
      const state = paid >= doc.amount_kopecks ? 'paid' : paid > 0 ? 'partially_paid' : 'issued';
      if (doc.state !== 'cancelled' && doc.state !== state) {
        const list = moves.get(state) ?? [];
        list.push(invoiceId);
        moves.set(state, list);
      }
      changes.push({ invoiceId, dealId: doc.deal_id, number: doc.number, paidKopecks: paid, totalKopecks: doc.amount_kopecks, state });
    }
    for (const [state, ids] of moves) await trx.updateTable('documents').set({ state, updated_at: at }).where('id', 'in', ids).execute();
  }
  return changes;
}

/** What an invoice has received: the sum and the date of the payment that completed (or last added to) it. */
export async function invoicePaid(db: Kysely<Database>, memberId: string, invoiceId: number): Promise<{ paidKopecks: number; lastPaidOn: string | null }> {
  const row = await db
    .selectFrom('payment_allocations as a')
    .innerJoin('payments as p', 'p.id', 'a.payment_id')
    .select((e) => [e.fn.sum<number>('a.amount_kopecks').as('paid'), e.fn.max('p.pay_date').as('last')])
    .where('a.member_id', '=', memberId)
    .where('a.invoice_id', '=', invoiceId)
    .executeTakeFirst();
  return { paidKopecks: Number(row?.paid ?? 0), lastPaidOn: (row?.last as string | null | undefined) ?? null };
}

/**
 * What an invoice had received once this payment was allocated to it: the allocations made before it (earlier
 * imports and manual matches, then earlier payments of the same import) plus its own. Two payments that complete an
 * invoice within one statement are told apart by it — only the second one paid the invoice in full.
 */
export async function invoicePaidThrough(db: Kysely<Database>, memberId: string, invoiceId: number, paymentId: number): Promise<number> {
  const mine = await db
    .selectFrom('payment_allocations')
    .select('created_at')
    .where('member_id', '=', memberId)
    .where('invoice_id', '=', invoiceId)
    .where('payment_id', '=', paymentId)
    .executeTakeFirst();
  if (!mine) return 0;
  const row = await db
    .selectFrom('payment_allocations')
    .select((e) => e.fn.sum<number>('amount_kopecks').as('paid'))
    .where('member_id', '=', memberId)
    .where('invoice_id', '=', invoiceId)
    .where((eb) => eb.or([eb('created_at', '<', mine.created_at), eb.and([eb('created_at', '=', mine.created_at), eb('payment_id', '<=', paymentId)])]))
    .executeTakeFirst();
  return Number(row?.paid ?? 0);
}

export interface PaymentWithAllocations extends Omit<PaymentRow, 'candidates_json'> {
  candidates: number[];
  allocations: Array<{ invoiceId: number; invoiceNumber: string; amountKopecks: number }>;
}

export async function listPayments(
  db: Kysely<Database>,
  memberId: string,
  opts: { result?: StoredPaymentResult; limit?: number } = {},
): Promise<PaymentWithAllocations[]> {
  let q = db.selectFrom('payments').selectAll().where('member_id', '=', memberId);
  if (opts.result) q = q.where('result', '=', opts.result);
  const rows = await q.orderBy('pay_date', 'desc').orderBy('id', 'desc').limit(opts.limit ?? 1000).execute();
  return withAllocations(db, rows);
}

export async function getPayment(db: Kysely<Database>, memberId: string, id: number): Promise<PaymentWithAllocations | undefined> {
  const row = await db.selectFrom('payments').selectAll().where('member_id', '=', memberId).where('id', '=', id).executeTakeFirst();
  return row ? (await withAllocations(db, [row]))[0] : undefined;
}

async function withAllocations(db: Kysely<Database>, rows: PaymentRow[]): Promise<PaymentWithAllocations[]> {
  if (!rows.length) return [];
  const allocations = await db
    .selectFrom('payment_allocations as a')
    .innerJoin('documents as d', 'd.id', 'a.invoice_id')
    .select(['a.payment_id', 'a.invoice_id', 'a.amount_kopecks', 'd.number'])
    .where('a.payment_id', 'in', rows.map((r) => r.id))
    .execute();
  return rows.map(({ candidates_json, ...r }) => ({
    ...r,
    candidates: JSON.parse(candidates_json) as number[],
    allocations: allocations.filter((a) => a.payment_id === r.id).map((a) => ({ invoiceId: a.invoice_id, invoiceNumber: a.number, amountKopecks: a.amount_kopecks })),
  }));
}

/**
 * A person decided: the whole payment (or what the invoice still lacks, the rest recorded as excess) goes to this
 * invoice. Replaces any earlier allocation of the payment. Returns the invoices whose state changed.
 */
export async function matchPaymentManually(
  db: Kysely<Database>,
  memberId: string,
  paymentId: number,
  invoiceId: number,
  reason: string,
  now: Date,
): Promise<InvoicePaymentChange[]> {
  const at = now.toISOString();
  return transaction(db, async (trx) => {
    const released = await unallocate(trx, memberId, paymentId, at);
    const payment = await trx.selectFrom('payments').select(['amount_kopecks']).where('id', '=', paymentId).executeTakeFirstOrThrow();
    const doc = await trx.selectFrom('documents').select(['amount_kopecks']).where('id', '=', invoiceId).executeTakeFirstOrThrow();
    const before = Number(
      (await trx.selectFrom('payment_allocations').select((e) => e.fn.sum<number>('amount_kopecks').as('paid')).where('invoice_id', '=', invoiceId).executeTakeFirst())?.paid ?? 0,
    );
    const lacking = Math.max(0, doc.amount_kopecks - before);
    const amount = Math.min(payment.amount_kopecks, lacking);
    const excess = payment.amount_kopecks - amount;
    const result: StoredPaymentResult = excess > 0 ? 'overpaid' : before + amount >= doc.amount_kopecks ? 'paid' : 'partially_paid';
    await trx
      .updateTable('payments')
      .set({ result, reason, excess_kopecks: excess, matched_by: 'manual', updated_at: at })
      .where('id', '=', paymentId)
      .execute();
    const changed = amount > 0 ? await allocate(trx, memberId, paymentId, [{ invoiceId, amountKopecks: amount }], at) : [];
    return [...released, ...changed];
  });
}

/** Takes a payment off its invoices and back to the manual queue. Returns the invoices whose state changed. */
export async function unmatchPayment(db: Kysely<Database>, memberId: string, paymentId: number, reason: string, now: Date): Promise<InvoicePaymentChange[]> {
  const at = now.toISOString();
  return transaction(db, async (trx) => {
    const released = await unallocate(trx, memberId, paymentId, at);
    await trx.updateTable('payments').set({ result: 'manual', reason, excess_kopecks: 0, matched_by: null, updated_at: at }).where('id', '=', paymentId).execute();
    return released;
  });
}

async function unallocate(trx: Kysely<Database>, memberId: string, paymentId: number, at: string): Promise<InvoicePaymentChange[]> {
  const rows = await trx.selectFrom('payment_allocations').select('invoice_id').where('payment_id', '=', paymentId).execute();
  await trx.deleteFrom('payment_allocations').where('payment_id', '=', paymentId).execute();
  return settleInvoiceStates(trx, memberId, rows.map((r) => r.invoice_id), at);
}

/** Answers already given to pushed payments, by Idempotency-Key. */
export async function findPush(db: Kysely<Database>, memberId: string, key: string): Promise<{ requestHash: string; response: unknown } | undefined> {
  const row = await db.selectFrom('payment_pushes').select(['request_hash', 'response_json']).where('member_id', '=', memberId).where('idempotency_key', '=', key).executeTakeFirst();
  return row ? { requestHash: row.request_hash, response: JSON.parse(row.response_json) as unknown } : undefined;
}

export async function savePush(db: Kysely<Database>, memberId: string, key: string, requestHash: string, response: unknown, now: Date): Promise<void> {
  await db
    .insertInto('payment_pushes')
    .values({ member_id: memberId, idempotency_key: key, request_hash: requestHash, response_json: JSON.stringify(response), created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['member_id', 'idempotency_key']).doNothing())
    .execute();
}


/** The payments an invoice received, by the day the money arrived (for the penalty). */
export async function invoicePayments(db: Kysely<Database>, memberId: string, invoiceId: number): Promise<Array<{ date: string; amountKopecks: number }>> {
  const rows = await db
    .selectFrom('payment_allocations as a')
    .innerJoin('payments as p', 'p.id', 'a.payment_id')
    .select(['p.pay_date', 'a.amount_kopecks'])
    .where('a.member_id', '=', memberId)
    .where('a.invoice_id', '=', invoiceId)
    .orderBy('p.pay_date')
    .execute();
  return rows.map((r) => ({ date: r.pay_date, amountKopecks: r.amount_kopecks }));
}

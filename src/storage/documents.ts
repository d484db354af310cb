import type { Kysely } from 'kysely';
import type { Database, DocumentRow, DocumentsTable } from './schema.js';
import type { DocumentModel } from '../documents/model.js';
import { AppError } from '../errors.js';

export type DocumentKindStored = DocumentsTable['kind'];

/** An invoice's life: issued, paid in part or in full, or cancelled (a new one replaces it). */
export const INVOICE_STATES = ['issued', 'partially_paid', 'paid', 'cancelled'] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];
/** An act's life: issued → sent to the client → the signed original is back. */
export const ACT_STATES = ['issued', 'sent', 'signed_original_received'] as const;
export type ActState = (typeof ACT_STATES)[number];
export type DocumentState = InvoiceState | ActState;

interface StoredDocumentBase extends Omit<DocumentRow, 'snapshot_json' | 'state' | 'kind'> {
  /** The model the PDF was rendered from, frozen at issue: re-rendering gives the same document. */
  snapshot: DocumentModel;
}
export interface StoredInvoice extends StoredDocumentBase {
  kind: 'invoice';
  state: InvoiceState;
}
export interface StoredAct extends StoredDocumentBase {
  kind: 'act';
  state: ActState;
}
/** A document as the rest of the code sees it: snapshot parsed, state typed by kind. */
export type StoredDocument = StoredInvoice | StoredAct;

/** The one place a stored document row becomes typed (JSON at the repository edge). */
function toStored(row: DocumentRow): StoredDocument {
  const { snapshot_json, ...rest } = row;
  const snapshot = JSON.parse(snapshot_json) as DocumentModel;
  const states: readonly string[] = row.kind === 'invoice' ? INVOICE_STATES : ACT_STATES;
  if (!states.includes(row.state)) {
    throw new AppError('DOCUMENT_STATE_UNKNOWN', `Document ${row.id} is in an unknown state`, { details: { state: row.state } });
  }
  return { ...rest, snapshot } as StoredDocument;
}
const toStoredOrUndefined = (row: DocumentRow | undefined) => (row ? toStored(row) : undefined);

export interface IssueDocumentInput {
  memberId: string;
  kind: DocumentKindStored;
  docKind: DocumentsTable['doc_kind'];
  /** Numbering is gapless per seller (INN/KPP), kind and calendar year of the document date. */
  sellerKey: string;
  /** YYYY-MM-DD */
  date: string;
  /** The same key returns the already issued document instead of a new number. */
  idempotencyKey: string;
  createdBy: string;
  dealId: number;
  invoiceId?: number | null;
  dueDate?: string | null;
  periodFrom?: string | null;
  periodTo?: string | null;
  amountKopecks: number;
  vatKopecks: number;
  initialState: DocumentState;
  /** The deal's responsible user at issue, kept for the invoice list's filter. */
  responsible?: { id: number; name: string } | null;
  /** Turns the reserved sequence number into the printed number and the immutable snapshot. */
  build(seq: number): { number: string; snapshot: unknown };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

export async function findDocumentByKey(db: Kysely<Database>, key: string): Promise<StoredDocument | undefined> {
  return toStoredOrUndefined(await db.selectFrom('documents').selectAll().where('idempotency_key', '=', key).executeTakeFirst());
}

export async function getDocument(db: Kysely<Database>, memberId: string, id: number): Promise<StoredDocument | undefined> {
  return toStoredOrUndefined(
    await db.selectFrom('documents').selectAll().where('member_id', '=', memberId).where('id', '=', id).executeTakeFirst(),
  );
}

export async function latestDocumentForDeal(
  db: Kysely<Database>,
  memberId: string,
  dealId: number,
  kind: DocumentKindStored,
): Promise<StoredDocument | undefined> {
  return toStoredOrUndefined(
    await db
      .selectFrom('documents')
      .selectAll()
      .where('member_id', '=', memberId)
      .where('deal_id', '=', dealId)
      .where('kind', '=', kind)
      .orderBy('id', 'desc')
      .executeTakeFirst(),
  );
}

/** Narrows `latestDocumentForDeal` to one billed period, or to the acts closing one invoice. */
export interface DocumentFilter {
  period?: { from: string; to: string };
  invoiceId?: number;
  /** Leave documents in these states out (e.g. `cancelled`). */
  notInStates?: DocumentState[];
}

/** The deal's latest document of a kind that matches `filter`. */
export async function latestMatchingDocument(
  db: Kysely<Database>,
  memberId: string,
  dealId: number,
  kind: DocumentKindStored,
  filter: DocumentFilter,
): Promise<StoredDocument | undefined> {
  let q = db
    .selectFrom('documents')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('deal_id', '=', dealId)
    .where('kind', '=', kind);
  if (filter.period) q = q.where('period_from', '=', filter.period.from).where('period_to', '=', filter.period.to);
  if (filter.invoiceId !== undefined) q = q.where('invoice_id', '=', filter.invoiceId);
  if (filter.notInStates?.length) q = q.where('state', 'not in', filter.notInStates);
  return toStoredOrUndefined(await q.orderBy('id', 'desc').executeTakeFirst());
}

/**
 * Reserves the next number and stores the document in one transaction, so a number is consumed
 * only together with the document that carries it (gapless), and a failure rolls both back.
 * Returns the existing document when the idempotency key was already used.
 */
export async function issueDocument(
  db: Kysely<Database>,
  input: IssueDocumentInput,
  now: Date,
): Promise<{ doc: StoredDocument; created: boolean }> {
  const existing = await findDocumentByKey(db, input.idempotencyKey);
  if (existing) return { doc: existing, created: false };
  const year = Number(input.date.slice(0, 4));
  const at = now.toISOString();
  try {
    const doc = await db.transaction().execute(async (trx) => {
      const { last_seq: seq } = await trx
        .insertInto('number_sequences')
        .values({ member_id: input.memberId, seller_key: input.sellerKey, kind: input.kind, year, last_seq: 1 })
        .onConflict((oc) =>
          oc
            .columns(['member_id', 'seller_key', 'kind', 'year'])
            .doUpdateSet((eb) => ({ last_seq: eb('number_sequences.last_seq', '+', 1) })),
        )
        .returning('last_seq')
        .executeTakeFirstOrThrow();
      const { number, snapshot } = input.build(seq);
      const buyer = (snapshot as Partial<DocumentModel> | null)?.buyer;
      return trx
        .insertInto('documents')
        .values({
          member_id: input.memberId,
          kind: input.kind,
          doc_kind: input.docKind,
          seller_key: input.sellerKey,
          year,
          seq,
          number,
          doc_date: input.date,
          due_date: input.dueDate ?? null,
          period_from: input.periodFrom ?? null,
          period_to: input.periodTo ?? null,
          deal_id: input.dealId,
          invoice_id: input.invoiceId ?? null,
          amount_kopecks: input.amountKopecks,
          vat_kopecks: input.vatKopecks,
          snapshot_json: JSON.stringify(snapshot),
          state: input.initialState,
          link_version: 1,
          idempotency_key: input.idempotencyKey,
          created_by: input.createdBy,
          created_at: at,
          updated_at: at,
          buyer_name: buyer?.name ?? null,
          buyer_inn: buyer ? (buyer.inn ?? '') : null,
          responsible_id: input.responsible?.id ?? null,
          responsible_name: input.responsible?.name ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { doc: toStored(doc), created: true };
  } catch (err) {
    // A concurrent delivery issued it first; its transaction won and ours (with its number) rolled back.
    if (isUniqueViolation(err)) {
      const winner = await findDocumentByKey(db, input.idempotencyKey);
      if (winner) return { doc: winner, created: false };
    }
    throw new AppError('DOCUMENT_ISSUE_FAILED', 'Could not store the document', { cause: err, retryable: true });
  }
}

export async function setDocumentState(db: Kysely<Database>, memberId: string, id: number, state: DocumentState, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('documents')
    .set({ state, updated_at: now.toISOString() })
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Revokes every link handed out for the document so far. */
export async function revokeDocumentLinks(db: Kysely<Database>, memberId: string, id: number, now: Date): Promise<number | undefined> {
  const row = await db
    .updateTable('documents')
    .set((eb) => ({ link_version: eb('link_version', '+', 1), updated_at: now.toISOString() }))
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .returning('link_version')
    .executeTakeFirst();
  return row?.link_version;
}

import type { RobotRunContext } from '../framework/types.js';
import type { DocumentModel } from '../../documents/model.js';
import type { DocumentsTable } from '../../storage/schema.js';
import type { StoredDocument } from '../../storage/documents.js';
import { documentTotals } from '../../documents/purpose.js';
import { findDocumentByKey, issueDocument } from '../../storage/documents.js';
import { formatDocumentNumber } from '../../invoicing/numbering.js';
import { checkModelBeforeNumbering, checkRendersBeforeNumbering } from './modelCheck.js';

/** Numbering is gapless per seller: the same INN+KPP numbers its documents in one sequence. */
export const sellerKey = (m: DocumentModel) => `${m.seller.inn}/${m.seller.kpp ?? ''}`;

export interface IssueNumberedInput {
  kind: DocumentsTable['kind'];
  /** The model without its number (it is reserved here). */
  model: DocumentModel;
  /** Same key → the already issued document comes back instead of a new number. */
  key: string;
  numberTemplate: string;
  period: { from: string; to: string };
  dueDate?: string;
  invoiceId?: number | null;
  /** The deal's responsible user, kept with the document for the invoice list. */
  responsible?: { id: number; name: string } | null;
}

/**
 * The common path of every numbered document robot: check the data and draw the document with a
 * stand-in number first, so a refused document spends no number; then reserve the number and store
 * the snapshot in one transaction.
 */
export async function issueNumbered(ctx: RobotRunContext, input: IssueNumberedInput): Promise<{ doc: StoredDocument; created: boolean }> {
  const { db } = ctx.deps.database;
  const { model, numberTemplate } = input;
  checkModelBeforeNumbering(model);
  if (!(await findDocumentByKey(db, input.key))) {
    await checkRendersBeforeNumbering(model, formatDocumentNumber(numberTemplate, { seq: 1, date: model.date }));
  }
  const totals = documentTotals(model);
  return issueDocument(
    db,
    {
      memberId: ctx.portal.member_id,
      kind: input.kind,
      docKind: model.kind,
      sellerKey: sellerKey(model),
      date: model.date,
      idempotencyKey: input.key,
      createdBy: ctx.call.eventToken,
      dealId: ctx.call.document.id,
      invoiceId: input.invoiceId ?? null,
      dueDate: input.dueDate ?? null,
      periodFrom: input.period.from,
      periodTo: input.period.to,
      amountKopecks: totals.total,
      vatKopecks: totals.vat,
      initialState: 'issued',
      responsible: input.responsible ?? null,
      build: (seq) => {
        const number = formatDocumentNumber(numberTemplate, { seq, date: model.date });
        return { number, snapshot: { ...model, number } };
      },
    },
    ctx.clock.now(),
  );
}

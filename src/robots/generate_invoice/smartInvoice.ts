import type { RobotRunContext } from '../framework/types.js';
import type { DocumentModel } from '../../documents/model.js';
import type { DealSources } from '../../crm/dealSources.js';
import type { StoredDocument } from '../../storage/documents.js';
import { AppError } from '../../errors.js';
import { BitrixError } from '../../bitrix/errors.js';
import { formatDateShort } from '../../documents/dates.js';
import { smartInvoiceRows } from '../../invoicing/smartInvoiceRows.js';

/** Marks the smart invoice of one of our documents, so a repeated run finds it instead of adding another. */
export const smartInvoiceXmlId = (doc: StoredDocument) => `qrbill:${doc.id}`;

/** The smart invoice already made for this document (by an earlier run or a lost answer), if any. */
export async function findSmartInvoice(ctx: RobotRunContext, doc: StoredDocument): Promise<number | undefined> {
  const res = await ctx.bitrix.call('crm.item.list', {
    entityTypeId: 31,
    filter: { '=xmlId': smartInvoiceXmlId(doc) },
    select: ['id'],
    order: { id: 'ASC' },
  });
  const items = (res as { items?: Array<{ id?: unknown }> } | undefined)?.items ?? [];
  const id = Number(items[0]?.id ?? 0);
  return id > 0 ? id : undefined;
}

/**
 * The Bitrix24 smart invoice (entityTypeId 31) for the same invoice, linked to the deal, with the
 * same rows: item and rows in one batch, the rows referring to the new item by `$result`.
 * The amount is left to the platform (isManualOpportunity N): it sums the rows, which are written so
 * that its sums, VAT and total are the PDF's (see invoicing/smartInvoiceRows.ts); a manual amount would
 * only repeat our number while the rows and the tax on the invoice said something else
 * (b24restdocs: tutorials/crm/how-to-add-crm-objects/how-to-product-binding.md — "If the object total
 * should be calculated based on product rows, do not pass a manual amount in opportunity").
 * `mayExist`: an earlier run for this document may have made it — look first.
 */
export async function createSmartInvoice(
  ctx: RobotRunContext,
  sources: DealSources,
  model: DocumentModel,
  doc: StoredDocument,
  opts: { mayExist: boolean },
): Promise<number> {
  if (opts.mayExist) {
    const found = await findSmartInvoice(ctx, doc);
    if (found) return found;
  }
  const deal = sources.deal;
  const productRows = smartInvoiceRows(model);
  const res = await ctx.bitrix.batch({
    si: {
      method: 'crm.item.add',
      params: {
        entityTypeId: 31,
        fields: {
          title: `Счёт № ${doc.number} от ${formatDateShort(doc.doc_date)}`,
          xmlId: smartInvoiceXmlId(doc),
          parentId2: ctx.call.document.id,
          ...(Number(deal.COMPANY_ID) ? { companyId: Number(deal.COMPANY_ID) } : {}),
          ...(Number(deal.CONTACT_ID) ? { contactId: Number(deal.CONTACT_ID) } : {}),
          ...(Number(deal.ASSIGNED_BY_ID) ? { assignedById: Number(deal.ASSIGNED_BY_ID) } : {}),
          begindate: doc.doc_date,
          ...(doc.due_date ? { closedate: doc.due_date } : {}),
          currencyId: 'RUB',
          isManualOpportunity: 'N',
          comments: `QR-биллинг: счёт № ${doc.number}`,
        },
      },
    },
    rows: {
      method: 'crm.item.productrow.set',
      params: {
        ownerType: 'SI',
        ownerId: '$result[si][item][id]',
        productRows,
      },
    },
  }).catch((err: unknown) => {
    // No answer, yet the portal may have created it: the next attempt looks for it by xmlId.
    if (err instanceof BitrixError && err.ambiguous) {
      throw new AppError('SMART_INVOICE_UNCERTAIN', `Битрикс24 не подтвердил создание счёта: ${err.message}`, {
        cause: err,
        retryable: true,
      });
    }
    throw err;
  });
  const item = res.result.si as { item?: { id?: number | string } } | undefined;
  const id = Number(item?.item?.id ?? 0);
  if (!id) {
    const e = res.errors.si ?? res.errors.rows;
    throw new AppError('SMART_INVOICE_FAILED', `Не удалось создать счёт в Битрикс24: ${e?.error_description ?? e?.error ?? 'нет ответа'}`);
  }
  return id;
}

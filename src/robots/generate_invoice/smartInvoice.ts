import type { RobotRunContext } from '../types.js';
import type { DocumentModel } from '../../documents/model.js';
import type { DealSources } from '../../crm/dealSources.js';
import type { DocumentRow } from '../../storage/schema.js';
import { AppError } from '../../errors.js';
import { kopecksToDecimal } from '../../documents/money.js';

/**
 * The Bitrix24 smart invoice (entityTypeId 31) for the same invoice, linked to the deal, with the
 * same rows: item and rows in one batch, the rows referring to the new item by `$result`.
 */
export async function createSmartInvoice(
  ctx: RobotRunContext,
  sources: DealSources,
  model: DocumentModel,
  doc: DocumentRow,
): Promise<number> {
  const deal = sources.deal;
  const taxed = model.vat.mode !== 'none';
  const res = await ctx.bitrix.batch({
    si: {
      method: 'crm.item.add',
      params: {
        entityTypeId: 31,
        fields: {
          title: `Счёт № ${doc.number} от ${doc.doc_date}`,
          parentId2: ctx.call.document.id,
          ...(Number(deal.COMPANY_ID) ? { companyId: Number(deal.COMPANY_ID) } : {}),
          ...(Number(deal.CONTACT_ID) ? { contactId: Number(deal.CONTACT_ID) } : {}),
          ...(Number(deal.ASSIGNED_BY_ID) ? { assignedById: Number(deal.ASSIGNED_BY_ID) } : {}),
          begindate: doc.doc_date,
          ...(doc.due_date ? { closedate: doc.due_date } : {}),
          currencyId: 'RUB',
          opportunity: Number(kopecksToDecimal(doc.amount_kopecks)),
          isManualOpportunity: 'Y',
          comments: `QR-биллинг: счёт № ${doc.number}`,
        },
      },
    },
    rows: {
      method: 'crm.item.productrow.set',
      params: {
        ownerType: 'SI',
        ownerId: '$result[si][item][id]',
        productRows: model.lines.map((l) => ({
          productName: l.name,
          price: Number(l.price),
          quantity: l.quantity,
          measureName: l.unit,
          ...(taxed ? { taxRate: model.vat.rate, taxIncluded: model.vat.mode === 'included' ? 'Y' : 'N' } : {}),
        })),
      },
    },
  });
  const item = res.result.si as { item?: { id?: number | string } } | undefined;
  const id = Number(item?.item?.id ?? 0);
  if (!id) {
    const e = res.errors.si ?? res.errors.rows;
    throw new AppError('SMART_INVOICE_FAILED', `Не удалось создать счёт в Битрикс24: ${e?.error_description ?? e?.error ?? 'нет ответа'}`);
  }
  return id;
}

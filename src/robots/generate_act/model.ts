import type { DocumentModel } from '../../documents/model.js';
import type { Period } from '../../invoicing/period.js';

/**
 * The act for what an invoice billed: the same parties, basis, lines and VAT as the invoice snapshot
 * (not the deal as it is today, which may have changed since), with the act's own date and period.
 * Payment-only parts of the invoice (due date, QR, purpose, contract for the QR) do not belong on an act.
 */
export function actModelFromInvoice(invoice: DocumentModel, at: { date: string; period: Period }): DocumentModel {
  return {
    kind: 'act',
    number: '',
    date: at.date,
    period: at.period,
    seller: invoice.seller,
    buyer: invoice.buyer,
    ...(invoice.basis ? { basis: invoice.basis } : {}),
    lines: invoice.lines,
    vat: invoice.vat,
    ...(invoice.images ? { images: invoice.images } : {}),
  };
}

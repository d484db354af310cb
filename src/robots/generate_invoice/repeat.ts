import type { DocumentModel } from '../../documents/model.js';
import type { StoredDocument } from '../../storage/documents.js';
import { documentTotals } from '../../documents/purpose.js';
import { formatMoney } from '../../documents/money.js';
import { formatDateShort } from '../../documents/dates.js';
import { periodLabel } from '../../invoicing/period.js';
import { errorMessage } from '../../errors.js';

/** What a document says about the deal; its number, dates and QR come from the issue, not the deal. */
const substance = (m: DocumentModel) => JSON.stringify([m.seller, m.buyer, m.basis ?? '', m.lines, m.vat]);

/**
 * The warnings of a run that got back an invoice issued earlier for the same deal and period (by
 * another robot call): the manager must see that nothing new was issued, and when the deal has
 * changed since, that the client still gets the old figures unless a new invoice is forced.
 * `current`: the invoice the deal would give now, or why it cannot give one.
 */
export function repeatedInvoiceWarnings(
  existing: StoredDocument,
  requestedKind: DocumentModel['kind'],
  current: DocumentModel | unknown,
): string[] {
  const issued = existing.snapshot;
  const period = existing.period_from && existing.period_to ? ` за ${periodLabel(existing.period_from, existing.period_to)}` : '';
  const ref = `счёт № ${existing.number} от ${formatDateShort(existing.doc_date)}`;
  const out = [
    `Счёт${period} уже выставлен, возвращён прежний ${ref}; новый номер не присвоен. ` +
      'Чтобы выставить новый счёт, включите параметр робота «Всегда новый счёт».',
  ];
  if (isModel(current)) {
    if (substance(current) !== substance(issued)) {
      const now = documentTotals(current).total;
      const amounts = now !== existing.amount_kopecks
        ? ` (по сделке сейчас ${formatMoney(now)} руб., в счёте ${formatMoney(existing.amount_kopecks)} руб.)`
        : '';
      out.push(`Товары, реквизиты или НДС сделки изменились после выставления счёта${amounts}: ${ref} составлен по прежним данным.`);
    }
  } else if (current !== undefined) {
    out.push(`По текущим данным сделки новый счёт выставить нельзя: ${errorMessage(current)}`);
  }
  if (issued.kind !== requestedKind) {
    out.push(issued.kind === 'invoice' ? `${cap(ref)} выставлен без QR-кода.` : `${cap(ref)} выставлен с QR-кодом.`);
  }
  return out;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function isModel(v: unknown): v is DocumentModel {
  return typeof v === 'object' && v !== null && 'lines' in v && 'seller' in v && !(v instanceof Error);
}

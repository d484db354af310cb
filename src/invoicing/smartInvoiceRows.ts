/**
 * The product rows of the Bitrix24 smart invoice made for one of our invoices, written so that the
 * platform's own arithmetic lands on the kopecks our PDF prints — every line sum, the VAT and the total.
 *
 * How the platform reads a row (b24restdocs: api-reference/crm/universal/product-rows/crm-item-productrow-set.md,
 * api-reference/crm/data-types.md#crm_item_product_row): `price` is the unit price after discount and
 * INCLUDING tax, whatever `taxIncluded` says; `taxIncluded` only records how the tax was entered;
 * priceExclusive = price / (1 + taxRate/100); the row's sum is price × quantity and the object's total is
 * recalculated from the rows. So:
 *   no VAT        price = the printed price, no taxRate (a row without tax);
 *   VAT included  price = the printed price, taxRate r, taxIncluded Y;
 *   VAT on top    price = printed net price × (1 + r/100), taxRate r, taxIncluded N.
 *
 * Rounding. Our PDF rounds per line (src/documents/vat.ts): amount = round(q × price), VAT =
 * round(amount × r/100) on top or round(amount × r/(100+r)) inside. The platform rounds its own way
 * from price × quantity, which can miss by a kopeck: 3 × 333.33 with 22% on top prints 999.99 + 220.00
 * = 1219.99, while price × quantity with price = 333.33 × 1.22 = 406.6626 is 1219.9878 before rounding —
 * right if the platform rounds that row, a kopeck short if it adds such rows unrounded. So each row is
 * written to make price × quantity the line's gross sum G of the PDF exactly (G = amount + VAT on top,
 * amount otherwise): the natural price when it already does, else G / quantity to 8 decimals (the
 * precision the platform keeps for row prices, as its documented answers show). Then the total is Σ G
 * however the platform rounds, and the tax it derives from a row, G × r/(100+r), rounds to the PDF's line
 * VAT: inside it is the PDF's own formula; on top it equals VAT − ε × 100/(100+r), where ε (|ε| ≤ ½
 * kopeck) is what the PDF's VAT rounding added, so it is less than ½ kopeck away from the printed VAT.
 * (Should the platform add row taxes unrounded and round only the sum, the VAT of a many-line invoice
 * could still differ by a kopeck; no choice of rows avoids that, and the total stays exact.)
 */
import type { DocumentModel } from '../documents/model.js';
import { parseMoney, quantityToThousandths } from '../documents/money.js';
import { computeTotals, roundDiv, vatRateOf } from '../documents/vat.js';
import { measureCodeOf } from './measureCodes.js';

/** One row of `crm.item.productrow.set` as we send it. */
export interface SmartInvoiceRow {
  productName: string;
  price: number;
  quantity: number;
  taxRate?: number;
  taxIncluded?: 'Y' | 'N';
  measureCode?: number;
  sort: number;
}

/** Places of the row price we send: the platform keeps row prices to 8 decimals. */
const PRICE_SCALE = 8;

export function smartInvoiceRows(model: DocumentModel): SmartInvoiceRow[] {
  const rate = vatRateOf(model.vat);
  const priceKopecks = model.lines.map((l, i) => parseMoney(l.price, `lines[${i}].price`));
  const totals = computeTotals(
    model.lines.map((l, i) => ({ quantity: l.quantity, priceKopecks: priceKopecks[i] ?? 0 })),
    model.vat,
  );
  return model.lines.map((line, i) => {
    const kopecks = BigInt(priceKopecks[i] ?? 0);
    const printed = totals.lines[i] ?? { amount: 0, vat: 0 };
    const gross = BigInt(model.vat.mode === 'on_top' ? printed.amount + printed.vat : printed.amount);
    const qMilli = BigInt(quantityToThousandths(line.quantity, `lines[${i}].quantity`));
    // The natural gross unit price in 10^-8 roubles: kopecks × (100 + r) / 100 on top, else the price itself.
    const natural =
      model.vat.mode === 'on_top' && rate !== undefined
        ? kopecks * BigInt(100 + rate) * 10n ** BigInt(PRICE_SCALE - 4)
        : kopecks * 10n ** BigInt(PRICE_SCALE - 2);
    // q × price = G  ⇔  (qMilli / 10^3) × (units / 10^8) = gross / 10^2.
    const exact = qMilli === 0n || qMilli * natural === gross * 10n ** BigInt(PRICE_SCALE + 1);
    const units = exact ? natural : roundDiv(gross * 10n ** BigInt(PRICE_SCALE + 1), qMilli);
    const row: SmartInvoiceRow = {
      productName: line.name,
      price: Number(unitsToDecimal(units, PRICE_SCALE)),
      quantity: line.quantity,
      sort: (i + 1) * 10,
    };
    if (rate !== undefined) {
      row.taxRate = rate;
      row.taxIncluded = model.vat.mode === 'included' ? 'Y' : 'N';
    }
    const code = measureCodeOf(line.unit);
    if (code !== undefined) row.measureCode = code;
    return row;
  });
}

function unitsToDecimal(units: bigint, scale: number): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

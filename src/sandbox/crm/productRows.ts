/**
 * Product rows of deals ('D') and smart invoices ('SI'), computed as the platform documents them
 * (b24restdocs: api-reference/crm/universal/product-rows/crm-item-productrow-set.md,
 * api-reference/crm/universal/product-rows/crm-item-productrow-add.md, api-reference/crm/data-types.md
 * #crm_item_product_row). PRICE is the final unit price — after discount and WITH tax — whatever
 * TAX_INCLUDED says (that flag only tells how the price was entered); the other prices are derived:
 *   PRICE_EXCLUSIVE = PRICE / (1 + TAX_RATE/100)          after discount, without tax
 *   PRICE_NETTO     = PRICE_EXCLUSIVE + unit discount      before discount, without tax
 *   PRICE_BRUTTO    = PRICE_NETTO × (1 + TAX_RATE/100)     before discount, with tax
 * kept to 8 decimals as the documented answers show them (80000 with 20% tax inside and a 20% discount
 * → priceExclusive 66666.66666667, priceNetto 83333.33333333, priceBrutto 100000). MEASURE_NAME is
 * the name of MEASURE_CODE in the portal's catalog; crm.item.productrow.* ignore a sent measureName.
 *
 * Row sums: a row's sum is PRICE × QUANTITY and its tax PRICE × QUANTITY × r / (100 + r), each rounded
 * to the kopeck (the product grid shows every row's sum in kopecks); the owner's OPPORTUNITY and
 * TAX_VALUE are the sums over its rows. The docs say the total "is recalculated" without naming the
 * rounding; per-row rounding is what the grid shows. Setting rows replaces all rows of the owner and,
 * unless the amount is manual, recomputes it.
 */
import type { CrmState, ProductRow } from './state.js';
import { asObject, err, round2, roundTo, toInt, toNumber, toYN } from './format.js';

/** Units of the sandbox portal's catalog (OKEI codes); month and hour are added by landlords for services. */
export const MEASURES: Record<number, string> = {
  6: 'м',
  55: 'м²',
  112: 'л',
  163: 'г',
  166: 'кг',
  356: 'ч',
  362: 'мес',
  796: 'шт',
};

interface RowInput {
  id?: number;
  productId?: number;
  productName?: string;
  productDescription?: string | null;
  price?: number;
  priceExclusive?: number;
  quantity?: number;
  discountTypeId?: number;
  discountRate?: number;
  discountSum?: number;
  taxRate?: number | null;
  taxIncluded?: 'Y' | 'N';
  taxName?: string;
  measureCode?: number;
  measureName?: string;
  sort?: number;
  xmlId?: string;
}

function num(v: unknown): number | undefined {
  const n = toNumber(v);
  return n === null ? undefined : n;
}

function int(v: unknown): number | undefined {
  const n = toInt(v);
  return n === null ? undefined : n;
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

export function readClassicRow(raw: unknown): RowInput {
  const r = asObject(raw);
  return {
    productId: int(r.PRODUCT_ID),
    productName: str(r.PRODUCT_NAME),
    productDescription: str(r.PRODUCT_DESCRIPTION) ?? null,
    price: num(r.PRICE),
    priceExclusive: num(r.PRICE_EXCLUSIVE),
    quantity: num(r.QUANTITY),
    discountTypeId: int(r.DISCOUNT_TYPE_ID),
    discountRate: num(r.DISCOUNT_RATE),
    discountSum: num(r.DISCOUNT_SUM),
    taxRate: r.TAX_RATE === undefined ? undefined : (toNumber(r.TAX_RATE) ?? null),
    taxIncluded: r.TAX_INCLUDED === undefined ? undefined : toYN(r.TAX_INCLUDED),
    measureCode: int(r.MEASURE_CODE),
    measureName: str(r.MEASURE_NAME),
    sort: int(r.SORT),
    xmlId: str(r.XML_ID),
  };
}

export function readItemRow(raw: unknown): RowInput {
  const r = asObject(raw);
  return {
    id: int(r.id),
    productId: int(r.productId),
    productName: str(r.productName),
    productDescription: str(r.productDescription) ?? null,
    price: num(r.price),
    quantity: num(r.quantity),
    discountTypeId: int(r.discountTypeId),
    discountRate: num(r.discountRate),
    discountSum: num(r.discountSum),
    taxRate: r.taxRate === undefined ? undefined : (toNumber(r.taxRate) ?? null),
    taxIncluded: r.taxIncluded === undefined ? undefined : toYN(r.taxIncluded),
    taxName: str(r.taxName),
    measureCode: int(r.measureCode),
    // measureName, like the derived prices, is computed by the platform; a sent value is ignored.
    sort: int(r.sort),
  };
}

/** Validates one row and derives its prices; throws the platform's ERROR_CORE messages. */
function computeRow(input: RowInput, id: number, ownerType: 'D' | 'SI', ownerId: number): ProductRow {
  const typeGiven = input.discountTypeId !== undefined;
  const discountTypeId: 1 | 2 = input.discountTypeId === 1 ? 1 : 2;
  if (typeGiven && discountTypeId === 2 && input.discountRate === undefined) {
    throw err.core('Discount Rate (DISCOUNT_RATE) is required if Percentage Discount Type (DISCOUNT_TYPE_ID) is defined.<br>');
  }
  if (discountTypeId === 2 && input.discountRate === 100 && input.discountSum === undefined) {
    throw err.core(
      'Discount Sum (DISCOUNT_SUM) is required if Percentage Discount Type (DISCOUNT_TYPE_ID) is defined and Discount Rate (DISCOUNT_RATE) is 100%<br>',
    );
  }
  if (typeGiven && discountTypeId === 1 && input.discountSum === undefined) {
    throw err.core('Discount Sum (DISCOUNT_SUM) is required if Monetary Discount Type (DISCOUNT_TYPE_ID) is defined.<br>');
  }
  const taxRate = input.taxRate ?? null;
  const k = 1 + (taxRate ?? 0) / 100;
  const price = input.price ?? (input.priceExclusive !== undefined ? input.priceExclusive * k : 0);
  const priceExclusive = price / k;
  let discountRate: number;
  let discountSum: number;
  let priceNetto: number;
  if (discountTypeId === 1) {
    discountSum = input.discountSum ?? 0;
    priceNetto = priceExclusive + discountSum;
    discountRate = priceNetto === 0 ? 0 : (discountSum / priceNetto) * 100;
  } else {
    discountRate = input.discountRate ?? 0;
    priceNetto = discountRate >= 100 ? priceExclusive + (input.discountSum ?? 0) : priceExclusive / (1 - discountRate / 100);
    discountSum = priceNetto - priceExclusive;
  }
  const measureCode = input.measureCode ?? 0;
  return {
    id,
    ownerType,
    ownerId,
    productId: input.productId ?? 0,
    productName: input.productName ?? `[${id}]`,
    productDescription: input.productDescription ?? null,
    price: roundTo(price, 8),
    priceAccount: roundTo(price, 8),
    priceExclusive: roundTo(priceExclusive, 8),
    priceNetto: roundTo(priceNetto, 8),
    priceBrutto: roundTo(priceNetto * k, 8),
    quantity: input.quantity ?? 1,
    discountTypeId,
    discountRate: round2(discountRate),
    discountSum: roundTo(discountSum, 8),
    taxRate,
    taxIncluded: input.taxIncluded ?? 'N',
    taxName: input.taxName ?? (taxRate === null ? 'Без НДС' : `НДС ${taxRate}%`),
    customized: 'Y',
    measureCode,
    measureName: input.measureName ?? MEASURES[measureCode] ?? '',
    sort: input.sort ?? 0,
    xmlId: input.xmlId ?? '',
    type: 1,
  };
}

/** Replaces all rows of an owner (validating all first, so a bad row changes nothing). */
export function replaceRows(state: CrmState, ownerType: 'D' | 'SI', ownerId: number, inputs: RowInput[]): ProductRow[] {
  const existing = new Set(state.productRowsOf(ownerType, ownerId).map((r) => r.id));
  const rows = inputs.map((input) => {
    // A known id keeps its row id; unknown ids silently make a new row, as the platform does.
    const id = input.id !== undefined && existing.has(input.id) ? input.id : state.nextId('productRow');
    return computeRow(input, id, ownerType, ownerId);
  });
  for (let i = state.productRows.length - 1; i >= 0; i--) {
    const r = state.productRows[i];
    if (r && r.ownerType === ownerType && r.ownerId === ownerId) state.productRows.splice(i, 1);
  }
  state.productRows.push(...rows);
  recalcTotals(state, ownerType, ownerId);
  return state.productRowsOf(ownerType, ownerId);
}

/** A row's sum as the product grid shows it: PRICE × QUANTITY to the kopeck (tax inside). */
export function rowSum(r: ProductRow): number {
  return roundTo(r.price * r.quantity, 2);
}

/** The tax inside a row's sum, to the kopeck; PRICE holds the tax whether or not TAX_INCLUDED is set. */
export function rowTax(r: ProductRow): number {
  if (r.taxRate === null || r.taxRate === 0) return 0;
  return roundTo((r.price * r.quantity * r.taxRate) / (100 + r.taxRate), 2);
}

/** Adds one row and leaves the others (crm.item.productrow.add); the id is always a new one. */
export function addRow(state: CrmState, ownerType: 'D' | 'SI', ownerId: number, input: RowInput): ProductRow {
  const row = computeRow(input, state.nextId('productRow'), ownerType, ownerId);
  state.productRows.push(row);
  recalcTotals(state, ownerType, ownerId);
  return row;
}

/** OPPORTUNITY = Σ row sums and TAX_VALUE = Σ row taxes, unless the owner's amount is manual. */
export function recalcTotals(state: CrmState, ownerType: 'D' | 'SI', ownerId: number): void {
  const owner = ownerType === 'D' ? state.deals.get(ownerId) : state.invoices.get(ownerId);
  if (!owner || owner.IS_MANUAL_OPPORTUNITY === 'Y') return;
  const rows = state.productRowsOf(ownerType, ownerId);
  owner.OPPORTUNITY = roundTo(rows.reduce((s, r) => s + rowSum(r), 0), 2);
  owner.TAX_VALUE = roundTo(rows.reduce((s, r) => s + rowTax(r), 0), 2);
}

/** crm.deal.productrows.get shape: ids as strings, amounts as JSON numbers. */
export function classicRowView(r: ProductRow): Record<string, unknown> {
  return {
    ID: String(r.id),
    OWNER_ID: String(r.ownerId),
    OWNER_TYPE: r.ownerType,
    PRODUCT_ID: r.productId,
    PRODUCT_NAME: r.productName,
    ORIGINAL_PRODUCT_NAME: r.productName,
    PRODUCT_DESCRIPTION: r.productDescription,
    PRICE: r.price,
    PRICE_EXCLUSIVE: r.priceExclusive,
    PRICE_NETTO: r.priceNetto,
    PRICE_BRUTTO: r.priceBrutto,
    PRICE_ACCOUNT: r.priceAccount.toFixed(2),
    QUANTITY: r.quantity,
    DISCOUNT_TYPE_ID: r.discountTypeId,
    DISCOUNT_RATE: r.discountRate,
    DISCOUNT_SUM: r.discountSum,
    TAX_RATE: r.taxRate,
    TAX_INCLUDED: r.taxIncluded,
    CUSTOMIZED: r.customized,
    MEASURE_CODE: r.measureCode,
    MEASURE_NAME: r.measureName,
    SORT: r.sort,
    XML_ID: r.xmlId,
    TYPE: r.type,
    STORE_ID: null,
  };
}

/** crm.item.productrow.* shape. */
export function itemRowView(r: ProductRow): Record<string, unknown> {
  return {
    id: r.id,
    ownerId: r.ownerId,
    ownerType: r.ownerType,
    productId: r.productId,
    productName: r.productName,
    productDescription: r.productDescription,
    price: r.price,
    priceAccount: r.priceAccount,
    priceExclusive: r.priceExclusive,
    priceNetto: r.priceNetto,
    priceBrutto: r.priceBrutto,
    quantity: r.quantity,
    discountTypeId: r.discountTypeId,
    discountRate: r.discountRate,
    discountSum: r.discountSum,
    taxRate: r.taxRate,
    taxIncluded: r.taxIncluded,
    taxName: r.taxName,
    customized: r.customized,
    measureCode: r.measureCode,
    measureName: r.measureName,
    sort: r.sort,
    xmlId: r.xmlId,
    type: r.type,
  };
}

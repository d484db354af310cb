/**
 * Deal product rows → document lines and the document's VAT spec.
 *
 * Field meaning (bitrix24/b24restdocs: crm/data-types.md#crm_item_product_row, crm-deal-productrows-get.md):
 *   PRICE           per unit, after discount, INCLUDING tax — also when TAX_INCLUDED=N (then Bitrix adds the
 *                   tax on top of the entered price and stores the result here);
 *   PRICE_EXCLUSIVE per unit, after discount, excluding tax;
 *   PRICE_NETTO / PRICE_BRUTTO the same before discount (not printed: the document shows the final price).
 * So the printed unit price is PRICE when VAT is inside the price (mode `included`, or no VAT at all) and
 * PRICE_EXCLUSIVE when VAT is added on top (mode `on_top`); the document totals then reproduce the deal sum.
 * A price with more than two decimals (a percent discount, or a net price derived from a gross one) is
 * rounded to the kopeck, because a printed line must satisfy quantity × price = amount; when that moves
 * the document total away from the deal's sum, a warning says by how much.
 */
import { AppError } from '../errors.js';
import type { DocumentLine, VatRate, VatSpec } from '../documents/model.js';
import { computeTotals, roundDiv, VAT_RATES } from '../documents/vat.js';
import { formatMoney, kopecksToDecimal } from '../documents/money.js';
import type { BitrixProductRow } from './bitrixTypes.js';
import {
  add,
  type Decimal,
  decimalToString,
  isBlank,
  isNegative,
  isZero,
  mul,
  normalize,
  parseDecimal,
  toInteger,
  toKopecks,
} from './decimal.js';

export interface LinesFromProductRowsOptions {
  /** A per-company VAT setting that wins over the rows' own tax fields (rows' rates are then only compared). */
  vatOverride?: VatSpec;
}

export interface LinesFromProductRowsResult {
  lines: DocumentLine[];
  vat: VatSpec;
  /** Russian, for the manager: rounding, skipped rows, disagreement between the override and the rows. */
  warnings: string[];
}

const DEFAULT_UNIT = 'шт';

interface ParsedRow {
  index: number;
  name: string;
  unit: string;
  quantity: Decimal;
  price?: Decimal;
  priceExclusive?: Decimal;
  /** null: the row carries no tax. */
  rate: VatRate | null;
  rawRate: string | null;
  taxIncluded: boolean;
}

export function linesFromProductRows(
  rows: BitrixProductRow[],
  opts: LinesFromProductRowsOptions = {},
): LinesFromProductRowsResult {
  const warnings: string[] = [];
  const parsed: ParsedRow[] = [];
  sortRows(rows ?? []).forEach((row, index) => {
    const p = parseRow(row, index, opts.vatOverride !== undefined);
    if (isZero(p.quantity)) {
      warnings.push(`Товар «${p.name}» с количеством 0 не включён в документ.`);
      return;
    }
    parsed.push(p);
  });
  if (parsed.length === 0) {
    throw new AppError(
      'NO_PRODUCT_ROWS',
      'В сделке нет товаров или услуг для документа. Добавьте товары в сделку (количество больше нуля) и запустите робот снова.',
    );
  }

  const vat = opts.vatOverride ? checkOverride(opts.vatOverride, parsed, warnings) : vatFromRows(parsed, warnings);

  const lines: DocumentLine[] = [];
  const priceKopecks: number[] = [];
  let dealTotal: Decimal = { units: 0n, scale: 0 };
  for (const p of parsed) {
    const exact = unitPrice(p, vat);
    const kopecks = toKopecks(exact);
    if (normalize(exact).scale > 2) {
      warnings.push(
        `Цена товара «${p.name}» ${decimalToString(exact)} округлена до копеек: ${formatMoney(Number(kopecks))}.`,
      );
    }
    priceKopecks.push(Number(kopecks));
    lines.push({ name: p.name, quantity: quantityToNumber(p.quantity), unit: p.unit, price: kopecksToDecimal(Number(kopecks)) });
    dealTotal = add(dealTotal, mul(p.quantity, grossPrice(p)));
  }

  const totals = computeTotals(
    lines.map((l, i) => ({ quantity: l.quantity, priceKopecks: priceKopecks[i] ?? 0 })),
    vat,
  );
  const dealKopecks = Number(toKopecks(dealTotal));
  if (totals.total !== dealKopecks) {
    warnings.push(
      `Сумма документа ${formatMoney(totals.total)} руб. отличается от суммы товаров в сделке ` +
        `${formatMoney(dealKopecks)} руб. (разница ${formatMoney(totals.total - dealKopecks)} руб.) ` +
        'из-за округления цен или настроек НДС.',
    );
  }
  return { lines, vat, warnings };
}

/** The order managers see in the deal card; rows without SORT keep their place. */
function sortRows(rows: BitrixProductRow[]): BitrixProductRow[] {
  const key = (r: BitrixProductRow): number => {
    const n = Number(r.SORT);
    return isBlank(r.SORT) || !Number.isFinite(n) ? Number.POSITIVE_INFINITY : n;
  };
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => key(a.row) - key(b.row) || a.i - b.i)
    .map((x) => x.row);
}

function rowError(code: string, message: string, index: number, row: BitrixProductRow): AppError {
  return new AppError(code, message, { details: { rowIndex: index, rowId: row.ID ?? null } });
}

function parseRow(row: BitrixProductRow, index: number, hasOverride: boolean): ParsedRow {
  const name = text(row.PRODUCT_NAME) || text(row.ORIGINAL_PRODUCT_NAME);
  const label = name ? `«${name}»` : `в строке ${index + 1}`;
  if (!name) {
    throw rowError('INVALID_PRODUCT_ROW', `У товара в строке ${index + 1} сделки нет названия. Укажите название товара.`, index, row);
  }
  const quantity = readDecimal(row.QUANTITY, `Количество товара ${label}`, index, row);
  if (quantity === undefined) {
    throw rowError('INVALID_PRODUCT_ROW', `У товара ${label} не указано количество.`, index, row);
  }
  if (isNegative(quantity)) {
    throw rowError('INVALID_PRODUCT_ROW', `Количество товара ${label} отрицательное. Исправьте товары сделки.`, index, row);
  }
  if (normalize(quantity).scale > 3) {
    throw rowError(
      'INVALID_PRODUCT_ROW',
      `Количество товара ${label} (${decimalToString(quantity)}) должно иметь не больше трёх знаков после запятой.`,
      index,
      row,
    );
  }
  const price = readDecimal(row.PRICE, `Цена товара ${label}`, index, row);
  const priceExclusive = readDecimal(row.PRICE_EXCLUSIVE, `Цена без налога товара ${label}`, index, row);
  if (price === undefined && priceExclusive === undefined) {
    throw rowError('INVALID_PRODUCT_ROW', `У товара ${label} не указана цена.`, index, row);
  }
  for (const p of [price, priceExclusive]) {
    if (p && isNegative(p)) {
      throw rowError('INVALID_PRODUCT_ROW', `Цена товара ${label} отрицательная. Исправьте товары сделки.`, index, row);
    }
  }

  let rate: VatRate | null = null;
  let rawRate: string | null = null;
  const rateDec = readDecimal(row.TAX_RATE, `Ставка НДС товара ${label}`, index, row);
  if (rateDec !== undefined) {
    rawRate = decimalToString(rateDec);
    const int = toInteger(rateDec);
    const supported = int !== null && (VAT_RATES as readonly number[]).includes(Number(int));
    if (supported) rate = Number(int) as VatRate;
    else if (!hasOverride) {
      throw rowError(
        'UNSUPPORTED_VAT_RATE',
        `Ставка НДС ${rawRate}% у товара ${label} не поддерживается. ` +
          'Допустимые ставки: 22, 10, 7, 5 или 0 %, либо товар без НДС. Исправьте ставку в товарах сделки.',
        index,
        row,
      );
    }
  }

  const unit = text(row.MEASURE_NAME) || DEFAULT_UNIT;
  const parsed: ParsedRow = { index, name, unit, quantity, rate, rawRate, taxIncluded: text(row.TAX_INCLUDED).toUpperCase() === 'Y' };
  if (price !== undefined) parsed.price = price;
  if (priceExclusive !== undefined) parsed.priceExclusive = priceExclusive;
  return parsed;
}

function readDecimal(v: unknown, what: string, index: number, row: BitrixProductRow): Decimal | undefined {
  if (isBlank(v)) return undefined;
  const d = parseDecimal(v);
  if (d === null) {
    throw rowError('INVALID_PRODUCT_ROW', `${what} записано неверно: «${String(v)}».`, index, row);
  }
  return d;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

function rateLabel(rate: VatRate | null): string {
  return rate === null ? 'без НДС' : `${rate}%`;
}

function vatFromRows(rows: ParsedRow[], warnings: string[]): VatSpec {
  const rates = [...new Set(rows.map((r) => r.rate))];
  if (rates.length > 1) {
    throw new AppError(
      'MIXED_VAT_RATES',
      `В сделке товары с разными ставками НДС (${rates.map(rateLabel).join(', ')}). ` +
        'В одном счёте может быть только одна ставка — разделите сделку на отдельные сделки по ставкам НДС.',
      { details: { rates: rates.map((r) => (r === null ? 'none' : r)) } },
    );
  }
  const rate = rates[0] ?? null;
  if (rate === null) return { mode: 'none' };
  const included = rows.filter((r) => r.taxIncluded).length;
  if (included === rows.length) return { mode: 'included', rate };
  if (included === 0) return { mode: 'on_top', rate };
  // PRICE contains the tax in every row, so printing all rows VAT-inclusive keeps the deal sum exact.
  warnings.push(
    `В части товаров НДС включён в цену, в части — нет; в документе все цены указаны с НДС ${rate}% (в том числе НДС).`,
  );
  return { mode: 'included', rate };
}

function checkOverride(vat: VatSpec, rows: ParsedRow[], warnings: string[]): VatSpec {
  const wanted = vat.mode === 'none' ? null : (vat.rate ?? null);
  const differing = rows.filter((r) => r.rate !== wanted || (r.rawRate !== null && r.rate === null));
  if (differing.length > 0) {
    const names = differing.map((r) => `«${r.name}» (${r.rawRate === null ? 'без НДС' : `${r.rawRate}%`})`).join(', ');
    const setting = vat.mode === 'none' ? 'без НДС' : `НДС ${vat.rate ?? '?'}%`;
    warnings.push(`Ставка НДС в товарах сделки не совпадает с настройкой компании (${setting}): ${names}. В документе применена настройка компании.`);
  }
  return { ...vat };
}

/** Exact unit price to print under the document's VAT spec. */
function unitPrice(p: ParsedRow, vat: VatSpec): Decimal {
  if (vat.mode !== 'on_top') return grossPrice(p);
  if (p.rate === null) return grossPrice(p); // the row has no tax: its price is already the net price
  if (p.priceExclusive !== undefined) return p.priceExclusive;
  // Payloads without PRICE_EXCLUSIVE: strip the row's own tax from the gross price, straight to kopecks.
  const gross = grossPrice(p);
  const kopecks = roundDiv(gross.units * 100n * 100n, 10n ** BigInt(gross.scale) * BigInt(100 + p.rate));
  return { units: kopecks, scale: 2 };
}

/** PRICE, the price the deal sum is made of. */
function grossPrice(p: ParsedRow): Decimal {
  if (p.price !== undefined) return p.price;
  const net = p.priceExclusive ?? { units: 0n, scale: 0 };
  if (p.rate === null) return net;
  return normalize(mul(net, { units: BigInt(100 + p.rate), scale: 2 }));
}

function quantityToNumber(q: Decimal): number {
  // ≤ 3 decimals checked above; thousandths / 1000 is the closest double to the written quantity.
  const n = normalize(q);
  return Number(n.units) / 10 ** n.scale;
}

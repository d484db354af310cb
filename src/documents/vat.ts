/**
 * Totals and VAT, in integer kopecks — the one rounding rule of the service (1C style, per line):
 *
 *   line amount = round(quantity × price)            quantity is taken as an integer of thousandths
 *   line VAT    = round(amount × r / (100 + r))      mode `included` (VAT is inside the amount)
 *               = round(amount × r / 100)            mode `on_top`   (VAT is added to the amount)
 *               = 0                                  mode `none`
 *   subtotal = Σ line amounts, vat = Σ line VAT,
 *   total    = subtotal + vat for `on_top`, otherwise subtotal.
 *
 * round() is half away from zero to the kopeck and is done on BigInt, so no float ever touches money.
 * Per-line rounding means the document VAT may differ by a kopeck from VAT computed on the grand total;
 * that is what 1C prints, and accountants compare our documents with 1C.
 */
import { ValidationError } from '../errors.js';
import type { VatMode, VatRate, VatSpec } from './model.js';
import { formatMoney, quantityToThousandths } from './money.js';

export interface TotalsLineInput {
  quantity: number;
  priceKopecks: number;
}

export interface Totals {
  lines: { amount: number; vat: number }[];
  subtotal: number;
  vat: number;
  total: number;
  vatRate?: VatRate;
  vatMode: VatMode;
}

export const VAT_RATES: readonly VatRate[] = [22, 10, 7, 5, 0];

/** a / b rounded half away from zero (b > 0). */
export function roundDiv(a: bigint, b: bigint): bigint {
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const q = (abs * 2n + b) / (2n * b);
  return neg ? -q : q;
}

function toSafeNumber(v: bigint, path: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new ValidationError([{ path, message: 'Сумма слишком велика', messageEn: 'Amount is too large' }]);
  }
  return n;
}

/** Checks the spec and returns the rate that applies (undefined for `none`). */
export function vatRateOf(vat: VatSpec): VatRate | undefined {
  if (vat.mode === 'none') return undefined;
  if (vat.mode !== 'included' && vat.mode !== 'on_top') {
    throw new ValidationError([
      { path: 'vat.mode', message: 'Неизвестный режим НДС', messageEn: `Unknown VAT mode "${String(vat.mode)}"` },
    ]);
  }
  if (vat.rate === undefined || !VAT_RATES.includes(vat.rate)) {
    throw new ValidationError([
      {
        path: 'vat.rate',
        message: 'Укажите ставку НДС: 22, 10, 7, 5 или 0 %',
        messageEn: 'VAT rate must be one of 22, 10, 7, 5, 0',
      },
    ]);
  }
  return vat.rate;
}

export function computeTotals(lines: TotalsLineInput[], vat: VatSpec): Totals {
  const rate = vatRateOf(vat);
  const out: { amount: number; vat: number }[] = [];
  let subtotal = 0n;
  let vatSum = 0n;
  lines.forEach((line, i) => {
    const qPath = `lines[${i}].quantity`;
    const qMilli = quantityToThousandths(line.quantity, qPath);
    if (qMilli < 0) {
      throw new ValidationError([
        { path: qPath, message: 'Количество не может быть отрицательным', messageEn: 'Quantity must not be negative' },
      ]);
    }
    if (!Number.isSafeInteger(line.priceKopecks)) {
      throw new ValidationError([
        {
          path: `lines[${i}].price`,
          message: 'Цена должна быть в целых копейках',
          messageEn: 'Price must be whole kopecks',
        },
      ]);
    }
    const amount = roundDiv(BigInt(qMilli) * BigInt(line.priceKopecks), 1000n);
    let lineVat = 0n;
    if (rate !== undefined && vat.mode === 'included') lineVat = roundDiv(amount * BigInt(rate), BigInt(100 + rate));
    if (rate !== undefined && vat.mode === 'on_top') lineVat = roundDiv(amount * BigInt(rate), 100n);
    out.push({ amount: toSafeNumber(amount, `lines[${i}]`), vat: toSafeNumber(lineVat, `lines[${i}]`) });
    subtotal += amount;
    vatSum += lineVat;
  });
  const total = vat.mode === 'on_top' ? subtotal + vatSum : subtotal;
  const totals: Totals = {
    lines: out,
    subtotal: toSafeNumber(subtotal, 'lines'),
    vat: toSafeNumber(vatSum, 'lines'),
    total: toSafeNumber(total, 'lines'),
    vatMode: vat.mode,
  };
  if (rate !== undefined) totals.vatRate = rate;
  return totals;
}

/** Label of the VAT row under the table: «В том числе НДС (22%):», «НДС (22%):», «Без налога (НДС)». */
export function vatLineLabel(vat: VatSpec): string {
  const rate = vatRateOf(vat);
  if (rate === undefined) return 'Без налога (НДС)';
  return vat.mode === 'included' ? `В том числе НДС (${rate}%):` : `НДС (${rate}%):`;
}

/**
 * VAT clause of a payment purpose: «в т.ч. НДС (22%) 4 508,20 руб.» or «Без налога (НДС)». VAT added on top
 * reads the same: the payment is the total, and the VAT is inside what is paid, as on any payment order.
 */
export function vatPurposeText(vat: VatSpec, vatKopecks: number): string {
  const rate = vatRateOf(vat);
  if (rate === undefined) return 'Без налога (НДС)';
  return `в т.ч. НДС (${rate}%) ${formatMoney(vatKopecks)} руб.`;
}

/**
 * The smart-invoice rows we write, read the way the platform reads them (price is the unit price with
 * tax; a row's sum is price × quantity, its tax sum × r/(100+r)), computed here in exact fractions: for
 * every VAT mode and rate the rows must give the line sums, VAT and total the PDF prints, whether the
 * platform rounds each row or only the grand total.
 */
import { describe, expect, it } from 'vitest';
import type { DocumentLine, DocumentModel, VatSpec } from '../../src/documents/model.js';
import { computeTotals } from '../../src/documents/vat.js';
import { smartInvoiceRows, type SmartInvoiceRow } from '../../src/invoicing/smartInvoiceRows.js';
import { loadFixture } from '../helpers/pdfTools.js';

/** Awkward on purpose: a price whose VAT on top has four decimals, fractional quantities, half kopecks. */
const LINES: DocumentLine[] = [
  { name: 'Аренда кладовой', quantity: 3, unit: 'шт', price: '333.33' },
  { name: 'Аренда офиса', quantity: 1, unit: 'мес', price: '25000.00' },
  { name: 'Электроэнергия', quantity: 1.5, unit: 'кВт·ч', price: '0.03' },
  { name: 'Площадь', quantity: 12.345, unit: 'м²', price: '1234.57' },
  { name: 'Уборка', quantity: 0.333, unit: 'ч', price: '100.00' },
  { name: 'Охрана', quantity: 7, unit: 'сут', price: '0.07' },
];

const MODES: VatSpec[] = [
  { mode: 'none' },
  ...([22, 10, 7, 5, 0] as const).map((rate) => ({ mode: 'included' as const, rate })),
  ...([22, 10, 7, 5, 0] as const).map((rate) => ({ mode: 'on_top' as const, rate })),
];

const modeName = (v: VatSpec) => (v.mode === 'none' ? 'no VAT' : `VAT ${v.rate}% ${v.mode === 'included' ? 'included' : 'on top'}`);

function model(vat: VatSpec, lines: DocumentLine[] = LINES): DocumentModel {
  return { ...loadFixture('ooo-vat22-qr'), lines, vat };
}

/** An exact fraction n/d (d > 0). */
interface Frac {
  n: bigint;
  d: bigint;
}

function frac(v: number): Frac {
  const [int, dec = ''] = String(v).split('.');
  expect(String(v)).not.toContain('e');
  return { n: BigInt(`${int}${dec}`), d: 10n ** BigInt(dec.length) };
}

const times = (a: Frac, b: Frac): Frac => ({ n: a.n * b.n, d: a.d * b.d });
const plus = (a: Frac, b: Frac): Frac => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });

/** Roubles → kopecks, half away from zero (amounts here are never negative). */
function kopecks(x: Frac): number {
  return Number((x.n * 200n + x.d) / (2n * x.d));
}

/** What the platform makes of a row: its sum and the tax inside, unrounded. */
function platformRow(r: SmartInvoiceRow): { sum: Frac; tax: Frac } {
  const sum = times(frac(r.price), frac(r.quantity));
  const rate = BigInt(r.taxRate ?? 0);
  return { sum, tax: { n: sum.n * rate, d: sum.d * (100n + rate) } };
}

describe('smart invoice rows', () => {
  it.each(MODES.map((v) => [modeName(v), v] as const))('%s: every line sum, the VAT and the total are the PDF’s', (_name, vat) => {
    const rows = smartInvoiceRows(model(vat));
    const pdf = computeTotals(
      LINES.map((l) => ({ quantity: l.quantity, priceKopecks: Math.round(Number(l.price) * 100) })),
      vat,
    );
    expect(rows).toHaveLength(LINES.length);
    const platform = rows.map(platformRow);
    rows.forEach((r, i) => {
      const line = pdf.lines[i]!;
      const gross = vat.mode === 'on_top' ? line.amount + line.vat : line.amount;
      expect(r.quantity, r.productName).toBe(LINES[i]!.quantity);
      expect(kopecks(platform[i]!.sum), `${r.productName}: sum`).toBe(gross);
      expect(kopecks(platform[i]!.tax), `${r.productName}: tax`).toBe(line.vat);
    });
    // Rounded per row or only at the end, the total is the one printed.
    const exactTotal = platform.reduce((s, p) => plus(s, p.sum), { n: 0n, d: 1n });
    expect(kopecks(exactTotal)).toBe(pdf.total);
    expect(platform.reduce((s, p) => s + kopecks(p.sum), 0)).toBe(pdf.total);
    expect(platform.reduce((s, p) => s + kopecks(p.tax), 0)).toBe(pdf.vat);
  });

  it('writes VAT on top as a tax-inclusive price with taxIncluded N, the natural price where it is exact', () => {
    const [storeroom, office] = smartInvoiceRows(model({ mode: 'on_top', rate: 22 }));
    // 3 × 333.33 + 22% prints 999.99 + 220.00 = 1 219.99; 3 × 406.6626 would be 1 219.9878.
    expect(storeroom).toEqual({ productName: 'Аренда кладовой', price: 406.66333333, quantity: 3, taxRate: 22, taxIncluded: 'N', measureCode: 796, sort: 10 });
    expect(office).toEqual({ productName: 'Аренда офиса', price: 30500, quantity: 1, taxRate: 22, taxIncluded: 'N', measureCode: 362, sort: 20 });
  });

  it('writes VAT included with the printed price and taxIncluded Y, no VAT without a tax rate', () => {
    expect(smartInvoiceRows(model({ mode: 'included', rate: 10 }))[0]).toMatchObject({ price: 333.33, taxRate: 10, taxIncluded: 'Y' });
    const [row] = smartInvoiceRows(model({ mode: 'none' }));
    expect(row).toEqual({ productName: 'Аренда кладовой', price: 333.33, quantity: 3, measureCode: 796, sort: 10 });
  });

  it('gives units their OKEI codes and leaves a unit it does not know without one', () => {
    const rows = smartInvoiceRows(model({ mode: 'none' }));
    expect(rows.map((r) => [LINES.find((l) => l.name === r.productName)!.unit, r.measureCode])).toEqual([
      ['шт', 796],
      ['мес', 362],
      ['кВт·ч', undefined],
      ['м²', 55],
      ['ч', 356],
      ['сут', 359],
    ]);
  });
});

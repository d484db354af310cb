import { describe, expect, it } from 'vitest';
import { computeTotals } from '../../src/documents/vat.js';
import { parseMoney } from '../../src/documents/money.js';
import type { BitrixProductRow } from '../../src/invoicing/bitrixTypes.js';
import { linesFromProductRows } from '../../src/invoicing/productRows.js';
import { errorOf } from '../helpers/errors.js';

/** A row as crm.deal.productrows.get returns it (numbers as JSON numbers, like the docs' sample). */
function row(fields: Partial<BitrixProductRow>): BitrixProductRow {
  return {
    ID: '1',
    OWNER_ID: '5',
    OWNER_TYPE: 'D',
    PRODUCT_ID: 0,
    PRODUCT_NAME: 'Арендная плата за декабрь 2026 г.',
    QUANTITY: 1,
    DISCOUNT_TYPE_ID: 2,
    DISCOUNT_RATE: 0,
    DISCOUNT_SUM: 0,
    TAX_RATE: null,
    TAX_INCLUDED: 'Y',
    MEASURE_CODE: 796,
    MEASURE_NAME: 'шт',
    SORT: 10,
    ...fields,
  };
}

/** What the document will print as «Всего к оплате». */
function documentTotal(result: ReturnType<typeof linesFromProductRows>): number {
  return computeTotals(
    result.lines.map((l) => ({ quantity: l.quantity, priceKopecks: parseMoney(l.price) })),
    result.vat,
  ).total;
}

describe('linesFromProductRows: prices, discounts and VAT', () => {
  const cases: {
    name: string;
    rows: BitrixProductRow[];
    price: string[];
    quantity?: number[];
    vat: object;
    total: number;
    warnings?: RegExp[];
  }[] = [
    {
      name: 'rent with 22% VAT included, no discount',
      rows: [
        row({ PRICE: 25000, PRICE_EXCLUSIVE: 20491.8, PRICE_NETTO: 20491.8, PRICE_BRUTTO: 25000, TAX_RATE: 22, MEASURE_NAME: 'мес' }),
      ],
      price: ['25000.00'],
      vat: { mode: 'included', rate: 22 },
      total: 2_500_000,
    },
    {
      name: 'scalars as strings, rate written «22.00»',
      rows: [
        row({ PRICE: '25000.00', PRICE_EXCLUSIVE: '20491.80', QUANTITY: '1', TAX_RATE: '22.00', TAX_INCLUDED: 'Y' }),
      ],
      price: ['25000.00'],
      vat: { mode: 'included', rate: 22 },
      total: 2_500_000,
    },
    {
      name: 'percent discount 10%, 22% VAT on top: net discounted price printed, VAT added',
      rows: [
        row({
          PRICE_NETTO: 10000,
          PRICE_BRUTTO: 12200,
          DISCOUNT_TYPE_ID: 2,
          DISCOUNT_RATE: 10,
          DISCOUNT_SUM: 1000,
          PRICE_EXCLUSIVE: 9000,
          PRICE: 10980,
          TAX_RATE: 22,
          TAX_INCLUDED: 'N',
        }),
      ],
      price: ['9000.00'],
      vat: { mode: 'on_top', rate: 22 },
      total: 1_098_000,
    },
    {
      name: 'absolute discount, 10% VAT included: final gross price printed',
      rows: [
        row({
          PRICE_NETTO: 1000,
          PRICE_BRUTTO: 1100,
          DISCOUNT_TYPE_ID: 1,
          DISCOUNT_SUM: 90.91,
          DISCOUNT_RATE: 9.091,
          PRICE_EXCLUSIVE: 909.09,
          PRICE: 1000,
          TAX_RATE: 10,
          TAX_INCLUDED: 'Y',
        }),
      ],
      price: ['1000.00'],
      vat: { mode: 'included', rate: 10 },
      total: 100_000,
    },
    {
      name: 'no tax rate: «Без налога (НДС)», the docs sample row with a 10% discount',
      rows: [
        row({ PRICE: 899.1, PRICE_EXCLUSIVE: 899.1, PRICE_NETTO: 999, PRICE_BRUTTO: 999, DISCOUNT_RATE: 10, DISCOUNT_SUM: 99.9 }),
      ],
      price: ['899.10'],
      vat: { mode: 'none' },
      total: 89_910,
    },
    {
      name: 'empty-string tax rate is no tax',
      rows: [row({ PRICE: '1500', TAX_RATE: '', TAX_INCLUDED: 'N' })],
      price: ['1500.00'],
      vat: { mode: 'none' },
      total: 150_000,
    },
    {
      name: 'quantity 1.5 and several rows, all 22% on top',
      rows: [
        row({ PRODUCT_NAME: 'Аренда офиса', PRICE_EXCLUSIVE: 20000, PRICE: 24400, TAX_RATE: 22, TAX_INCLUDED: 'N' }),
        row({
          ID: '2',
          PRODUCT_NAME: 'Парковочное место',
          QUANTITY: 1.5,
          MEASURE_NAME: 'мес',
          PRICE_EXCLUSIVE: 3000,
          PRICE: 3660,
          TAX_RATE: 22,
          TAX_INCLUDED: 'N',
          SORT: 20,
        }),
      ],
      price: ['20000.00', '3000.00'],
      quantity: [1, 1.5],
      vat: { mode: 'on_top', rate: 22 },
      // 20 000 + 4 500 = 24 500 net, VAT 4 400 + 990 = 5 390 → 29 890,00 = 24 400 + 1.5 × 3 660
      total: 2_989_000,
    },
    {
      name: 'a 7% discount on 333,33 leaves 309,9969: rounded to the kopeck with a warning',
      rows: [row({ PRICE_NETTO: 333.33, DISCOUNT_RATE: 7, DISCOUNT_SUM: 23.3331, PRICE_EXCLUSIVE: 309.9969, PRICE: 309.9969 })],
      price: ['310.00'],
      vat: { mode: 'none' },
      total: 31_000,
      warnings: [/округлена до копеек: 310,00/],
    },
    {
      name: 'rounding ×10 moves the total away from the deal sum by 3 kopecks: warned',
      rows: [row({ QUANTITY: 10, PRICE_EXCLUSIVE: 309.9969, PRICE: 309.9969 })],
      price: ['310.00'],
      vat: { mode: 'none' },
      total: 310_000,
      warnings: [/округлена/, /3\u00A0100,00 руб\. отличается от суммы товаров в сделке 3\u00A0099,97 руб\. \(разница 0,03/],
    },
    {
      name: 'quantity 1.5 × 333,33 + 22% on top: per-line rounding differs from the deal by a kopeck',
      rows: [row({ QUANTITY: 1.5, PRICE_EXCLUSIVE: 333.33, PRICE: 406.6626, TAX_RATE: 22, TAX_INCLUDED: 'N' })],
      price: ['333.33'],
      quantity: [1.5],
      vat: { mode: 'on_top', rate: 22 },
      // amount round(499.995) = 500,00, VAT 110,00 → 610,00; the deal: 1.5 × 406.6626 = 609,99
      total: 61_000,
      warnings: [/разница 0,01/],
    },
    {
      name: 'same rate, VAT included in some rows only: everything printed VAT-inclusive',
      rows: [
        row({ PRODUCT_NAME: 'Аренда', PRICE: 12200, PRICE_EXCLUSIVE: 10000, TAX_RATE: 22, TAX_INCLUDED: 'N' }),
        row({ ID: '2', PRODUCT_NAME: 'Уборка', PRICE: 6100, PRICE_EXCLUSIVE: 5000, TAX_RATE: 22, TAX_INCLUDED: 'Y', SORT: 20 }),
      ],
      price: ['12200.00', '6100.00'],
      vat: { mode: 'included', rate: 22 },
      total: 1_830_000,
      warnings: [/в части — нет/],
    },
    {
      name: '0% VAT is a rate, not «без НДС»',
      rows: [row({ PRICE: 5000, PRICE_EXCLUSIVE: 5000, TAX_RATE: 0, TAX_INCLUDED: 'Y' })],
      price: ['5000.00'],
      vat: { mode: 'included', rate: 0 },
      total: 500_000,
    },
    {
      name: 'on top without PRICE_EXCLUSIVE in the payload: the net price is derived from PRICE',
      rows: [row({ PRICE: 1220, TAX_RATE: 22, TAX_INCLUDED: 'N' })],
      price: ['1000.00'],
      vat: { mode: 'on_top', rate: 22 },
      total: 122_000,
    },
  ];

  it.each(cases)('$name', (c) => {
    const result = linesFromProductRows(c.rows);
    expect(result.lines.map((l) => l.price)).toEqual(c.price);
    if (c.quantity) expect(result.lines.map((l) => l.quantity)).toEqual(c.quantity);
    expect(result.vat).toEqual(c.vat);
    expect(documentTotal(result)).toBe(c.total);
    const expected = c.warnings ?? [];
    expect(result.warnings).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(result.warnings[i]).toMatch(re));
  });
});

describe('linesFromProductRows: names, units, order', () => {
  it('keeps name, unit and quantity; defaults the unit to «шт»; follows SORT', () => {
    const result = linesFromProductRows([
      row({ PRODUCT_NAME: '  Вывоз мусора ', PRICE: 700, MEASURE_NAME: '', QUANTITY: '2', SORT: 30 }),
      row({ PRODUCT_NAME: 'Электроэнергия', PRICE: 7.55, MEASURE_NAME: 'кВт·ч', QUANTITY: 1234.567, SORT: 20 }),
      row({ PRODUCT_NAME: 'Аренда', PRICE: 25000, MEASURE_NAME: 'мес', SORT: 10 }),
    ]);
    expect(result.lines).toEqual([
      { name: 'Аренда', quantity: 1, unit: 'мес', price: '25000.00' },
      { name: 'Электроэнергия', quantity: 1234.567, unit: 'кВт·ч', price: '7.55' },
      { name: 'Вывоз мусора', quantity: 2, unit: 'шт', price: '700.00' },
    ]);
  });

  it('leaves out rows with zero quantity and says so', () => {
    const result = linesFromProductRows([row({ PRICE: 100 }), row({ PRODUCT_NAME: 'Скидка', QUANTITY: 0, PRICE: 50 })]);
    expect(result.lines).toHaveLength(1);
    expect(result.warnings).toEqual(['Товар «Скидка» с количеством 0 не включён в документ.']);
  });
});

describe('linesFromProductRows: errors for the manager', () => {
  it('no rows → NO_PRODUCT_ROWS', () => {
    const e = errorOf(() => linesFromProductRows([]));
    expect(e.code).toBe('NO_PRODUCT_ROWS');
    expect(e.message).toMatch(/^В сделке нет товаров/);
  });

  it('only zero-quantity rows → NO_PRODUCT_ROWS', () => {
    expect(errorOf(() => linesFromProductRows([row({ QUANTITY: 0, PRICE: 1 })])).code).toBe('NO_PRODUCT_ROWS');
  });

  it.each([
    { rates: [22, 10], label: /22%, 10%/ },
    { rates: [22, null], label: /22%, без НДС/ },
  ])('rates $rates → MIXED_VAT_RATES asking to split the deal', ({ rates, label }) => {
    const rows = rates.map((r, i) => row({ ID: String(i + 1), PRICE: 100, TAX_RATE: r, SORT: i }));
    const e = errorOf(() => linesFromProductRows(rows));
    expect(e.code).toBe('MIXED_VAT_RATES');
    expect(e.message).toMatch(label);
    expect(e.message).toMatch(/разделите сделку/);
  });

  it.each([20, 18, 12.5, '20.00'])('rate %s → UNSUPPORTED_VAT_RATE', (rate) => {
    const e = errorOf(() => linesFromProductRows([row({ PRICE: 100, TAX_RATE: rate })]));
    expect(e.code).toBe('UNSUPPORTED_VAT_RATE');
    expect(e.message).toContain('22, 10, 7, 5 или 0 %');
  });

  it.each([
    { fields: { QUANTITY: 1.2345 }, re: /не больше трёх знаков/ },
    { fields: { QUANTITY: -1 }, re: /отрицательное/ },
    { fields: { QUANTITY: null }, re: /не указано количество/ },
    { fields: { PRICE: -5 }, re: /отрицательная/ },
    { fields: { PRICE: 'abc' }, re: /записано неверно: «abc»/ },
    { fields: { PRICE: null, PRICE_EXCLUSIVE: null }, re: /не указана цена/ },
    { fields: { PRODUCT_NAME: ' ', ORIGINAL_PRODUCT_NAME: null }, re: /нет названия/ },
  ])('invalid row $fields → INVALID_PRODUCT_ROW', ({ fields, re }) => {
    const e = errorOf(() => linesFromProductRows([row({ PRICE: 100, ...fields } as Partial<BitrixProductRow>)]));
    expect(e.code).toBe('INVALID_PRODUCT_ROW');
    expect(e.message).toMatch(re);
  });
});

describe('linesFromProductRows: company VAT override', () => {
  it('«без НДС» company with 22%-included rows prints the gross prices without VAT and warns', () => {
    const result = linesFromProductRows([row({ PRICE: 12200, PRICE_EXCLUSIVE: 10000, TAX_RATE: 22, TAX_INCLUDED: 'Y' })], {
      vatOverride: { mode: 'none' },
    });
    expect(result.vat).toEqual({ mode: 'none' });
    expect(result.lines[0]?.price).toBe('12200.00');
    expect(result.warnings).toEqual([expect.stringMatching(/не совпадает с настройкой компании \(без НДС\): «.+» \(22%\)/)]);
  });

  it('on-top override uses the net price of taxed rows and the plain price of untaxed ones', () => {
    const result = linesFromProductRows(
      [
        row({ PRODUCT_NAME: 'Аренда', PRICE: 12200, PRICE_EXCLUSIVE: 10000, TAX_RATE: 22, TAX_INCLUDED: 'N' }),
        row({ PRODUCT_NAME: 'Уборка', PRICE: 500, TAX_RATE: null, SORT: 20 }),
      ],
      { vatOverride: { mode: 'on_top', rate: 22 } },
    );
    expect(result.lines.map((l) => l.price)).toEqual(['10000.00', '500.00']);
    expect(result.warnings[0]).toMatch(/«Уборка» \(без НДС\)/);
  });

  it('an override matching the rows adds no warning and accepts rates the rows alone would not', () => {
    const ok = linesFromProductRows([row({ PRICE: 1000, TAX_RATE: 5, TAX_INCLUDED: 'Y' })], {
      vatOverride: { mode: 'included', rate: 5 },
    });
    expect(ok.warnings).toEqual([]);
    const old = linesFromProductRows([row({ PRICE: 1200, TAX_RATE: 20, TAX_INCLUDED: 'Y' })], {
      vatOverride: { mode: 'included', rate: 22 },
    });
    expect(old.vat).toEqual({ mode: 'included', rate: 22 });
    expect(old.warnings[0]).toMatch(/\(20%\)/);
  });
});

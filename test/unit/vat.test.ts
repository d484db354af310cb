import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { computeTotals, roundDiv, vatLineLabel, vatPurposeText } from '../../src/documents/vat.js';
import { formatMoney } from '../../src/documents/money.js';

const NBSP = '\u00A0';

describe('computeTotals', () => {
  it('22% included: 25 000,00 contains 4 508,20 VAT', () => {
    const t = computeTotals([{ quantity: 1, priceKopecks: 2_500_000 }], { mode: 'included', rate: 22 });
    expect(t).toEqual({
      lines: [{ amount: 2_500_000, vat: 450_820 }],
      subtotal: 2_500_000,
      vat: 450_820,
      total: 2_500_000,
      vatRate: 22,
      vatMode: 'included',
    });
    expect(formatMoney(t.vat)).toBe(`4${NBSP}508,20`);
  });

  it('22% on top: 5 500,00 VAT, total 30 500,00', () => {
    const t = computeTotals([{ quantity: 1, priceKopecks: 2_500_000 }], { mode: 'on_top', rate: 22 });
    expect(t.vat).toBe(550_000);
    expect(t.subtotal).toBe(2_500_000);
    expect(t.total).toBe(3_050_000);
  });

  it('rounds VAT per line and sums (1C style), not on the grand total', () => {
    // 100,00 incl. 22%: 1800/1.22... = 18,03 (1803.278…) per line; 3 lines → 54,09; on the total it would be 54,10.
    const lines = [1, 2, 3].map(() => ({ quantity: 1, priceKopecks: 10_000 }));
    const t = computeTotals(lines, { mode: 'included', rate: 22 });
    expect(t.lines.map((l) => l.vat)).toEqual([1803, 1803, 1803]);
    expect(t.vat).toBe(5409);
    expect(t.total).toBe(30_000);
  });

  it('multi-line on top with per-line rounding', () => {
    const t = computeTotals(
      [
        { quantity: 1, priceKopecks: 333 }, // 3,33 × 10% = 0,333 → 0,33
        { quantity: 1, priceKopecks: 335 }, // 3,35 × 10% = 0,335 → 0,34 (half away from zero)
      ],
      { mode: 'on_top', rate: 10 },
    );
    expect(t.lines).toEqual([
      { amount: 333, vat: 33 },
      { amount: 335, vat: 34 },
    ]);
    expect(t.vat).toBe(67);
    expect(t.total).toBe(668 + 67);
  });

  it('fractional quantities round the line amount half away from zero', () => {
    const t = computeTotals(
      [
        { quantity: 1.5, priceKopecks: 2_500_000 }, // 37 500,00
        { quantity: 0.333, priceKopecks: 1_000_050 }, // 3 330,16665 → 3 330,17
        { quantity: 0.5, priceKopecks: 1 }, // 0,005 → 0,01
      ],
      { mode: 'none' },
    );
    expect(t.lines.map((l) => l.amount)).toEqual([3_750_000, 333_017, 1]);
    expect(t.subtotal).toBe(4_083_018);
    expect(t.vat).toBe(0);
    expect(t.total).toBe(4_083_018);
    expect(t.vatRate).toBeUndefined();
  });

  it('rounds on the scaled integer, where float math would round down', () => {
    // 1.005 × 100 = 100.49999999999999 in floats; exactly 100,5 kopecks → 101.
    expect(computeTotals([{ quantity: 1.005, priceKopecks: 100 }], { mode: 'none' }).total).toBe(101);
  });

  it('rate 0 prints VAT 0 but keeps the rate', () => {
    const t = computeTotals([{ quantity: 2, priceKopecks: 12_345 }], { mode: 'on_top', rate: 0 });
    expect(t).toMatchObject({ subtotal: 24_690, vat: 0, total: 24_690, vatRate: 0, vatMode: 'on_top' });
  });

  it('5% and 7% USN rates included', () => {
    expect(computeTotals([{ quantity: 1, priceKopecks: 10_500 }], { mode: 'included', rate: 5 }).vat).toBe(500);
    expect(computeTotals([{ quantity: 1, priceKopecks: 10_700 }], { mode: 'included', rate: 7 }).vat).toBe(700);
  });

  it('stays exact for amounts beyond float precision of the product', () => {
    const t = computeTotals([{ quantity: 999.999, priceKopecks: 99_999_999_999 }], { mode: 'none' });
    // 99 999 999 999 × 999 999 / 1000 = 99 999 899 999 000,001 kopecks → 99 999 899 999 000
    expect(t.total).toBe(99_999_899_999_000);
  });

  it('rejects a VAT mode without a rate and bad quantities, naming the path', () => {
    expect(() => computeTotals([], { mode: 'included' })).toThrow(ValidationError);
    try {
      computeTotals([{ quantity: 1, priceKopecks: 1 }, { quantity: 0.0001, priceKopecks: 1 }], { mode: 'none' });
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).issues[0]?.path).toBe('lines[1].quantity');
    }
    expect(() => computeTotals([{ quantity: -1, priceKopecks: 1 }], { mode: 'none' })).toThrow(/отрицательным/);
    expect(() => computeTotals([{ quantity: 1, priceKopecks: 1.5 }], { mode: 'none' })).toThrow(/копейках/);
  });
});

describe('roundDiv', () => {
  it('rounds half away from zero', () => {
    expect(roundDiv(5n, 10n)).toBe(1n);
    expect(roundDiv(4n, 10n)).toBe(0n);
    expect(roundDiv(-5n, 10n)).toBe(-1n);
    expect(roundDiv(-4n, 10n)).toBe(0n);
    expect(roundDiv(15n, 10n)).toBe(2n);
  });
});

describe('labels', () => {
  it('VAT row label', () => {
    expect(vatLineLabel({ mode: 'included', rate: 22 })).toBe('В том числе НДС (22%):');
    expect(vatLineLabel({ mode: 'on_top', rate: 10 })).toBe('НДС (10%):');
    expect(vatLineLabel({ mode: 'none' })).toBe('Без налога (НДС)');
  });

  it('payment purpose VAT clause', () => {
    expect(vatPurposeText({ mode: 'included', rate: 22 }, 450_820)).toBe(`в т.ч. НДС (22%) 4${NBSP}508,20 руб.`);
    expect(vatPurposeText({ mode: 'on_top', rate: 22 }, 550_000)).toBe(`в т.ч. НДС (22%) 5${NBSP}500,00 руб.`);
    expect(vatPurposeText({ mode: 'none' }, 0)).toBe('Без налога (НДС)');
  });
});

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { formatMoney, formatQuantity, kopecksToDecimal, parseMoney, quantityToThousandths } from '../../src/documents/money.js';

const NBSP = '\u00A0';

describe('parseMoney', () => {
  it.each([
    ['25000.00', 2_500_000],
    ['25000', 2_500_000],
    ['25000.5', 2_500_050],
    ['25000,05', 2_500_005],
    ['25 000,00', 2_500_000],
    [`25${NBSP}000,00`, 2_500_000],
    ['1 234 567.89', 123_456_789],
    ['0.01', 1],
    ['0', 0],
    ['  42.10 ', 4210],
    ['999999999999.99', 99_999_999_999_999],
  ])('%j → %d kopecks', (input, kopecks) => {
    expect(parseMoney(input)).toBe(kopecks);
  });

  it.each([
    ['25000.001', 'двух знаков'],
    ['-5.00', 'отрицательной'],
    ['abc', 'записана неверно'],
    ['', 'записана неверно'],
    ['1e5', 'записана неверно'],
    ['12.', 'записана неверно'],
    ['.5', 'записана неверно'],
    ['1 00.00', 'записана неверно'],
    ['25000.00 руб', 'записана неверно'],
    ['0x10', 'записана неверно'],
    ['99999999999999999.00', 'слишком велика'],
  ])('rejects %j with a Russian message naming the path', (input, fragment) => {
    try {
      parseMoney(input, 'lines[0].price');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const issue = (err as ValidationError).issues[0];
      expect(issue?.path).toBe('lines[0].price');
      expect(issue?.message).toContain(fragment);
      expect(issue?.messageEn).toBeTruthy();
    }
  });

  it('is exact where parseFloat would not be', () => {
    expect(parseMoney('0.29')).toBe(29); // 0.29 * 100 = 28.999999999999996
    expect(parseMoney('1.13')).toBe(113);
  });
});

describe('formatMoney / kopecksToDecimal', () => {
  it.each([
    [2_500_000, `25${NBSP}000,00`, '25000.00'],
    [0, '0,00', '0.00'],
    [1, '0,01', '0.01'],
    [99, '0,99', '0.99'],
    [100_000, `1${NBSP}000,00`, '1000.00'],
    [99_999, '999,99', '999.99'],
    [123_456_789_01, `123${NBSP}456${NBSP}789,01`, '123456789.01'],
    [-450_820, `-4${NBSP}508,20`, '-4508.20'],
  ])('%d', (kopecks, formatted, decimal) => {
    expect(formatMoney(kopecks)).toBe(formatted);
    expect(kopecksToDecimal(kopecks)).toBe(decimal);
  });

  it('round-trips through parseMoney', () => {
    for (const k of [0, 1, 10, 101, 2_500_050, 99_999_999_999_999]) {
      expect(parseMoney(kopecksToDecimal(k))).toBe(k);
      expect(parseMoney(formatMoney(k))).toBe(k);
    }
  });

  it('refuses fractional kopecks', () => {
    expect(() => formatMoney(1.5)).toThrow(/целым/);
  });
});

describe('formatQuantity', () => {
  it.each([
    [1, '1'],
    [1.5, '1,5'],
    [0.333, '0,333'],
    [2.25, '2,25'],
    [10, '10'],
    [1.1, '1,1'],
    [1234.005, '1234,005'],
  ])('%d → %s', (q, text) => {
    expect(formatQuantity(q)).toBe(text);
  });

  it('refuses more than 3 decimals and non-numbers', () => {
    expect(() => formatQuantity(0.3333)).toThrow(ValidationError);
    expect(() => formatQuantity(Number.NaN)).toThrow(ValidationError);
    expect(() => quantityToThousandths(10000.0004)).toThrow(ValidationError);
  });

  it('scales quantities exactly', () => {
    expect(quantityToThousandths(0.333)).toBe(333);
    expect(quantityToThousandths(1.005)).toBe(1005);
    expect(quantityToThousandths(4.35)).toBe(4350);
  });
});

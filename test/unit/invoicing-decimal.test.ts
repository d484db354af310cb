import { describe, expect, it } from 'vitest';
import { decimalToString, parseDecimal, toKopecks } from '../../src/invoicing/decimal.js';

describe('parseDecimal / toKopecks', () => {
  it.each([
    { v: 899.1, exact: '899.1', kop: 89910n },
    { v: '25000.00', exact: '25000', kop: 2500000n },
    { v: ' 25 000,50 ', exact: '25000.5', kop: 2500050n },
    { v: 0.1 + 0.2, exact: '0.30000000000000004', kop: 30n },
    { v: 309.9969, exact: '309.9969', kop: 31000n },
    { v: '0.005', exact: '0.005', kop: 1n },
    { v: '-0.005', exact: '-0.005', kop: -1n },
    { v: 1e21, exact: '1000000000000000000000', kop: 100000000000000000000000n },
    { v: 1e-7, exact: '0.0000001', kop: 0n },
    { v: '1.5E+2', exact: '150', kop: 15000n },
  ])('$v → $exact (kopecks $kop)', ({ v, exact, kop }) => {
    const d = parseDecimal(v);
    expect(d).not.toBeNull();
    expect(decimalToString(d!)).toBe(exact);
    expect(toKopecks(d!)).toBe(kop);
  });

  it.each([null, undefined, '', '  ', 'abc', '1.2.3', Number.NaN, Number.POSITIVE_INFINITY, '.', {}])('%s → null', (v) => {
    expect(parseDecimal(v)).toBeNull();
  });
});

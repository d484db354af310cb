import { describe, expect, it } from 'vitest';
import { leasePeriods, type BillingPeriod } from '../../src/leases/periods.js';
import { indexationSteps, indexedPrice, periodRowAmounts, proratedAmount } from '../../src/leases/proration.js';
import { parseLeaseTerms, type LeaseTerms } from '../../src/leases/terms.js';

const terms = (props: Record<string, string>): LeaseTerms => parseLeaseTerms(props, 'Europe/Moscow');
const periods = (t: LeaseTerms): BillingPeriod[] => [...leasePeriods(t)];

describe('pro-rata of a partial period', () => {
  it.each([
    ['17 days of a 31-day January', { lease_start: '15.01.2027', lease_end: '31.03.2027', anchor_day: '1' }, 0, 2_500_000, 1_370_968],
    ['10 days of a common February', { lease_start: '01.01.2027', lease_end: '10.02.2027' }, 1, 2_500_000, 892_857],
    ['10 days of a leap February', { lease_start: '01.01.2028', lease_end: '10.02.2028' }, 1, 2_500_000, 862_069],
    ['9 days of a 90-day quarter', { lease_start: '20.02.2027', lease_end: '31.12.2027', period: 'quarter', anchor_day: '1' }, 0, 7_500_000, 750_000],
    ['6 days of a week', { lease_start: '01.01.2027', lease_end: '20.01.2027', period: 'week' }, 2, 70_000, 60_000],
    ['the last day on a 31st anchor: 1 of the 31 days from 28 February to 30 March', { lease_start: '31.01.2027', lease_end: '28.02.2027' }, 1, 2_800_000, 90_323],
    ['a whole period', { lease_start: '01.01.2027', lease_end: '10.02.2027' }, 0, 2_500_000, 2_500_000],
  ])('%s', (_name, props, index, amount, expected) => {
    const p = periods(terms(props))[index]!;
    expect(proratedAmount(amount, p)).toBe(expected);
  });

  it('rounds half-up on kopecks', () => {
    const [half] = periods(terms({ lease_start: '01.01.2027', lease_end: '01.01.2027', period: 'days:2' }));
    expect(proratedAmount(3, half!)).toBe(2);
    expect(proratedAmount(5, half!)).toBe(3);
    expect(proratedAmount(1, half!)).toBe(1);
    const [third] = periods(terms({ lease_start: '01.01.2027', lease_end: '01.01.2027', period: 'days:3' }));
    expect(proratedAmount(100, third!)).toBe(33);
    expect(proratedAmount(200, third!)).toBe(67);
  });

  it('bills a partial period whole when pro-rata is off', () => {
    const t = terms({ lease_start: '15.01.2027', anchor_day: '1', prorate: 'N' });
    const [first] = periods({ ...t, end: '2027-03-31' });
    expect(periodRowAmounts(t, first!, [{ name: 'Аренда', amountKopecks: 2_500_000 }])).toEqual([
      { name: 'Аренда', fullKopecks: 2_500_000, amountKopecks: 2_500_000 },
    ]);
  });

  it('rounds each row on its own, so the rows add up to the period total', () => {
    const t = terms({ lease_start: '01.01.2027', lease_end: '01.01.2027', period: 'days:2' });
    const rows = [1, 1, 1].map((amountKopecks, i) => ({ name: `Строка ${i + 1}`, amountKopecks }));
    const amounts = periodRowAmounts(t, periods(t)[0]!, rows);
    // 0.5 kopeck each, rounded per row: 1 + 1 + 1 (rounding the total would give 2).
    expect(amounts.map((r) => r.amountKopecks)).toEqual([1, 1, 1]);
  });

  it('bills every day exactly once over a lease with both ends partial', () => {
    const t = terms({ lease_start: '15.01.2027', lease_end: '10.04.2027', anchor_day: '1' });
    const ps = periods(t);
    const amounts = ps.map((p) => proratedAmount(3_100_000, p));
    // 17/31 of January, whole February and March, 10/30 of April.
    expect(amounts).toEqual([1_700_000, 3_100_000, 3_100_000, 1_033_333]);
  });

  it('refuses a fractional or negative amount', () => {
    const p = periods(terms({ lease_start: '01.01.2027', lease_end: '10.02.2027' }))[1]!;
    expect(() => proratedAmount(10.5, p)).toThrow(/целым/);
    expect(() => proratedAmount(-1, p)).toThrow(/неотрицательным/);
  });
});

describe('indexation', () => {
  it.each([
    // start, month, period start, steps
    ['2027-01-15', '', '2027-12-15', 0],
    ['2027-01-15', '', '2028-01-15', 1],
    ['2027-01-15', '', '2029-01-15', 2],
    ['2027-01-01', '3', '2027-03-01', 0],
    ['2027-01-01', '3', '2028-02-01', 0],
    ['2027-01-01', '3', '2028-03-01', 1],
    ['2027-01-01', '3', '2029-02-01', 1],
    ['2027-01-01', '3', '2029-03-01', 2],
    ['2027-03-01', '3', '2028-02-01', 0],
    ['2027-03-01', '3', '2028-03-01', 1],
    ['2027-03-20', '3', '2028-02-20', 0],
    ['2027-03-20', '3', '2028-03-20', 1],
    ['2027-04-01', '3', '2028-03-01', 0],
    ['2027-04-01', '3', '2029-03-01', 1],
  ])('lease from %s, month %j: a period from %s carries %i steps', (start, month, from, steps) => {
    const t = terms({ lease_start: start, indexation_percent: '5', indexation_month: month });
    expect(indexationSteps(t, from)).toBe(steps);
  });

  it('carries no steps without indexation', () => {
    expect(indexationSteps(terms({ lease_start: '01.01.2027' }), '2035-01-01')).toBe(0);
  });

  it('compounds yearly, rounding each step to the kopeck', () => {
    const t = terms({ lease_start: '15.01.2027', indexation_percent: '5' });
    expect([0, 1, 2, 3, 4].map((n) => indexedPrice(2_500_000, t, n))).toEqual([2_500_000, 2_625_000, 2_756_250, 2_894_063, 3_038_766]);
    // 100,00 at 4.5 %: 104,50 → 109,20 → 114,11 (compounding without rounding would give 114,12).
    const t45 = terms({ lease_start: '15.01.2027', indexation_percent: '4.5' });
    expect([1, 2, 3].map((n) => indexedPrice(10_000, t45, n))).toEqual([10_450, 10_920, 11_411]);
  });

  it('indexes the monthly amounts of a lease over the years, then pro-rates the cut period', () => {
    const t = terms({ lease_start: '01.03.2027', lease_end: '10.03.2029', indexation_percent: '10', indexation_month: '3' });
    const ps = periods(t);
    const amount = (from: string) => periodRowAmounts(t, ps.find((p) => p.from === from)!, [{ name: 'A', amountKopecks: 2_500_000 }])[0]!;
    expect(amount('2028-02-01').amountKopecks).toBe(2_500_000);
    expect(amount('2028-03-01').amountKopecks).toBe(2_750_000);
    expect(amount('2029-02-01').amountKopecks).toBe(2_750_000);
    // 3 025 000,00 a month from March 2029; the lease ends on 10 March: 10/31.
    expect(amount('2029-03-01')).toEqual({ name: 'A', fullKopecks: 3_025_000, amountKopecks: 975_806 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  controlDate,
  daysInRange,
  firstPeriodToBill,
  leasePeriods,
  nextPeriodAfter,
  periodCount,
  periodsDueBy,
  stopLease,
  type BillingPeriod,
} from '../../src/leases/periods.js';
import { parseLeaseTerms, type LeaseTerms } from '../../src/leases/terms.js';
import { addDays } from '../../src/invoicing/period.js';
import { daysInMonth } from '../../src/documents/dates.js';

const MSK = 'Europe/Moscow';
const terms = (props: Record<string, string>, tz = MSK): LeaseTerms => parseLeaseTerms(props, tz);

function take(t: LeaseTerms, n: number): BillingPeriod[] {
  const out: BillingPeriod[] = [];
  for (const p of leasePeriods(t)) {
    out.push(p);
    if (out.length >= n) break;
  }
  return out;
}

const ranges = (ps: BillingPeriod[]): string[] => ps.map((p) => `${p.from}..${p.to}`);

describe('lease periods', () => {
  it.each([
    [
      'anchor 31 in a common year: 31 Jan → 28 Feb → back to 31 Mar',
      { lease_start: '31.01.2027' },
      ['2027-01-31..2027-02-27', '2027-02-28..2027-03-30', '2027-03-31..2027-04-29', '2027-04-30..2027-05-30', '2027-05-31..2027-06-29'],
    ],
    [
      'anchor 31 in a leap year: 29 Feb',
      { lease_start: '31.01.2028' },
      ['2028-01-31..2028-02-28', '2028-02-29..2028-03-30', '2028-03-31..2028-04-29'],
    ],
    [
      'anchor 30: 28 Feb, then 30 Mar',
      { lease_start: '30.01.2027' },
      ['2027-01-30..2027-02-27', '2027-02-28..2027-03-29', '2027-03-30..2027-04-29'],
    ],
    [
      'anchor 31 over the new year',
      { lease_start: '31.10.2027' },
      ['2027-10-31..2027-11-29', '2027-11-30..2027-12-30', '2027-12-31..2028-01-30', '2028-01-31..2028-02-28', '2028-02-29..2028-03-30'],
    ],
    [
      'a lease from 29 February',
      { lease_start: '29.02.2028' },
      ['2028-02-29..2028-03-28', '2028-03-29..2028-04-28'],
    ],
    [
      'the 15th over the new year',
      { lease_start: '15.12.2027' },
      ['2027-12-15..2028-01-14', '2028-01-15..2028-02-14', '2028-02-15..2028-03-14'],
    ],
    [
      'calendar months',
      { lease_start: '01.02.2028' },
      ['2028-02-01..2028-02-29', '2028-03-01..2028-03-31', '2028-04-01..2028-04-30'],
    ],
    [
      'a mid-month start on the 1st anchor: a partial first period',
      { lease_start: '15.01.2027', anchor_day: '1' },
      ['2027-01-15..2027-01-31', '2027-02-01..2027-02-28', '2027-03-01..2027-03-31'],
    ],
    [
      'a mid-February start on the 31st anchor',
      { lease_start: '10.02.2027', anchor_day: '31' },
      ['2027-02-10..2027-02-27', '2027-02-28..2027-03-30', '2027-03-31..2027-04-29'],
    ],
    [
      'a start on a clamped anchor day is on the grid',
      { lease_start: '28.02.2027', anchor_day: '31' },
      ['2027-02-28..2027-03-30', '2027-03-31..2027-04-29'],
    ],
    [
      'quarters from 1 January',
      { lease_start: '01.01.2027', period: 'quarter' },
      ['2027-01-01..2027-03-31', '2027-04-01..2027-06-30', '2027-07-01..2027-09-30', '2027-10-01..2027-12-31', '2028-01-01..2028-03-31'],
    ],
    [
      'quarters anchored on the 31st',
      { lease_start: '31.01.2027', period: 'quarter' },
      ['2027-01-31..2027-04-29', '2027-04-30..2027-07-30', '2027-07-31..2027-10-30', '2027-10-31..2028-01-30'],
    ],
    [
      'quarters with a partial first period',
      { lease_start: '20.02.2027', period: 'quarter', anchor_day: '1' },
      ['2027-02-20..2027-02-28', '2027-03-01..2027-05-31', '2027-06-01..2027-08-31'],
    ],
    [
      'half-years',
      { lease_start: '01.07.2027', period: 'half_year' },
      ['2027-07-01..2027-12-31', '2028-01-01..2028-06-30', '2028-07-01..2028-12-31'],
    ],
    [
      'years from 29 February: 28 February in common years, 29 again in 2032',
      { lease_start: '29.02.2028', period: 'year' },
      ['2028-02-29..2029-02-27', '2029-02-28..2030-02-27', '2030-02-28..2031-02-27', '2031-02-28..2032-02-28', '2032-02-29..2033-02-27'],
    ],
    [
      'weeks',
      { lease_start: '01.01.2027', period: 'week' },
      ['2027-01-01..2027-01-07', '2027-01-08..2027-01-14', '2027-01-15..2027-01-21'],
    ],
    [
      'weeks ignore the anchor day',
      { lease_start: '01.01.2027', period: 'week', anchor_day: '5' },
      ['2027-01-01..2027-01-07', '2027-01-08..2027-01-14'],
    ],
    [
      '10 days over a common February',
      { lease_start: '25.02.2027', period: 'days:10' },
      ['2027-02-25..2027-03-06', '2027-03-07..2027-03-16'],
    ],
    [
      '10 days over a leap February',
      { lease_start: '25.02.2028', period: 'days:10' },
      ['2028-02-25..2028-03-05', '2028-03-06..2028-03-15'],
    ],
    [
      'one-day periods',
      { lease_start: '28.02.2028', period: 'days:1' },
      ['2028-02-28..2028-02-28', '2028-02-29..2028-02-29', '2028-03-01..2028-03-01'],
    ],
  ])('%s', (_name, props, expected) => {
    expect(ranges(take(terms(props), expected.length))).toEqual(expected);
  });

  it('marks the partial first period and the full period it belongs to', () => {
    const [first, second] = take(terms({ lease_start: '15.01.2027', anchor_day: '1' }), 2);
    expect(first).toEqual({ index: 0, from: '2027-01-15', to: '2027-01-31', full: { from: '2027-01-01', to: '2027-01-31' }, partial: true });
    expect(second).toEqual({ index: 1, from: '2027-02-01', to: '2027-02-28', full: { from: '2027-02-01', to: '2027-02-28' }, partial: false });
    const [q] = take(terms({ lease_start: '20.02.2027', period: 'quarter', anchor_day: '1' }), 1);
    expect(q!.full).toEqual({ from: '2026-12-01', to: '2027-02-28' });
  });

  it.each([
    ['mid-month end', { lease_start: '01.01.2027', lease_end: '15.03.2027' }, ['2027-01-01..2027-01-31', '2027-02-01..2027-02-28', '2027-03-01..2027-03-15']],
    ['end on the last day of a period', { lease_start: '01.01.2027', lease_end: '31.03.2027' }, ['2027-01-01..2027-01-31', '2027-02-01..2027-02-28', '2027-03-01..2027-03-31']],
    ['end on the first day of a period', { lease_start: '01.01.2027', lease_end: '01.03.2027' }, ['2027-01-01..2027-01-31', '2027-02-01..2027-02-28', '2027-03-01..2027-03-01']],
    ['a lease of one day', { lease_start: '10.01.2027', lease_end: '10.01.2027' }, ['2027-01-10..2027-01-10']],
    ['start and end inside one month', { lease_start: '10.01.2027', lease_end: '20.01.2027', anchor_day: '1' }, ['2027-01-10..2027-01-20']],
    ['mid-month start and end', { lease_start: '15.01.2027', lease_end: '10.03.2027', anchor_day: '1' }, ['2027-01-15..2027-01-31', '2027-02-01..2027-02-28', '2027-03-01..2027-03-10']],
    ['a quarter cut', { lease_start: '01.01.2027', lease_end: '15.05.2027', period: 'quarter' }, ['2027-01-01..2027-03-31', '2027-04-01..2027-05-15']],
    ['a week cut', { lease_start: '01.01.2027', lease_end: '20.01.2027', period: 'week' }, ['2027-01-01..2027-01-07', '2027-01-08..2027-01-14', '2027-01-15..2027-01-20']],
    ['anchor 31 ending in February', { lease_start: '31.01.2027', lease_end: '28.02.2027' }, ['2027-01-31..2027-02-27', '2027-02-28..2027-02-28']],
  ])('stop at the lease end: %s', (_name, props, expected) => {
    const t = terms(props);
    const all = [...leasePeriods(t)];
    expect(ranges(all)).toEqual(expected);
    expect(periodCount(t)).toBe(expected.length);
    expect(all.at(-1)!.to).toBe(t.end);
  });

  it('flags the last cut period as partial of its whole period', () => {
    const last = [...leasePeriods(terms({ lease_start: '01.01.2027', lease_end: '15.03.2027' }))].at(-1)!;
    expect(last).toMatchObject({ partial: true, full: { from: '2027-03-01', to: '2027-03-31' } });
    const week = [...leasePeriods(terms({ lease_start: '01.01.2027', lease_end: '20.01.2027', period: 'week' }))].at(-1)!;
    expect(week.full).toEqual({ from: '2027-01-15', to: '2027-01-21' });
  });

  it('count a year of a 31st anchor: twelve periods, the last one cut to one day', () => {
    const t = terms({ lease_start: '31.01.2027', lease_end: '31.12.2027' });
    expect(periodCount(t)).toBe(12);
    expect([...leasePeriods(t)].map((p) => p.from.slice(5))).toEqual([
      '01-31', '02-28', '03-31', '04-30', '05-31', '06-30', '07-31', '08-31', '09-30', '10-31', '11-30', '12-31',
    ]);
    expect(periodCount(terms({ lease_start: '01.01.2027' }))).toBeNull();
  });

  it('iterate an open-ended lease lazily', () => {
    const ps = take(terms({ lease_start: '31.01.2027' }), 1200);
    expect(ps).toHaveLength(1200);
    expect(ps.at(-1)!.from).toBe('2126-12-31');
  });

  it('tile the calendar for every anchor day and starts spread over two years: no gap, no overlap, clamped starts', () => {
    // Collected, then asserted once: tens of thousands of expect() calls would make this test slow.
    const wrong: string[] = [];
    const base = terms({ lease_start: '01.01.2027' });
    for (let anchor = 1; anchor <= 31; anchor += 1) {
      for (let start = '2027-01-01'; start <= '2028-12-31'; start = addDays(start, 17 + (anchor % 7))) {
        const ps = take({ ...base, start, anchorDay: anchor }, 14);
        const first = ps[0]!;
        if (first.from !== start || first.full.to !== first.to || first.partial !== (first.full.from !== start)) {
          wrong.push(`${anchor}/${start}: first ${JSON.stringify(first)}`);
        }
        for (let i = 1; i < ps.length; i += 1) {
          const p = ps[i]!;
          const [y, m, d] = p.from.split('-').map(Number) as [number, number, number];
          const days = daysInRange(p);
          if (p.from !== addDays(ps[i - 1]!.to, 1) || d !== Math.min(anchor, daysInMonth(y, m)) || p.partial || days < 28 || days > 31) {
            wrong.push(`${anchor}/${start}: ${p.from}..${p.to}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('do not shift in a zone with summer time: Berlin dates across both switches', () => {
    const t = terms({ lease_start: '2027-03-28T00:00:00+01:00', lease_end: '2027-10-31T00:00:00+01:00' }, 'Europe/Berlin');
    expect(t.start).toBe('2027-03-28');
    expect(t.end).toBe('2027-10-31');
    const ps = [...leasePeriods(t)];
    expect(ranges(ps).slice(0, 2)).toEqual(['2027-03-28..2027-04-27', '2027-04-28..2027-05-27']);
    expect(ranges(ps).slice(-1)).toEqual(['2027-10-28..2027-10-31']);
    expect(ranges(ps)).toEqual(ranges([...leasePeriods(terms({ lease_start: '28.03.2027', lease_end: '31.10.2027' }))]));
  });
});

describe('control dates and catch-up', () => {
  const monthly = terms({ lease_start: '01.01.2027', lease_end: '30.06.2027' });
  const byFrom = (from: string): BillingPeriod => [...leasePeriods(monthly)].find((p) => p.from === from)!;

  it.each([
    [{ from: '2027-03-01', to: '2027-03-31' }, 5, '2027-02-24'],
    [{ from: '2028-03-01', to: '2028-03-31' }, 5, '2028-02-25'],
    [{ from: '2027-01-01', to: '2027-01-31' }, 5, '2026-12-27'],
    [{ from: '2027-01-01', to: '2027-01-31' }, 0, '2027-01-01'],
    [{ from: '2027-03-31', to: '2027-04-29' }, 60, '2027-01-30'],
  ])('period %j billed %i days before: %s', (period, billDaysBefore, expected) => {
    expect(controlDate(period, { billDaysBefore })).toBe(expected);
  });

  it.each([
    ['before the lease', '2026-12-01', '2027-01-01'],
    ['on the control date of the first period', '2026-12-27', '2027-01-01'],
    ['in the middle of March', '2027-03-10', '2027-03-01'],
    ['on the last day of March', '2027-03-31', '2027-03-01'],
    ['on the first of April', '2027-04-01', '2027-04-01'],
    ['on the last day of the lease', '2027-06-30', '2027-06-01'],
  ])('a schedule made %s starts with the period containing that day', (_name, scheduledOn, from) => {
    expect(firstPeriodToBill(monthly, scheduledOn)?.from).toBe(from);
  });

  it('bills nothing for a lease that ended before the schedule', () => {
    expect(firstPeriodToBill(monthly, '2027-07-01')).toBeNull();
    expect(periodsDueBy(monthly, '2027-07-01', '2027-08-01')).toEqual([]);
    expect(nextPeriodAfter(monthly, '2027-07-01', '2027-07-01')).toBeNull();
  });

  it('creates the current period at once and the next one on its control date', () => {
    expect(ranges(periodsDueBy(monthly, '2027-03-10', '2027-03-10'))).toEqual(['2027-03-01..2027-03-31']);
    expect(ranges(periodsDueBy(monthly, '2027-03-10', '2027-03-26'))).toEqual(['2027-03-01..2027-03-31']);
    expect(ranges(periodsDueBy(monthly, '2027-03-10', '2027-03-27'))).toEqual(['2027-03-01..2027-03-31', '2027-04-01..2027-04-30']);
    expect(nextPeriodAfter(monthly, '2027-03-10', '2027-03-26')).toEqual(byFrom('2027-04-01'));
  });

  it('a schedule made inside the next control window bills the current and the next period', () => {
    expect(ranges(periodsDueBy(monthly, '2027-03-29', '2027-03-29'))).toEqual(['2027-03-01..2027-03-31', '2027-04-01..2027-04-30']);
  });

  it('after downtime returns each missed period once, oldest first, and none after the end', () => {
    expect(ranges(periodsDueBy(monthly, '2027-03-10', '2027-06-01'))).toEqual([
      '2027-03-01..2027-03-31',
      '2027-04-01..2027-04-30',
      '2027-05-01..2027-05-31',
      '2027-06-01..2027-06-30',
    ]);
    expect(periodsDueBy(monthly, '2027-03-10', '2030-01-01')).toHaveLength(4);
    expect(nextPeriodAfter(monthly, '2027-03-10', '2027-06-01')).toBeNull();
  });

  it('never bills a period before its control date (before the schedule too)', () => {
    expect(periodsDueBy(monthly, '2026-12-01', '2026-12-26')).toEqual([]);
    expect(ranges(periodsDueBy(monthly, '2026-12-01', '2026-12-27'))).toEqual(['2027-01-01..2027-01-31']);
    expect(nextPeriodAfter(monthly, '2026-12-01', '2026-12-26')?.from).toBe('2027-01-01');
  });
});

describe('stopping a lease', () => {
  const open = terms({ lease_start: '01.01.2027' });

  it('makes the period containing the stop day the last one, cut to that day with pro-rata', () => {
    const { terms: t, lastPeriod } = stopLease(open, '2027-03-15');
    expect(t.end).toBe('2027-03-15');
    expect(lastPeriod).toMatchObject({ index: 2, from: '2027-03-01', to: '2027-03-15', partial: true });
    expect(periodCount(t)).toBe(3);
  });

  it('bills the last period whole without pro-rata', () => {
    const { terms: t, lastPeriod } = stopLease({ ...open, prorate: false }, '2027-03-15');
    expect(t.end).toBe('2027-03-31');
    expect(lastPeriod).toMatchObject({ from: '2027-03-01', to: '2027-03-31', partial: false });
  });

  it('keeps an earlier end, and leaves nothing when stopped before the start', () => {
    const ending = terms({ lease_start: '01.01.2027', lease_end: '28.02.2027' });
    expect(stopLease(ending, '2027-03-15')).toEqual({ terms: ending, lastPeriod: [...leasePeriods(ending)][1] });
    const before = stopLease(open, '2026-12-20');
    expect(before.lastPeriod).toBeNull();
    expect([...leasePeriods(before.terms)]).toEqual([]);
  });

  it('stops on the last day of a period without cutting it', () => {
    expect(stopLease(open, '2027-02-28').lastPeriod).toMatchObject({ from: '2027-02-01', to: '2027-02-28', partial: false });
  });
});

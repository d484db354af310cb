import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { leaseTermsSchema, parseLeaseTerms } from '../../src/leases/terms.js';

const MSK = 'Europe/Moscow';

function problems(props: Record<string, unknown>, tz = MSK): string {
  try {
    parseLeaseTerms(props, tz);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).message;
  }
  throw new Error('expected the terms to be refused');
}

describe('lease terms from robot properties', () => {
  it('fill the defaults: monthly, anchored on the start day, billed 5 days before, pro-rated, open-ended', () => {
    expect(parseLeaseTerms({ lease_start: '15.01.2027', lease_end: '' }, MSK)).toEqual({
      start: '2027-01-15',
      end: null,
      period: { kind: 'month', length: { unit: 'months', count: 1 } },
      anchorDay: 15,
      billDaysBefore: 5,
      prorate: true,
      indexation: null,
      contractNumber: null,
      contractDate: null,
    });
  });

  it('read every property as Bitrix24 sends it', () => {
    const t = parseLeaseTerms(
      {
        lease_start: '2027-01-31T00:00:00+03:00',
        lease_end: '31.12.2027',
        period: 'quarter',
        anchor_day: '1',
        bill_days_before: '10',
        prorate: 'N',
        indexation_percent: '4,5',
        indexation_month: '3',
        contract_number: ' 7/А ',
        contract_date: '2027-01-20',
        target_stage_id: 'C3:NEW',
      },
      MSK,
    );
    expect(t).toMatchObject({
      start: '2027-01-31',
      end: '2027-12-31',
      period: { kind: 'quarter', length: { unit: 'months', count: 3 } },
      anchorDay: 1,
      billDaysBefore: 10,
      prorate: false,
      indexation: { percent: { units: 45n, scale: 1 }, month: 3 },
      contractNumber: '7/А',
      contractDate: '2027-01-20',
    });
  });

  it.each([
    ['month', { unit: 'months', count: 1 }],
    ['quarter', { unit: 'months', count: 3 }],
    ['half_year', { unit: 'months', count: 6 }],
    ['year', { unit: 'months', count: 12 }],
    ['week', { unit: 'days', count: 7 }],
    ['days:10', { unit: 'days', count: 10 }],
    ['DAYS: 1', { unit: 'days', count: 1 }],
    ['', { unit: 'months', count: 1 }],
  ])('period %j', (period, length) => {
    expect(parseLeaseTerms({ lease_start: '01.01.2027', period }, MSK).period.length).toEqual(length);
  });

  it('reads a zoned datetime as the calendar day of the portal, also in a zone with summer time', () => {
    // Bitrix24 renders a date field as midnight of that day in the portal's zone.
    expect(parseLeaseTerms({ lease_start: '2027-03-28T00:00:00+01:00' }, 'Europe/Berlin').start).toBe('2027-03-28');
    expect(parseLeaseTerms({ lease_start: '2027-07-01T00:00:00+02:00' }, 'Europe/Berlin').start).toBe('2027-07-01');
    expect(parseLeaseTerms({ lease_start: '2027-10-31T00:00:00+02:00' }, 'Europe/Berlin').start).toBe('2027-10-31');
    // 00:00+02:00 is 01:00 in Moscow: still 1 July.
    expect(parseLeaseTerms({ lease_start: '2027-07-01T00:00:00+02:00' }, MSK).start).toBe('2027-07-01');
    // UTC midnight of 1 March is already 1 March 03:00 in Moscow.
    expect(parseLeaseTerms({ lease_start: '2027-02-28T21:00:00Z' }, MSK).start).toBe('2027-03-01');
    // An explicit date is never shifted by a zone.
    expect(parseLeaseTerms({ lease_start: '29.02.2028' }, 'Europe/Berlin').start).toBe('2028-02-29');
  });

  it('takes the anchor from the start day and the indexation month from the start month', () => {
    const t = parseLeaseTerms({ lease_start: '29.02.2028', indexation_percent: '5' }, MSK);
    expect(t.anchorDay).toBe(29);
    expect(t.indexation).toEqual({ percent: { units: 5n, scale: 0 }, month: 2 });
    expect(parseLeaseTerms({ lease_start: '01.01.2027', indexation_percent: '0' }, MSK).indexation).toBeNull();
  });

  it('exposes a zod schema a robot can use, keeping its other properties', () => {
    const parsed = leaseTermsSchema(MSK).safeParse({ lease_start: '01.01.2027', anchor_day: '40' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['anchor_day'], message: 'должно быть от 1 до 31, а не 40' });
  });

  it.each([
    [{}, '«Начало аренды» (lease_start): не заполнено'],
    [{ lease_start: '31.02.2027' }, '«Начало аренды» (lease_start): «31.02.2027» — не дата (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)'],
    [{ lease_start: '01.02.2027', lease_end: '31.01.2027' }, '«Окончание аренды» (lease_end): окончание аренды раньше её начала'],
    [{ lease_start: '01.02.2027', period: 'monthly' }, '«Период» (period): «monthly» — неизвестный период'],
    [{ lease_start: '01.02.2027', period: 'days:0' }, '«Период» (period): число дней в периоде должно быть от 1 до 366, а не 0'],
    [{ lease_start: '01.02.2027', anchor_day: '32' }, '«День начала периода» (anchor_day): должно быть от 1 до 31, а не 32'],
    [{ lease_start: '01.02.2027', anchor_day: 'first' }, '«День начала периода» (anchor_day): «first» — не целое число'],
    [{ lease_start: '01.02.2027', bill_days_before: '61' }, '«За сколько дней выставлять» (bill_days_before): должно быть от 0 до 60, а не 61'],
    [{ lease_start: '01.02.2027', bill_days_before: '-1' }, '(bill_days_before): должно быть от 0 до 60, а не -1'],
    [{ lease_start: '01.02.2027', prorate: 'maybe' }, '«Неполный период по дням» (prorate): «maybe» — ожидается Y (да) или N (нет)'],
    [{ lease_start: '01.02.2027', indexation_percent: '5%' }, '«Индексация, %» (indexation_percent): «5%» — ожидается число процентов от 0 до 100'],
    [{ lease_start: '01.02.2027', indexation_percent: '150' }, '(indexation_percent): «150» — ожидается число процентов от 0 до 100'],
    [{ lease_start: '01.02.2027', indexation_percent: '5', indexation_month: '13' }, '«Месяц индексации» (indexation_month): должно быть от 1 до 12, а не 13'],
    [{ lease_start: '01.02.2027', contract_date: 'вчера' }, '«Дата договора» (contract_date): «вчера» — не дата'],
    [{ lease_start: ['01.02.2027'] }, '«Начало аренды» (lease_start): ожидается строка'],
  ])('refuses %j in Russian naming the property', (props, message) => {
    expect(problems(props)).toContain(message);
  });

  it('reports every problem at once', () => {
    const m = problems({ lease_start: '', period: 'x', anchor_day: '0' });
    expect(m).toContain('(lease_start)');
    expect(m).toContain('(period)');
    expect(m).toContain('(anchor_day)');
  });
});

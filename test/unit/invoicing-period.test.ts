import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import {
  addDays,
  defaultPeriod,
  dueDateFor,
  parseBitrixDate,
  periodLabel,
  todayIn,
} from '../../src/invoicing/period.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  throw new Error('expected an AppError');
}

const MSK = 'Europe/Moscow';
const VVO = 'Asia/Vladivostok';

describe('defaultPeriod: the month after the current one in the portal time zone', () => {
  it.each([
    { now: '2026-11-29T09:00:00Z', tz: MSK, from: '2026-12-01', to: '2026-12-31', why: 'late November' },
    { now: '2026-11-30T20:59:59Z', tz: MSK, from: '2026-12-01', to: '2026-12-31', why: '23:59:59 on 30 Nov in Moscow' },
    { now: '2026-11-30T21:00:00Z', tz: MSK, from: '2027-01-01', to: '2027-01-31', why: 'already 1 Dec in Moscow' },
    { now: '2026-11-30T21:00:00Z', tz: 'UTC', from: '2026-12-01', to: '2026-12-31', why: 'still 30 Nov in UTC' },
    { now: '2026-12-31T13:59:59Z', tz: VVO, from: '2027-01-01', to: '2027-01-31', why: '23:59:59 on 31 Dec in Vladivostok' },
    { now: '2026-12-31T14:00:00Z', tz: VVO, from: '2027-02-01', to: '2027-02-28', why: 'new year in Vladivostok' },
    { now: '2026-12-31T14:00:00Z', tz: MSK, from: '2027-01-01', to: '2027-01-31', why: 'still 31 Dec in Moscow' },
    { now: '2028-01-20T10:00:00Z', tz: MSK, from: '2028-02-01', to: '2028-02-29', why: 'leap February' },
    { now: '2026-03-25T10:00:00Z', tz: MSK, from: '2026-04-01', to: '2026-04-30', why: '30-day month' },
  ])('$now in $tz → $from..$to ($why)', ({ now, tz, from, to }) => {
    expect(defaultPeriod(new Date(now), tz)).toEqual({ from, to });
  });

  it('refuses an unknown time zone', () => {
    expect(codeOf(() => defaultPeriod(new Date('2026-11-29T00:00:00Z'), 'Europe/Mordor'))).toBe('INVALID_TIME_ZONE');
  });
});

describe('todayIn', () => {
  it.each([
    { now: '2026-11-30T20:59:59Z', tz: MSK, day: '2026-11-30' },
    { now: '2026-11-30T21:00:00Z', tz: MSK, day: '2026-12-01' },
    { now: '2026-11-30T14:00:00Z', tz: VVO, day: '2026-12-01' },
    { now: '2026-11-30T13:59:59Z', tz: VVO, day: '2026-11-30' },
  ])('$now in $tz is $day', ({ now, tz, day }) => {
    expect(todayIn(tz, new Date(now))).toBe(day);
  });
});

describe('parseBitrixDate', () => {
  it.each([
    { value: '2026-12-01', tz: MSK, day: '2026-12-01' },
    { value: '01.12.2026', tz: MSK, day: '2026-12-01' },
    { value: '1.2.2026', tz: MSK, day: '2026-02-01' },
    { value: ' 01.12.2026 10:15:00 ', tz: MSK, day: '2026-12-01' },
    { value: '2026-12-01T00:00:00+03:00', tz: MSK, day: '2026-12-01' },
    { value: '2026-12-01T03:00:00+03:00', tz: VVO, day: '2026-12-01' },
    { value: '2026-11-30T21:00:00Z', tz: MSK, day: '2026-12-01' },
    { value: '2026-11-30T21:00:00+00:00', tz: 'UTC', day: '2026-11-30' },
    { value: '2026-12-01T00:00:00+03:00', tz: 'Europe/London', day: '2026-11-30' },
    { value: '2026-12-01 10:00:00', tz: MSK, day: '2026-12-01' },
  ])('«$value» in $tz → $day', ({ value, tz, day }) => {
    expect(parseBitrixDate(value, tz)).toBe(day);
  });

  it.each(['', 'завтра', '31.02.2026', '2026-13-01', '2026-02-30', '12/01/2026'])('«%s» → INVALID_DATE', (value) => {
    expect(codeOf(() => parseBitrixDate(value, MSK))).toBe('INVALID_DATE');
  });
});

describe('addDays / dueDateFor', () => {
  it.each([
    { date: '2026-11-25', n: 10, to: '2026-12-05' },
    { date: '2026-12-25', n: 10, to: '2027-01-04' },
    { date: '2028-02-28', n: 1, to: '2028-02-29' },
    { date: '2026-02-28', n: 1, to: '2026-03-01' },
    { date: '2026-03-29', n: 1, to: '2026-03-30' },
    { date: '2026-01-01', n: -1, to: '2025-12-31' },
    { date: '2026-01-01', n: 0, to: '2026-01-01' },
  ])('$date + $n → $to', ({ date, n, to }) => {
    expect(addDays(date, n)).toBe(to);
  });

  it('due date = issue date + days; bad inputs are refused', () => {
    expect(dueDateFor('2026-11-25', 5)).toBe('2026-11-30');
    expect(codeOf(() => dueDateFor('2026-11-25', -1))).toBe('INVALID_DUE_DAYS');
    expect(codeOf(() => dueDateFor('2026-11-25', 1.5))).toBe('INVALID_DUE_DAYS');
    expect(codeOf(() => dueDateFor('25.11.2026', 5))).toBe('INVALID_DATE');
  });
});

describe('periodLabel', () => {
  it.each([
    { from: '2026-12-01', to: '2026-12-31', label: 'декабрь 2026 г.' },
    { from: '2028-02-01', to: '2028-02-29', label: 'февраль 2028 г.' },
    { from: '2026-01-01', to: '2026-03-31', label: 'I квартал 2026 г.' },
    { from: '2026-10-01', to: '2026-12-31', label: 'IV квартал 2026 г.' },
    { from: '2026-02-01', to: '2026-04-30', label: 'февраль — апрель 2026 г.' },
    { from: '2026-01-01', to: '2026-12-31', label: '2026 г.' },
    { from: '2026-11-01', to: '2027-01-31', label: 'ноябрь 2026 г. — январь 2027 г.' },
    { from: '2026-12-01', to: '2026-12-15', label: 'с 01.12.2026 по 15.12.2026' },
    { from: '2026-02-01', to: '2026-02-28', label: 'февраль 2026 г.' },
    { from: '2028-02-01', to: '2028-02-28', label: 'с 01.02.2028 по 28.02.2028' },
  ])('$from..$to → «$label»', ({ from, to, label }) => {
    expect(periodLabel(from, to)).toBe(label);
  });

  it('refuses a period that ends before it starts', () => {
    expect(codeOf(() => periodLabel('2026-12-31', '2026-12-01'))).toBe('INVALID_PERIOD');
  });
});

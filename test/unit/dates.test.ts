import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  formatDateLong,
  formatDateShort,
  formatPeriodRu,
  isIsoDate,
  monthNameNominative,
} from '../../src/documents/dates.js';

describe('isIsoDate', () => {
  it.each(['2026-12-01', '2024-02-29', '2000-02-29', '2026-01-31', '2026-04-30', '0001-01-01'])('accepts %s', (s) => {
    expect(isIsoDate(s)).toBe(true);
  });
  it.each([
    '2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-12-00', '2026-12-1',
    '26-12-01', '2026/12/01', '2026-12-01T00:00:00Z', ' 2026-12-01', '', '0000-01-01',
  ])('rejects %j', (s) => {
    expect(isIsoDate(s)).toBe(false);
  });
});

describe('formatting', () => {
  it.each([
    ['2026-12-01', '1 декабря 2026 г.', '01.12.2026'],
    ['2026-04-30', '30 апреля 2026 г.', '30.04.2026'],
    ['2026-01-09', '9 января 2026 г.', '09.01.2026'],
    ['2025-05-15', '15 мая 2025 г.', '15.05.2025'],
    ['2024-03-08', '8 марта 2024 г.', '08.03.2024'],
  ])('%s', (iso, long, short) => {
    expect(formatDateLong(iso)).toBe(long);
    expect(formatDateShort(iso)).toBe(short);
  });

  it('names the path of a bad date', () => {
    try {
      formatDateLong('2026-02-30', 'dueDate');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues[0]?.path).toBe('dueDate');
    }
  });

  it('month names', () => {
    expect(monthNameNominative(12)).toBe('декабрь');
    expect(monthNameNominative(1)).toBe('январь');
    expect(monthNameNominative(5)).toBe('май');
    expect(() => monthNameNominative(13)).toThrow(ValidationError);
  });
});

describe('formatPeriodRu', () => {
  it.each([
    ['2026-12-01', '2026-12-31', 'декабрь 2026 г.'],
    ['2026-02-01', '2026-02-28', 'февраль 2026 г.'],
    ['2024-02-01', '2024-02-29', 'февраль 2024 г.'],
    ['2024-02-01', '2024-02-28', 'с 01.02.2024 по 28.02.2024'],
    ['2026-12-01', '2026-12-15', 'с 01.12.2026 по 15.12.2026'],
    ['2026-11-15', '2026-12-14', 'с 15.11.2026 по 14.12.2026'],
    ['2026-11-01', '2026-12-31', 'с 01.11.2026 по 31.12.2026'],
    ['2026-12-01', '2027-12-31', 'с 01.12.2026 по 31.12.2027'],
  ])('%s – %s', (from, to, text) => {
    expect(formatPeriodRu(from, to)).toBe(text);
  });

  it('rejects a period that ends before it starts', () => {
    expect(() => formatPeriodRu('2026-12-15', '2026-12-01')).toThrow(/раньше/);
  });
});

/**
 * Calendar dates of documents are plain `YYYY-MM-DD` strings (no time zone: an invoice dated 1 December is
 * dated 1 December wherever it is rendered), so all formatting here is string arithmetic, never `Date`.
 */
import { ValidationError } from '../errors.js';

const MONTHS_GENITIVE = [
  'января', 'февраля', 'марта', 'апреля', 'мая', 'июня',
  'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря',
];
const MONTHS_NOMINATIVE = [
  'январь', 'февраль', 'март', 'апрель', 'май', 'июнь',
  'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь',
];

import { daysInMonth, isIsoDate, isLeapYear } from '../isoDate.js';

export { daysInMonth, isIsoDate, isLeapYear };


export interface DateParts {
  year: number;
  month: number;
  day: number;
}

/** Splits a valid ISO date; throws ValidationError naming `path` otherwise. */
export function parseIsoDate(s: string, path = 'date'): DateParts {
  if (!isIsoDate(s)) {
    throw new ValidationError([
      {
        path,
        message: `Дата «${String(s)}» должна быть реальной датой в формате ГГГГ-ММ-ДД`,
        messageEn: `Date "${String(s)}" must be a real date in YYYY-MM-DD format`,
      },
    ]);
  }
  const [y, mo, d] = s.split('-').map(Number);
  return { year: y ?? 0, month: mo ?? 0, day: d ?? 0 };
}

/** 1..12 → «январь».. «декабрь». */
export function monthNameNominative(m: number): string {
  const name = MONTHS_NOMINATIVE[m - 1];
  if (!Number.isInteger(m) || name === undefined) {
    throw new ValidationError([{ path: 'month', message: `Нет месяца с номером ${m}`, messageEn: `No month ${m}` }]);
  }
  return name;
}

/** «2026-12-01» → «1 декабря 2026 г.» (document titles). */
export function formatDateLong(iso: string, path?: string): string {
  const { year, month, day } = parseIsoDate(iso, path);
  return `${day} ${MONTHS_GENITIVE[month - 1]} ${year} г.`;
}

/** «2026-12-01» → «01.12.2026» (tables, body text). */
export function formatDateShort(iso: string, path?: string): string {
  const { year, month, day } = parseIsoDate(iso, path);
  return `${String(day).padStart(2, '0')}.${String(month).padStart(2, '0')}.${String(year).padStart(4, '0')}`;
}

/** «декабрь 2026 г.» for exactly one calendar month, otherwise «с 01.12.2026 по 15.12.2026». */
export function formatPeriodRu(from: string, to: string): string {
  const a = parseIsoDate(from, 'period.from');
  const b = parseIsoDate(to, 'period.to');
  if (to < from) {
    throw new ValidationError([
      {
        path: 'period.to',
        message: 'Конец периода раньше его начала',
        messageEn: 'Period ends before it starts',
      },
    ]);
  }
  const fullMonth =
    a.year === b.year && a.month === b.month && a.day === 1 && b.day === daysInMonth(b.year, b.month);
  if (fullMonth) return `${monthNameNominative(a.month)} ${a.year} г.`;
  return `с ${formatDateShort(from)} по ${formatDateShort(to)}`;
}

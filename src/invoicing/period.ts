/**
 * Calendar math for billing periods. Instants (`Date`) become calendar days only through the portal's
 * time zone: at 00:30 on 1 December in Moscow it is still 30 November in UTC, and the invoice must say
 * December. Calendar days themselves are plain `YYYY-MM-DD` strings and are shifted without any zone.
 */
import { DateTime, IANAZone } from 'luxon';
import { AppError } from '../errors.js';
import { daysInMonth, formatDateShort, isIsoDate, monthNameNominative } from '../documents/dates.js';

export interface Period {
  /** YYYY-MM-DD, first day. */
  from: string;
  /** YYYY-MM-DD, last day, inclusive. */
  to: string;
}

function zoneOf(timeZone: string): string {
  if (!IANAZone.isValidZone(timeZone)) {
    throw new AppError('INVALID_TIME_ZONE', `Неизвестный часовой пояс «${timeZone}». Пример: Europe/Moscow.`, {
      details: { timeZone },
    });
  }
  return timeZone;
}

function invalidDate(value: unknown): AppError {
  return new AppError(
    'INVALID_DATE',
    `Дата «${String(value)}» не распознана. Укажите дату в формате ДД.ММ.ГГГГ, например 01.12.2026.`,
    { details: { value } },
  );
}

function isoFromParts(y: number, m: number, d: number): string | null {
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : null;
}

/** The calendar day of `now` in `timeZone`. */
export function todayIn(timeZone: string, now: Date): string {
  const dt = DateTime.fromJSDate(now, { zone: zoneOf(timeZone) });
  if (!dt.isValid) throw invalidDate(now);
  return dt.toISODate() ?? '';
}

/**
 * The calendar month after the current one in the portal's time zone: on 29 November (Moscow) →
 * 1–31 December. On the 1st of a month it is still the month after, so an invoice robot run on
 * 1 December bills January; a different choice belongs to the caller's settings.
 */
export function defaultPeriod(now: Date, timeZone: string): Period {
  return calendarMonth(now, timeZone, 1);
}

/** The whole calendar month `offset` months from the current one in the portal's time zone (-1: the elapsed one). */
export function calendarMonth(now: Date, timeZone: string, offset: number): Period {
  const today = DateTime.fromJSDate(now, { zone: zoneOf(timeZone) });
  if (!today.isValid) throw invalidDate(now);
  const start = today.startOf('month').plus({ months: offset });
  return { from: start.toISODate() ?? '', to: start.endOf('month').toISODate() ?? '' };
}

const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RU_DATE_RE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;
const ISO_LOCAL_DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
const ISO_ZONED_DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Dates as Bitrix24 sends them → `YYYY-MM-DD`: `2026-12-01`, `01.12.2026` (robot properties, optionally
 * with a time), `2026-12-01T00:00:00+03:00` (REST date fields; the instant is read in `timeZone`, so
 * `2026-11-30T21:00:00Z` is 1 December in Moscow). Throws AppError INVALID_DATE.
 */
export function parseBitrixDate(value: string, timeZone: string): string {
  const s = typeof value === 'string' ? value.trim() : '';
  let m = ISO_DATE_RE.exec(s) ?? ISO_LOCAL_DATETIME_RE.exec(s);
  if (m) {
    const iso = isoFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
    if (iso) return iso;
    throw invalidDate(value);
  }
  m = RU_DATE_RE.exec(s);
  if (m) {
    const iso = isoFromParts(Number(m[3]), Number(m[2]), Number(m[1]));
    if (iso) return iso;
    throw invalidDate(value);
  }
  if (ISO_ZONED_DATETIME_RE.test(s)) {
    const dt = DateTime.fromISO(s, { setZone: true });
    if (dt.isValid) return dt.setZone(zoneOf(timeZone)).toISODate() ?? '';
  }
  throw invalidDate(value);
}

function checkIso(date: string): void {
  if (!isIsoDate(date)) throw invalidDate(date);
}

/** Calendar arithmetic on `YYYY-MM-DD`, no time zone involved (UTC noon avoids any DST edge). */
export function addDays(date: string, n: number): string {
  checkIso(date);
  if (!Number.isInteger(n)) {
    throw new AppError('INVALID_DAYS', `Число дней должно быть целым: ${n}`, { details: { n } });
  }
  // Calendar days carry no zone: plain UTC day arithmetic (Date.UTC normalises day overflow into months and years).
  // Ten times cheaper than a luxon DateTime, and the lease calendars call this for every period.
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d + n);
  return t.toISOString().slice(0, 10);
}

/** «Оплатить не позднее»: the issue date plus `dueDays` calendar days. */
export function dueDateFor(issueDate: string, dueDays: number): string {
  if (!Number.isInteger(dueDays) || dueDays < 0) {
    throw new AppError('INVALID_DUE_DAYS', `Срок оплаты должен быть целым числом дней не меньше нуля, а не «${dueDays}».`, {
      details: { dueDays },
    });
  }
  return addDays(issueDate, dueDays);
}

const ROMAN_QUARTERS = ['I', 'II', 'III', 'IV'];

/**
 * Russian label of a period as printed after «за»: «декабрь 2026 г.», «январь — март 2026 г.»,
 * «I квартал 2026 г.», «2026 г.», «ноябрь 2026 г. — январь 2027 г.»; a period that does not consist of
 * whole months prints «с 01.12.2026 по 15.12.2026».
 */
export function periodLabel(from: string, to: string): string {
  checkIso(from);
  checkIso(to);
  if (to < from) {
    throw new AppError('INVALID_PERIOD', `Конец периода ${formatDateShort(to)} раньше его начала ${formatDateShort(from)}.`, {
      details: { from, to },
    });
  }
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  const wholeMonths = fd === 1 && td === daysInMonth(ty, tm);
  if (!wholeMonths) return `с ${formatDateShort(from)} по ${formatDateShort(to)}`;
  if (fy === ty && fm === tm) return `${monthNameNominative(fm)} ${fy} г.`;
  if (fy === ty && fm === 1 && tm === 12) return `${fy} г.`;
  if (fy === ty && tm - fm === 2 && (fm - 1) % 3 === 0) return `${ROMAN_QUARTERS[(fm - 1) / 3]} квартал ${fy} г.`;
  if (fy === ty) return `${monthNameNominative(fm)} — ${monthNameNominative(tm)} ${fy} г.`;
  return `${monthNameNominative(fm)} ${fy} г. — ${monthNameNominative(tm)} ${ty} г.`;
}

/**
 * Texts of a period for deal titles and product row names. A row name written once on the contract deal
 * («Арендная плата за {month} {year} г.») becomes each period's line («Арендная плата за январь 2027 г.»).
 */
import { daysInMonth, formatDateShort, monthNameNominative } from '../documents/dates.js';
import type { DateRange } from './periods.js';

const ROMAN = ['I', 'II', 'III', 'IV'];

function parts(iso: string): [number, number, number] {
  return iso.split('-').map(Number) as [number, number, number];
}

/**
 * «январь 2027» for a calendar month, «I квартал 2027», «II полугодие 2027», «2027 год» for calendar
 * quarters, halves and years, «январь — март 2027» for other runs of whole months, and
 * «01.01.2027–07.01.2027» for anything else (weeks, N days, anchored or cut periods).
 */
export function periodText(range: DateRange): string {
  const [fy, fm, fd] = parts(range.from);
  const [ty, tm, td] = parts(range.to);
  const wholeMonths = fd === 1 && td === daysInMonth(ty, tm) && range.to >= range.from;
  if (wholeMonths && fy === ty) {
    const months = tm - fm + 1;
    if (months === 1) return `${monthNameNominative(fm)} ${fy}`;
    if (months === 3 && (fm - 1) % 3 === 0) return `${ROMAN[(fm - 1) / 3]} квартал ${fy}`;
    if (months === 6 && (fm === 1 || fm === 7)) return `${fm === 1 ? 'I' : 'II'} полугодие ${fy}`;
    if (months === 12) return `${fy} год`;
    return `${monthNameNominative(fm)} — ${monthNameNominative(tm)} ${fy}`;
  }
  if (wholeMonths) return `${monthNameNominative(fm)} ${fy} — ${monthNameNominative(tm)} ${ty}`;
  return `${formatDateShort(range.from)}–${formatDateShort(range.to)}`;
}

/**
 * Fills a row name's placeholders: `{period}` (periodText), `{month}` (nominative month name of the
 * period's first day, as after «за»: «за январь»), `{year}` (year of the first day), `{from}` and `{to}`
 * (DD.MM.YYYY). Unknown `{words}` stay as written, so a typo shows up on the deal instead of vanishing.
 */
export function renderRowName(template: string, range: DateRange): string {
  const [fy, fm] = parts(range.from);
  const values: Record<string, string> = {
    period: periodText(range),
    month: monthNameNominative(fm),
    year: String(fy),
    from: formatDateShort(range.from),
    to: formatDateShort(range.to),
  };
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** Whether a row name carries any placeholder (rows without one get the period appended by the caller, if it wants). */
export function hasPeriodPlaceholder(template: string): boolean {
  return /\{(period|month|year|from|to)\}/.test(template);
}

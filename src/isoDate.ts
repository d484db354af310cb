/**
 * Calendar dates as plain `YYYY-MM-DD` strings, checked without `Date` (no time zone can shift them). A shared
 * basic: documents, the QR payload and payments all read such dates.
 */
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Strict `YYYY-MM-DD` that names a real calendar day (2026-02-29 is false). */
export function isIsoDate(s: string): boolean {
  const m = typeof s === 'string' ? ISO_RE.exec(s) : null;
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}


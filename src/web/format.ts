import { DateTime } from 'luxon';
import type { WebLang } from './i18n/index.js';

const money = {
  ru: new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
};

/**
 * Kopecks as people write roubles: «25 000,00 ₽» (ru: no-break space between thousands, comma before kopecks),
 * «25,000.00 ₽» in English. Integer arithmetic up to here; the division is only for display.
 */
export function formatMoney(kopecks: number, lang: WebLang): string {
  const sign = kopecks < 0 ? '−' : '';
  const abs = Math.abs(kopecks);
  return `${sign}${money[lang].format(Math.trunc(abs / 100) + (abs % 100) / 100)}\u00a0₽`;
}

/** `2026-12-07` (a calendar date) as «07.12.2026» / «07/12/2026». */
export function formatDate(isoDate: string | null | undefined, lang: WebLang): string {
  if (!isoDate) return '—';
  const d = DateTime.fromISO(isoDate.slice(0, 10));
  return d.isValid ? d.toFormat(lang === 'ru' ? 'dd.MM.yyyy' : 'dd/MM/yyyy') : isoDate;
}

/** An instant in the portal's zone: «07.12.2026 14:05». */
export function formatInstant(iso: string | null | undefined, zone: string, lang: WebLang): string {
  if (!iso) return '—';
  const d = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  return d.isValid ? d.toFormat(lang === 'ru' ? 'dd.MM.yyyy HH:mm' : 'dd/MM/yyyy HH:mm') : iso;
}

/** Russian month names in the nominative, for chart labels and period captions. */
const MONTHS_RU = ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-12` → «дек 2026». */
export function formatMonth(yearMonth: string, lang: WebLang): string {
  const [y, m] = yearMonth.split('-').map(Number);
  const names = lang === 'ru' ? MONTHS_RU : MONTHS_EN;
  return `${names[(m ?? 1) - 1] ?? '?'} ${y}`;
}

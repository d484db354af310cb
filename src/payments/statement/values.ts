/**
 * Values of a 1C exchange file: amounts as decimal strings with a dot (`2762.80`, sometimes `1000`), dates as
 * `dd.mm.yyyy`. An amount is read from its digits into integer kopecks; a float never touches it.
 * Each function returns null for an empty value and a Russian description of the problem for a bad one.
 */
import { isIsoDate } from '../../documents/dates.js';

const AMOUNT_RE = /^(-?)(\d+)(?:[.,](\d+))?$/;
const DATE_RE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const SPACE_RE = /\s/;

export type Parsed<T> = { ok: true; value: T | null } | { ok: false; problem: string };

/** «2762.80» → 276280. More than two fraction digits are allowed only as trailing zeros («10.100»). */
export function parseAmount(text: string, allowNegative = false): Parsed<number> {
  const t = text.replace(/[ \u00A0\u202F]/g, '');
  if (t === '') return { ok: true, value: null };
  const m = AMOUNT_RE.exec(t);
  if (!m || (m[1] === '-' && !allowNegative)) {
    return { ok: false, problem: `сумма «${text}» не является неотрицательным числом вида 25000.00` };
  }
  const frac = m[3] ?? '';
  if (frac.length > 2 && /[1-9]/.test(frac.slice(2))) {
    return { ok: false, problem: `в сумме «${text}» больше двух знаков после точки` };
  }
  const kopecks = Number(m[2]) * 100 + Number(frac.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(kopecks)) return { ok: false, problem: `сумма «${text}» слишком велика` };
  return { ok: true, value: m[1] === '-' ? -kopecks : kopecks };
}

// A statement holds a few hundred distinct dates over 100 000 documents: each is checked once.
const knownDates = new Map<string, Parsed<string>>();

/** «01.12.2026» → «2026-12-01»; a two-digit year or a day that does not exist is a problem, not a guess. */
export function parseDate(text: string): Parsed<string> {
  const known = knownDates.get(text);
  if (known) return known;
  const parsed = readDate(text);
  if (parsed.ok && knownDates.size < 10_000) knownDates.set(text, parsed);
  return parsed;
}

function readDate(text: string): Parsed<string> {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  const m = DATE_RE.exec(t);
  const iso = m ? `${m[3]}-${(m[2] ?? '').padStart(2, '0')}-${(m[1] ?? '').padStart(2, '0')}` : '';
  if (!m || !isIsoDate(iso)) return { ok: false, problem: `дата «${text}» не является датой вида 01.12.2026` };
  return { ok: true, value: iso };
}

/** INN as digits; «0» and all-zero placeholders (written for payers without an INN) become ''. */
export function normalizeInn(text: string): string {
  const digits = SPACE_RE.test(text) ? text.replace(/\s/g, '') : text;
  return /^0*$/.test(digits) ? '' : digits;
}

/** Account numbers are compared as written without spaces. */
export function normalizeAccount(text: string): string {
  return SPACE_RE.test(text) ? text.replace(/\s/g, '') : text;
}

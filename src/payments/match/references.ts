/**
 * Invoice numbers named in a payment purpose, and the canonical form numbers are compared in.
 *
 * Numbers are compared as whole tokens, never as substrings: «№ 15» is the token «15», which is not «150»,
 * «1015» or «АР-2026-150». A bare number counts only after an invoice word («по счету № 15 от 01.12.2026»,
 * «сч. 15», «счет 15», «счёт», «СЧ№15», «сч-ту 15», «по счетам № 15, 16») — elsewhere a bare number is a date,
 * an amount or a contract. A number that carries letters or dashes (`АР-2026-15`) is specific enough to count
 * anywhere in the purpose.
 */
import { isIsoDate } from '../../documents/dates.js';

export interface InvoiceReference {
  /** As written in the purpose. */
  text: string;
  /** Canonical form (see canonicalNumber). */
  canonical: string;
  /** The sequence part when the reference is a bare number («15»), else null. */
  seq: string | null;
  /** «от 01.12.2026» written right after the number, ISO. */
  date: string | null;
  /** True when an invoice word introduced it; false for a prefixed number found elsewhere. */
  afterInvoiceWord: boolean;
}

export interface CanonicalNumber {
  canonical: string;
  /** The sequence part without leading zeros («АР-2026-015» → «15»), or null when none can be told apart. */
  seq: string | null;
}

const stripZeros = (digits: string) => digits.replace(/^0+(?=\d)/, '');

/** Upper case, Ё → Е, no spaces: «ар-2026-15» and «АР-2026-15» are one number. */
export function normalizeNumberText(s: string): string {
  return s.replace(/\s+/g, '').toUpperCase().replace(/Ё/g, 'Е');
}

/**
 * «АР-2026-015» with prefix «АР-2026-» → { canonical «АР-2026-15», seq «15» }. Without a known prefix a
 * head that carries letters or a year («СЧ-2612-», «2026-») still splits off the trailing sequence; other
 * numbers are kept whole («15/1» has no sequence part, so «№ 1» never names it).
 */
export function canonicalNumber(number: string, normalizedPrefixes: readonly string[] = []): CanonicalNumber {
  const n = normalizeNumberText(number);
  if (/^\d+$/.test(n)) {
    for (const p of normalizedPrefixes) {
      // an all-digit template («{yy}{mm}{seq:3}» → «2612015») needs its prefix to find the sequence
      if (/^\d+$/.test(p) && n.length > p.length && n.startsWith(p)) {
        const seq = stripZeros(n.slice(p.length));
        return { canonical: p + seq, seq };
      }
    }
    const plain = stripZeros(n);
    return { canonical: plain, seq: plain };
  }
  for (const p of normalizedPrefixes) {
    const rest = n.slice(p.length);
    if (n.startsWith(p) && /^\d+$/.test(rest)) {
      const seq = stripZeros(rest);
      return { canonical: p + seq, seq };
    }
  }
  const m = /^(.*\D)(\d+)$/.exec(n);
  if (m && (/\p{L}/u.test(m[1] ?? '') || /^(?:19|20)\d\d[-/_.]$/.test(m[1] ?? ''))) {
    const seq = stripZeros(m[2] ?? '');
    return { canonical: (m[1] ?? '') + seq, seq };
  }
  return { canonical: n, seq: null };
}

const NUMBER = String.raw`[\p{L}\p{N}]+(?:[-/_][\p{L}\p{N}]+|\.\p{N}+)*`;
const DATE = String.raw`(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d)\s*(?:г\.?|года)?`;
const NO_SIGN = String.raw`(?:№|N\s?o\.?|N|#|номер(?:ам|а|у)?)`;
/**
 * An invoice word: счёт in any case, «сч.», «сч», «сч-ту», «инвойс». Not «счёт-фактура» / «сч/ф» (another
 * document), not an account («р/с», «расчётный/лицевой/корр. счёт»).
 */
const INVOICE_WORD = String.raw`(?<![\p{L}\p{N}])(?<!(?:р\/|расч[её]тн\p{L}*\s+|лицев\p{L}*\s+|корр?\.?\s*|банковск\p{L}*\s+|ссудн\p{L}*\s+|депозитн\p{L}*\s+))(?:сч[её]т(?:ам|ах|ов|у|а|е|ом)?|сч-?т(?:у|а|е)|сч\.?|инвойс\p{L}*)(?![\p{L}])(?!\s*-?\s*фактур|\s*\/\s*ф)`;
const SEPARATOR = String.raw`\s*(?:,|;|\+|\s(?:и|и\s+по)\s)\s*`;

const HEAD_RE = new RegExp(
  String.raw`${INVOICE_WORD}\s*(?:на\s+оплату\s*)?(?:от\s*${DATE}\s*)?${NO_SIGN}?\s*`,
  'giu',
);
/**
 * Only a token with an ASCII digit and something other than digits and dots is looked at by the token scan below
 * («АР-2026-15», «2026-15», «15А»). Such a token has a digit next to a character that is not a digit, a dot or one
 * of the separators a token never holds — or a letter, a dot and a digit («А.5»). Purposes without that (dates,
 * amounts, «№ 15» alone: most of them) skip the scan, which was the costliest part of matching a statement. Plain
 * classes on purpose: `\p{L}` in a test of the whole purpose is slower than the scan it would save.
 */
const NOT_DIGIT_OR_GAP = String.raw`[^0-9.\s,;:%№#()"'«»!?+*=<>\[\]{}|\\]`;
const MIXED_TOKEN_HINT = new RegExp(String.raw`[0-9]${NOT_DIGIT_OR_GAP}|${NOT_DIGIT_OR_GAP}[0-9]|${NOT_DIGIT_OR_GAP}\.[0-9]|[0-9]\.${NOT_DIGIT_OR_GAP}`);
const ITEM_RE = new RegExp(String.raw`^(${NUMBER})(?:\s*от\s*${DATE})?`, 'iu');
const LIST_SEP_RE = new RegExp(String.raw`^${SEPARATOR}${NO_SIGN}?\s*`, 'iu');
const TOKEN_RE = new RegExp(NUMBER, 'gu');

function isoOf(d: string | undefined, m: string | undefined, y: string | undefined): string | null {
  if (!d || !m || !y) return null;
  const year = y.length === 2 ? `20${y}` : y;
  const iso = `${year}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : null;
}

/** «15от01.12.2026» (banks squeeze spaces out of long purposes) → «15». */
function cleanToken(token: string): string {
  return token.replace(/(?<=\d)от\d.*$/iu, '');
}

/** A number an invoice can carry: has a digit, at most 15 characters (GOST R 56042 DocNo), not an account. */
function plausible(token: string): boolean {
  return /\d/.test(token) && token.length <= 15;
}

/**
 * Every invoice number the purpose names, in order of appearance, without repeats. `prefixes` are the
 * normalised numbering prefixes in use (see canonicalNumber).
 */
export function extractInvoiceReferences(purpose: string, normalizedPrefixes: readonly string[] = []): InvoiceReference[] {
  const refs: InvoiceReference[] = [];
  const seen = new Set<string>();
  const add = (text: string, date: string | null, afterInvoiceWord: boolean) => {
    const cleaned = cleanToken(text);
    if (!plausible(cleaned)) return;
    const { canonical, seq } = canonicalNumber(cleaned, normalizedPrefixes);
    const bare = /^\d+$/.test(cleaned);
    if (seen.has(canonical)) return;
    seen.add(canonical);
    refs.push({ text: cleaned, canonical, seq: bare ? seq : null, date, afterInvoiceWord });
  };

  // Where the invoice-word lists end, so the scan below does not read «сч.15» once more as a token.
  const consumed: Array<[number, number]> = [];
  HEAD_RE.lastIndex = 0;
  for (let head = HEAD_RE.exec(purpose); head; head = HEAD_RE.exec(purpose)) {
    let rest = purpose.slice(head.index + head[0].length);
    const headDate = isoOf(head[1], head[2], head[3]);
    for (;;) {
      const item = ITEM_RE.exec(rest);
      if (!item || !/\d/.test(item[1] ?? '')) break;
      add(item[1] ?? '', isoOf(item[2], item[3], item[4]) ?? headDate, true);
      rest = rest.slice(item[0].length);
      const sep = LIST_SEP_RE.exec(rest);
      if (!sep) break;
      rest = rest.slice(sep[0].length);
    }
    consumed.push([head.index, purpose.length - rest.length]);
  }

  // Prefixed numbers anywhere: «Оплата АР-2026-15, аренда за декабрь».
  if (!MIXED_TOKEN_HINT.test(purpose)) return refs;
  for (const m of purpose.matchAll(TOKEN_RE)) {
    const token = m[0];
    if (consumed.some(([from, to]) => m.index >= from && m.index < to)) continue;
    if (/^[\d.]+$/.test(token) || !/\d/.test(token)) continue;
    const { seq } = canonicalNumber(token, normalizedPrefixes);
    if (seq !== null) add(token, null, false);
  }
  return refs;
}

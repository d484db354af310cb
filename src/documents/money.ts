/**
 * Money is integer kopecks everywhere inside the service; decimal strings («25000.00») exist only at the
 * edges (document model, QR, 1C files). Parsing is done on the digits themselves — a float never touches
 * an amount, so «0.1 + 0.2» style errors cannot reach a document.
 */
import { AppError, ValidationError } from '../errors.js';

const NBSP = '\u00A0';
// Plain, no-break and narrow no-break spaces are all seen as thousands separators in pasted amounts.
const GROUP_SPACE = '[ \\u00A0\\u202F]';
const PLAIN_RE = /^(\d+)(?:[.,](\d{1,2}))?$/;
const GROUPED_RE = new RegExp(`^(\\d{1,3}(?:${GROUP_SPACE}\\d{3})+)(?:[.,](\\d{1,2}))?$`);

function moneyIssue(path: string, message: string, messageEn: string): ValidationError {
  return new ValidationError([{ path, message, messageEn }]);
}

/** «25000.00», «25000», «25000.5», «25 000,00» → kopecks. Throws ValidationError naming `path`. */
export function parseMoney(s: string, path = 'amount'): number {
  const text = typeof s === 'string' ? s.trim() : '';
  if (text.startsWith('-')) {
    throw moneyIssue(path, 'Сумма не может быть отрицательной', 'Amount must not be negative');
  }
  if (/^\d+[.,]\d{3,}$/.test(text)) {
    throw moneyIssue(
      path,
      'В сумме не может быть больше двух знаков после запятой',
      'Amount must have at most 2 fraction digits',
    );
  }
  const m = PLAIN_RE.exec(text) ?? GROUPED_RE.exec(text);
  if (!m) {
    throw moneyIssue(
      path,
      `Сумма «${text}» записана неверно; пример: 25000.00`,
      `Amount "${text}" is not a decimal number like 25000.00`,
    );
  }
  const rubles = (m[1] ?? '').replace(/\D/g, '');
  const kop = (m[2] ?? '').padEnd(2, '0');
  const value = Number(rubles) * 100 + Number(kop);
  if (!Number.isSafeInteger(value)) {
    throw moneyIssue(path, 'Сумма слишком велика', 'Amount is too large');
  }
  return value;
}

function assertKopecks(kopecks: number): void {
  if (!Number.isSafeInteger(kopecks)) {
    throw new AppError('INVALID_AMOUNT', `Сумма в копейках должна быть целым числом: ${kopecks}`, {
      details: { kopecks },
    });
  }
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

function splitKopecks(kopecks: number): { sign: string; rubles: string; kop: string } {
  assertKopecks(kopecks);
  const abs = Math.abs(kopecks);
  return {
    sign: kopecks < 0 ? '-' : '',
    rubles: String(Math.floor(abs / 100)),
    kop: String(abs % 100).padStart(2, '0'),
  };
}

/** 2500000 → «25 000,00» (U+00A0 between thousands groups, comma before kopecks). */
export function formatMoney(kopecks: number): string {
  const { sign, rubles, kop } = splitKopecks(kopecks);
  return `${sign}${groupThousands(rubles)},${kop}`;
}

/** 2500000 → «25000.00» (machine format of the document model and 1C files). */
export function kopecksToDecimal(kopecks: number): string {
  const { sign, rubles, kop } = splitKopecks(kopecks);
  return `${sign}${rubles}.${kop}`;
}

/**
 * Quantity as an integer number of thousandths (1.5 → 1500). Quantities carry at most 3 decimals;
 * more is refused rather than silently rounded, because it would change the line amount.
 */
export function quantityToThousandths(q: number, path = 'quantity'): number {
  const scaled = Math.round(q * 1000);
  // q×1000 of a 3-decimal number lands within a few ulps of an integer; anything further had more decimals.
  const tolerance = 1e-9 + Math.abs(scaled) * 1e-13;
  if (!Number.isFinite(q) || !Number.isSafeInteger(scaled) || Math.abs(q * 1000 - scaled) > tolerance) {
    throw new ValidationError([
      {
        path,
        message: 'Количество должно быть числом не более чем с тремя знаками после запятой',
        messageEn: 'Quantity must be a number with at most 3 decimals',
      },
    ]);
  }
  return scaled;
}

/** 1 → «1», 1.5 → «1,5», 0.333 → «0,333» (at most 3 decimals, no trailing zeros). */
export function formatQuantity(q: number): string {
  const t = quantityToThousandths(q);
  const abs = Math.abs(t);
  const int = String(Math.floor(abs / 1000));
  const frac = String(abs % 1000).padStart(3, '0').replace(/0+$/, '');
  return `${t < 0 ? '-' : ''}${int}${frac ? `,${frac}` : ''}`;
}

/**
 * Exact decimals for values Bitrix24 sends as JSON numbers or strings («899.1», "1219.9878", 1.5).
 * A value is kept as an integer of units at a power-of-ten scale, so prices and quantities are
 * multiplied and rounded on BigInt and a float never decides a kopeck.
 */
import { roundDiv } from '../documents/vat.js';

/** value = units / 10^scale */
export interface Decimal {
  units: bigint;
  scale: number;
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:[.,](\d*))?(?:e([+-]?\d{1,3}))?$/i;

export function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/**
 * Parses a number or numeric string. A JS number is read through its shortest round-trip text
 * (899.1 → «899.1»), which is the decimal Bitrix24 meant. Returns null for blanks and garbage.
 */
export function parseDecimal(v: unknown): Decimal | null {
  let text: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return null;
    text = String(v);
  } else if (typeof v === 'string') {
    text = v.trim().replace(/[\s\u00A0\u202F]/g, '');
  } else if (typeof v === 'bigint') {
    text = v.toString();
  } else {
    return null;
  }
  const m = DECIMAL_RE.exec(text);
  if (!m) return null;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return null;
  let units = BigInt(`${intPart || '0'}${fracPart}`);
  let scale = fracPart.length;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (exp > 0) {
    const shift = Math.min(exp, scale);
    scale -= shift;
    units *= 10n ** BigInt(exp - shift);
  } else if (exp < 0) {
    scale -= exp;
  }
  if (m[1] === '-') units = -units;
  return normalize({ units, scale });
}

/** Drops trailing zero fraction digits: 1.500 → 1.5 (scale 1). */
export function normalize(d: Decimal): Decimal {
  let { units, scale } = d;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescaleExact(a, scale) + rescaleExact(b, scale), scale };
}

function rescaleExact(d: Decimal, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

/** Rounds to `digits` fraction digits, half away from zero; returns the integer of 10^-digits units. */
export function roundTo(d: Decimal, digits: number): bigint {
  if (d.scale <= digits) return rescaleExact(d, digits);
  return roundDiv(d.units, 10n ** BigInt(d.scale - digits));
}

/** Kopecks of a ruble amount, rounded half away from zero. */
export function toKopecks(d: Decimal): bigint {
  return roundTo(d, 2);
}

export function isZero(d: Decimal): boolean {
  return d.units === 0n;
}

export function isNegative(d: Decimal): boolean {
  return d.units < 0n;
}

/** Exact value as an integer when it has no fraction, else null (22.00 → 22n, 22.5 → null). */
export function toInteger(d: Decimal): bigint | null {
  const n = normalize(d);
  return n.scale === 0 ? n.units : null;
}

/** Plain text of the exact value: «1219.9878», «-0.5», «25000». */
export function decimalToString(d: Decimal): string {
  const n = normalize(d);
  const neg = n.units < 0n;
  const digits = (neg ? -n.units : n.units).toString().padStart(n.scale + 1, '0');
  const int = digits.slice(0, digits.length - n.scale);
  const frac = n.scale > 0 ? `.${digits.slice(digits.length - n.scale)}` : '';
  return `${neg ? '-' : ''}${int}${frac}`;
}

/**
 * Value conversions shared by the sandbox CRM: how the platform writes dates, amounts and names
 * on the wire, and how it reads the loosely typed values REST clients send (form-encoded calls
 * deliver every scalar as a string).
 */
import { SandboxRestError } from '../types.js';

/** The sandbox portal lives in Europe/Moscow (UTC+3 all year since 2014), like the product's default. */
const PORTAL_OFFSET_MS = 3 * 3600_000;
const PORTAL_OFFSET = '+03:00';

/** Instant → `2024-08-30T14:29:00+03:00`, the platform's ATOM format in portal time. */
export function isoDateTime(ms: number): string {
  return new Date(ms + PORTAL_OFFSET_MS).toISOString().slice(0, 19) + PORTAL_OFFSET;
}

/** Calendar date `YYYY-MM-DD` → `2024-08-30T00:00:00+03:00` (dates are portal-midnight instants on the wire). */
export function isoDate(date: string): string {
  return `${date}T00:00:00${PORTAL_OFFSET}`;
}

/** Calendar date in portal time of an instant. */
export function portalDate(ms: number): string {
  return new Date(ms + PORTAL_OFFSET_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86400_000;
  return new Date(t).toISOString().slice(0, 10);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RU_DATE_RE = /^(\d{2})\.(\d{2})\.(\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Anything a client may send for a datetime (ATOM with or without offset, `DD.MM.YYYY HH:MM:SS`, a date) → instant. */
export function parseDateTime(v: unknown): number | null {
  if (v === null || v === undefined || v === '' || v === false) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  const s = String(v).trim();
  let m = DATE_RE.exec(s);
  if (m) return Date.parse(`${s}T00:00:00${PORTAL_OFFSET}`);
  m = DATETIME_RE.exec(s);
  if (m) {
    const zone = m[7] ? (m[7] === 'Z' ? 'Z' : m[7].length === 5 ? `${m[7].slice(0, 3)}:${m[7].slice(3)}` : m[7]) : PORTAL_OFFSET;
    const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone}`);
    return Number.isNaN(t) ? null : t;
  }
  m = RU_DATE_RE.exec(s);
  if (m) {
    return Date.parse(`${m[3]}-${m[2]}-${m[1]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${PORTAL_OFFSET}`);
  }
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

/** Anything a client may send for a date → `YYYY-MM-DD` in portal time. */
export function parseDate(v: unknown): string | null {
  if (typeof v === 'string' && DATE_RE.test(v.trim())) return v.trim();
  const ms = parseDateTime(v);
  return ms === null ? null : portalDate(ms);
}

export function toInt(v: unknown): number | null {
  if (v === null || v === undefined || v === '' || v === false) return null;
  const n = typeof v === 'number' ? v : Number.parseInt(String(v).trim(), 10);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '' || v === false) return null;
  const n = typeof v === 'number' ? v : Number(String(v).trim().replace(',', '.').replace(/\s/g, ''));
  return Number.isFinite(n) ? n : null;
}

/** `Y`/`N` flags arrive as `Y`, `true`, `1`, booleans… */
export function toYN(v: unknown, fallback: 'Y' | 'N' = 'N'): 'Y' | 'N' {
  if (v === undefined || v === null || v === '') return fallback;
  if (v === true || v === 1) return 'Y';
  const s = String(v).trim().toUpperCase();
  return s === 'Y' || s === 'TRUE' || s === '1' ? 'Y' : 'N';
}

/**
 * The platform keeps amounts as doubles rounded to cents; rounding here mirrors what it stores
 * (the service itself must not rely on these floats — it works in kopecks).
 */
export function round2(x: number): number {
  const r = Math.round(Math.abs(x) * 100 + 1e-7) / 100;
  return x < 0 ? -r : r;
}

/**
 * Half away from zero to `digits` decimals, after dropping binary noise past 15 significant digits
 * (as PHP's round() does), so 0.305 rounds to 0.31 and 1.005 to 1.01 although their doubles lie below.
 */
export function roundTo(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const clean = Math.abs(Number(x.toPrecision(15)));
  const text = String(clean);
  const scaled = text.includes('e') ? clean * 10 ** digits : Number(`${text}e${digits}`);
  const r = Number(`${Math.round(scaled)}e-${digits}`);
  return x < 0 && r !== 0 ? -r : r;
}

export function money(x: number | null | undefined): string | null {
  return x === null || x === undefined ? null : round2(x).toFixed(2);
}

/** `UF_CRM_INVOICE_URL` → `ufCrmInvoiceUrl`, `UF_CRM_1720019876534` → `ufCrm_1720019876534` (crm.item naming). */
export function ufToCamel(name: string): string {
  const parts = name.toLowerCase().split('_').filter((p) => p !== '');
  let out = parts[0] ?? '';
  for (const p of parts.slice(1)) out += /^\d/.test(p) ? `_${p}` : p.charAt(0).toUpperCase() + p.slice(1);
  return out;
}

/** Values from form-encoded calls: `{0: a, 1: b}` objects are arrays too. */
export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>);
  return [v];
}

export function asObject(v: unknown): Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {};
}

/** `[name, base64]` (or `{fileData: [name, base64]}`) → decoded file; the platform accepts both shapes. */
export function decodeFileParam(v: unknown): { name: string; content: Buffer } | null {
  let pair: unknown = v;
  if (pair && typeof pair === 'object' && !Array.isArray(pair) && 'fileData' in (pair as object)) {
    pair = (pair as { fileData: unknown }).fileData;
  }
  const arr = asArray(pair);
  if (arr.length < 2 || typeof arr[0] !== 'string' || typeof arr[1] !== 'string') return null;
  return { name: arr[0], content: Buffer.from(arr[1], 'base64') };
}

/**
 * Error shapes. Classic CRM methods answer argument and lookup failures with an empty `error` code
 * (`{"error": "", "error_description": "ID is not defined or invalid."}`) and core validation failures
 * with `ERROR_CORE`; the sandbox's NOT_FOUND/ACCESS_DENIED codes follow the project's contract.
 */
export const err = {
  notFound: (description = 'Not found') => new SandboxRestError('NOT_FOUND', description, 400),
  accessDenied: (description = 'Access denied.') => new SandboxRestError('ACCESS_DENIED', description, 403),
  argument: (description: string) => new SandboxRestError('', description, 400),
  core: (description: string) => new SandboxRestError('ERROR_CORE', description, 400),
  invalidId: (name = 'ID') => new SandboxRestError('', `${name} is not defined or invalid.`, 400),
};

/** A positive integer id parameter, or the platform's "not defined or invalid" error. */
export function requireId(v: unknown, name = 'ID'): number {
  const n = toInt(v);
  if (n === null || n <= 0) throw err.invalidId(name);
  return n;
}

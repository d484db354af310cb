/**
 * Tolerant GOST R 56042 parser (for tests, diagnostics and scanned payloads): reads the separator from
 * byte 8, accepts all three charsets, splits pairs on the first `=`, normalises known keys to their
 * canonical spelling, drops empty and `Null` values and ignores empty segments (a trailing separator).
 * The first occurrence of a key wins.
 */
import iconv from 'iconv-lite';
import { AppError } from '../errors.js';
import { MANDATORY_KEYS, canonicalKey } from './fields.js';

export type ParsedEncoding = 'utf8' | 'win1251' | 'koi8r';

export interface ParsedGostPayload {
  encoding: ParsedEncoding;
  separator: string;
  fields: Record<string, string>;
}

const ENCODINGS: Record<string, ParsedEncoding> = { '1': 'win1251', '2': 'utf8', '3': 'koi8r' };

function invalid(message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('QR_PAYLOAD_INVALID', `QR-код не в формате ГОСТ Р 56042: ${message}`, { details });
}

function decodeBody(bytes: Uint8Array, encoding: ParsedEncoding): string {
  if (encoding === 'utf8') return new TextDecoder('utf-8').decode(bytes);
  return iconv.decode(Buffer.from(bytes), encoding === 'win1251' ? 'win1251' : 'koi8-r');
}

function splitHeader(input: string | Uint8Array): { header: string; body: string | Uint8Array } {
  if (typeof input === 'string') return { header: input.slice(0, 8), body: input.slice(8) };
  const head = input.subarray(0, 8);
  if (head.some((b) => b > 0x7e)) throw invalid('заголовок не ASCII');
  return { header: String.fromCharCode(...head), body: input.subarray(8) };
}

export function parseGostPayload(
  input: string | Uint8Array,
  opts: { strict?: boolean } = {},
): ParsedGostPayload {
  const { header, body } = splitHeader(input);
  if (header.length < 8) throw invalid('слишком короткая строка');
  if (header.slice(0, 2) !== 'ST') throw invalid(`неизвестный формат «${header.slice(0, 2)}»`, { header });
  if (header.slice(2, 6) !== '0001') throw invalid(`неизвестная версия «${header.slice(2, 6)}»`, { header });
  const encoding = ENCODINGS[header.charAt(6)];
  if (!encoding) throw invalid(`неизвестная кодировка «${header.charAt(6)}»`, { header });
  const separator = header.charAt(7);
  if (/[A-Za-z0-9=\s]/.test(separator)) throw invalid(`недопустимый разделитель «${separator}»`, { header });

  const text = (typeof body === 'string' ? body : decodeBody(body, encoding)).replace(/[\r\n]+$/, '');
  // A Map, so keys such as `__proto__` or `constructor` in a hostile payload stay plain data.
  const found = new Map<string, string>();
  for (const segment of text.split(separator)) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const key = canonicalKey(segment.slice(0, eq).trim());
    const value = segment.slice(eq + 1).trim();
    if (value === '' || value.toLowerCase() === 'null' || found.has(key)) continue;
    found.set(key, value);
  }
  const fields: Record<string, string> = Object.fromEntries(found);
  if (opts.strict) {
    const missing = MANDATORY_KEYS.filter((k) => !found.has(k));
    if (missing.length) throw invalid(`нет обязательных полей ${missing.join(', ')}`, { missing });
  }
  return { encoding, separator, fields };
}

/** `Sum` in kopecks, undefined when absent; a decimal `Sum=1000.00` is refused rather than guessed. */
export function parseGostSum(fields: Record<string, string>): number | undefined {
  const raw = Object.hasOwn(fields, 'Sum') ? fields.Sum : undefined;
  if (raw === undefined) return undefined;
  if (!/^\d{1,18}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new AppError('QR_FIELD_INVALID', `QR-код: сумма «${raw}» должна быть целым числом копеек`, {
      details: { field: 'Sum', value: raw },
    });
  }
  return Number(raw);
}

/**
 * GOST R 56042-2014 payment payload builder: `ST0001` + encoding digit + separator + `Key=Value` pairs.
 * The result is bytes because the QR symbol is encoded in byte mode and byte 7 declares the charset;
 * `text` is the same payload as a string for logs and tests.
 */
import iconv from 'iconv-lite';
import { AppError } from '../errors.js';
import { isIsoDate } from '../isoDate.js';
import { FIELD_RULES, MANDATORY_KEYS, ORDERED_OPTIONAL_KEYS, canonicalKey } from './fields.js';

export { parseGostPayload, parseGostSum } from './parse.js';
export type { ParsedGostPayload } from './parse.js';

export type QrEncoding = 'utf8' | 'win1251';
/** `auto`: UTF-8 (`ST00012`) when the mandatory block fits, else Windows-1251 (`ST00011`) when that fits. */
export type QrEncodingChoice = QrEncoding | 'auto';

export type GostFields = {
  Name: string;
  PersonalAcc: string;
  BankName: string;
  BIC: string;
  CorrespAcc: string;
  /** Kopecks. */
  Sum?: number;
  Purpose?: string;
  PayeeINN?: string;
  KPP?: string;
  PayerINN?: string;
  Contract?: string;
  DocNo?: string;
  /** dd.mm.yyyy */
  DocDate?: string;
  [extra: string]: string | number | undefined;
};

export interface GostPayload {
  text: string;
  bytes: Uint8Array;
  /** The charset the header declares and the bytes are in. */
  encoding: QrEncoding;
}

/** Separators tried in order when a value contains `|` (QRCoder, citing §5.2.1 of the standard). */
export const SEPARATOR_CANDIDATES = '|#;:^_~{}!$%&()*+,/@';
export const MANDATORY_BLOCK_LIMIT = 300;

const KEY_RE = /^[A-Za-z][A-Za-z0-9]*$/;
const FIXED_KEYS: readonly string[] = [...MANDATORY_KEYS, ...ORDERED_OPTIONAL_KEYS];

function fieldError(code: string, field: string, message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError(code, `QR-код: ${message}`, { details: { field, ...details } });
}

function describe(field: string): string {
  const label = FIELD_RULES[field]?.label;
  return label ? `поле «${label}» (${field})` : `поле ${field}`;
}

/** CR/LF and other control characters would break the pair syntax; a payer never needs them. */
function clean(value: string): string {
  return value.replace(/[\u0000-\u001F\u007F]+/g, ' ').trim();
}

function encodeText(s: string, encoding: QrEncoding): Uint8Array {
  return encoding === 'utf8' ? new TextEncoder().encode(s) : new Uint8Array(iconv.encode(s, 'win1251'));
}

function valueOf(field: string, raw: string | number): string {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) {
      const text = `${describe(field)} должно быть целым неотрицательным числом (копейки)`;
      throw fieldError('QR_FIELD_INVALID', field, text);
    }
    return String(raw);
  }
  if (typeof raw !== 'string') throw fieldError('QR_FIELD_INVALID', field, `${describe(field)} должно быть строкой`);
  return clean(raw);
}

function checkValue(field: string, value: string, encoding: QrEncoding): void {
  const rule = FIELD_RULES[field];
  const length = [...value].length;
  if (rule?.max !== undefined && length > rule.max) {
    throw fieldError('QR_FIELD_TOO_LONG', field, `${describe(field)} длиннее ${rule.max} символов (сейчас ${length})`, {
      max: rule.max,
      length,
    });
  }
  if (rule?.digits && !/^\d+$/.test(value)) {
    throw fieldError('QR_FIELD_INVALID', field, `${describe(field)} должно содержать только цифры`);
  }
  if (rule?.pattern && !rule.pattern.test(value)) {
    throw fieldError('QR_FIELD_INVALID', field, `${describe(field)} записано неверно: «${value}»`);
  }
  if (field === 'DocDate' && !isIsoDate(value.split('.').reverse().join('-'))) {
    throw fieldError('QR_FIELD_INVALID', field, `${describe(field)} должно быть датой дд.мм.гггг`);
  }
  if (encoding === 'win1251' && iconv.decode(iconv.encode(value, 'win1251'), 'win1251') !== value) {
    const text = `${describe(field)} содержит символы, которых нет в кодировке Windows-1251`;
    throw fieldError('QR_FIELD_INVALID', field, text);
  }
}

/** Key order: the five mandatory fields, then Sum … DocDate, then extras in insertion order. */
function orderedPairs(fields: GostFields, encoding: QrEncoding): [string, string][] {
  const pairs: [string, string][] = [];
  const seen = new Set(FIXED_KEYS.map((k) => k.toLowerCase()));
  for (const key of Object.keys(fields)) {
    if (FIXED_KEYS.includes(key)) continue;
    if (!KEY_RE.test(key)) throw fieldError('QR_FIELD_INVALID', key, `недопустимое имя поля «${key}»`);
    if (seen.has(key.toLowerCase())) {
      throw fieldError('QR_FIELD_INVALID', key, `поле ${key} повторяет поле ${canonicalKey(key)}`);
    }
    seen.add(key.toLowerCase());
  }
  const extras = Object.keys(fields).filter((k) => !FIXED_KEYS.includes(k));
  for (const key of [...FIXED_KEYS, ...extras]) {
    const raw = fields[key];
    const mandatory = (MANDATORY_KEYS as readonly string[]).includes(key);
    const value = raw === undefined ? '' : valueOf(key, raw);
    if (value === '') {
      if (mandatory) throw fieldError('QR_FIELD_INVALID', key, `не заполнено обязательное ${describe(key)}`);
      continue;
    }
    checkValue(key, value, encoding);
    pairs.push([key, value]);
  }
  return pairs;
}

function chooseSeparator(values: string[]): string {
  if (!values.some((v) => v.includes('|'))) return '|';
  for (const c of SEPARATOR_CANDIDATES) if (!values.some((v) => v.includes(c))) return c;
  throw new AppError(
    'QR_NO_SEPARATOR',
    'QR-код: в реквизитах встречаются все допустимые разделители, уберите символ «|»',
  );
}

/**
 * The payload in the given charset, UTF-8 unless told otherwise. `auto` (what documents use) takes UTF-8
 * when the mandatory block fits in 300 bytes, otherwise Windows-1251, where Cyrillic takes one byte
 * instead of two — so a long legal name still gets a valid code; when neither fits the error says so.
 */
export function buildGostPayload(fields: GostFields, opts: { encoding?: QrEncodingChoice } = {}): GostPayload {
  const choice = opts.encoding ?? 'utf8';
  if (choice !== 'auto') return buildIn(fields, choice);
  try {
    return buildIn(fields, 'utf8');
  } catch (utf8Err) {
    if (!(utf8Err instanceof AppError) || utf8Err.code !== 'QR_MANDATORY_TOO_LONG') throw utf8Err;
    try {
      return buildIn(fields, 'win1251');
    } catch (winErr) {
      if (!(winErr instanceof AppError) || !winErr.code.startsWith('QR_')) throw winErr;
      const bytes = utf8Err.details?.bytes;
      const field = String(utf8Err.details?.field);
      const winBytes = winErr.code === 'QR_MANDATORY_TOO_LONG' ? ` и ${String(winErr.details?.bytes)} байт в Windows-1251` : '';
      const why = winErr.code === 'QR_MANDATORY_TOO_LONG' ? '' : ` (в Windows-1251 не записать: ${winErr.message.replace(/^QR-код: /, '')})`;
      throw fieldError(
        'QR_MANDATORY_TOO_LONG',
        field,
        `получатель, банк и счета вместе занимают ${String(bytes)} байт в UTF-8${winBytes}, допустимо ${MANDATORY_BLOCK_LIMIT}${why}; ` +
          'сократите наименование получателя или банка',
        { bytes, limit: MANDATORY_BLOCK_LIMIT, fitsWin1251: false },
      );
    }
  }
}

function buildIn(fields: GostFields, encoding: QrEncoding): GostPayload {
  const pairs = orderedPairs(fields, encoding);
  const separator = chooseSeparator(pairs.map(([, v]) => v));
  const joined = pairs.map(([k, v]) => `${k}=${v}`);
  const mandatory = joined.slice(0, MANDATORY_KEYS.length);
  const mandatoryBytes = encodeText(mandatory.join(separator), encoding).length;
  if (mandatoryBytes > MANDATORY_BLOCK_LIMIT) {
    // Name the longest mandatory field: that is the one the manager can shorten.
    const sizes = pairs.slice(0, MANDATORY_KEYS.length).map(([k, v]) => [k, encodeText(v, encoding).length] as const);
    const longest = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    throw fieldError(
      'QR_MANDATORY_TOO_LONG',
      longest[0],
      `получатель, банк и счета вместе занимают ${mandatoryBytes} байт, допустимо ${MANDATORY_BLOCK_LIMIT}; ` +
        'сократите наименование получателя или банка',
      {
        bytes: mandatoryBytes,
        limit: MANDATORY_BLOCK_LIMIT,
        // Cyrillic takes two bytes in UTF-8 and one in Windows-1251: where the caller can choose the
        // charset (the CLI), that may be the way out.
        fitsWin1251: encoding === 'utf8' && encodeText(mandatory.join(separator), 'win1251').length <= MANDATORY_BLOCK_LIMIT,
      },
    );
  }
  const text = `ST0001${encoding === 'utf8' ? '2' : '1'}${separator}${joined.join(separator)}`;
  return { text, bytes: encodeText(text, encoding), encoding };
}

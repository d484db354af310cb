/**
 * Text of a 1CClientBankExchange file from its bytes. `Кодировка` is not trusted: banks export UTF-8 while the
 * header still says `Windows` (kilylabs/client-bank-exchange-php pull 16, «Сбербанк делает файл уже в UTF-8»).
 * Strict UTF-8 is tried first — Cyrillic in Windows-1251 or CP866 is never valid UTF-8 — and otherwise the
 * single-byte code page under which the format's own Cyrillic keys read correctly wins, so `Кодировка=DOS`
 * over Windows-1251 bytes (or the reverse) still decodes right.
 *
 * A single-byte file is not decoded as a whole: its bytes become a one-char-per-byte string (half the memory
 * of decoded Cyrillic, and no decoding of the many keys and digits the parser only compares), keys are looked
 * for in their byte spelling, and only the values kept are decoded.
 */
import iconv from 'iconv-lite';
import type { StatementEncoding } from './types.js';

export interface StatementText {
  /** UTF-8: the text itself. Single-byte code pages: one char per byte (latin1); see `decode`. */
  text: string;
  encoding: StatementEncoding;
  /** The real text of a piece of `text`. */
  decode: (piece: string) => string;
  /** How a (Cyrillic) key is spelled in `text`. */
  spell: (key: string) => string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf16 = new TextDecoder('utf-16le');
const identity = (s: string) => s;

/** Keys every statement carries near its top; enough of them read right only under the true code page. */
const MARKERS = ['Кодировка', 'ВерсияФормата', 'Отправитель', 'Получатель', 'ДатаСоздания', 'РасчСчет', 'СекцияДокумент', 'КонецФайла'];
const HEAD_BYTES = 8192;
const NON_ASCII = /[^\x00-\x7F]/;

function markerScore(text: string): number {
  let score = 0;
  for (const m of MARKERS) if (text.includes(m)) score += 1;
  return score;
}

function singleByte(buffer: Buffer, encoding: 'windows-1251' | 'cp866'): StatementText {
  const codec = encoding === 'cp866' ? 'cp866' : 'win1251';
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const chars = iconv.decode(all, codec);
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) table[i] = chars.charCodeAt(i);
  let scratch = new Uint16Array(256);
  return {
    text: buffer.toString('latin1'),
    encoding,
    decode: (piece) => {
      if (!NON_ASCII.test(piece)) return piece;
      if (scratch.length < piece.length) scratch = new Uint16Array(piece.length * 2);
      for (let i = 0; i < piece.length; i++) scratch[i] = table[piece.charCodeAt(i) & 0xff] ?? 0xfffd;
      return utf16.decode(scratch.subarray(0, piece.length));
    },
    spell: (key) => iconv.encode(key, codec).toString('latin1'),
  };
}

export function readStatementText(bytes: Uint8Array): StatementText {
  try {
    // The decoder drops a UTF-8 BOM itself (ignoreBOM: false).
    return { text: utf8.decode(bytes), encoding: 'utf-8', decode: identity, spell: identity };
  } catch {
    // not UTF-8: one of the two single-byte code pages of the format
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = buffer.subarray(0, HEAD_BYTES);
  const cp866Score = markerScore(iconv.decode(head, 'cp866'));
  const cp1251Score = markerScore(iconv.decode(head, 'win1251'));
  return singleByte(buffer, cp866Score > cp1251Score ? 'cp866' : 'windows-1251');
}

/** The whole file decoded, for callers that want the text itself. */
export function decodeStatement(bytes: Uint8Array): { text: string; encoding: StatementEncoding } {
  const t = readStatementText(bytes);
  return { text: t.decode(t.text), encoding: t.encoding };
}

/**
 * Text of a 1CClientBankExchange file from its bytes. `Кодировка` is not trusted: banks export UTF-8 while the
 * header still says `Windows` (kilylabs/client-bank-exchange-php pull 16, «Сбербанк делает файл уже в UTF-8»).
 * Strict UTF-8 is tried first — Cyrillic in Windows-1251 or CP866 is never valid UTF-8 — and otherwise the
 * single-byte code page under which the format's own Cyrillic keys read correctly wins, so `Кодировка=DOS`
 * over Windows-1251 bytes (or the reverse) still decodes right.
 */
import iconv from 'iconv-lite';
import type { StatementEncoding } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Keys every statement carries near its top; enough of them read right only under the true code page. */
const MARKERS = ['Кодировка', 'ВерсияФормата', 'Отправитель', 'Получатель', 'ДатаСоздания', 'РасчСчет', 'СекцияДокумент', 'КонецФайла'];
const HEAD_BYTES = 8192;

function markerScore(text: string): number {
  let score = 0;
  for (const m of MARKERS) if (text.includes(m)) score += 1;
  return score;
}

export function decodeStatement(bytes: Uint8Array): { text: string; encoding: StatementEncoding } {
  try {
    // The decoder drops a UTF-8 BOM itself (ignoreBOM: false).
    return { text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    // not UTF-8: one of the two single-byte code pages of the format
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = buffer.subarray(0, HEAD_BYTES);
  const cp866Score = markerScore(iconv.decode(head, 'cp866'));
  const cp1251Score = markerScore(iconv.decode(head, 'win1251'));
  if (cp866Score > cp1251Score) return { text: iconv.decode(buffer, 'cp866'), encoding: 'cp866' };
  return { text: iconv.decode(buffer, 'win1251'), encoding: 'windows-1251' };
}

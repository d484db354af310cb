/**
 * Parser of 1CClientBankExchange files (versions 1.02 and 1.03): `Key=Value` lines, a header, balance sections
 * `СекцияРасчСчет…КонецРасчСчет`, document sections `СекцияДокумент=<kind>…КонецДокумента`, `КонецФайла`.
 * Tolerant where real files differ (CRLF or LF, blank lines, no final newline, unknown keys, `=` inside values,
 * letters in `Номер`, a bare `СекцияДокумент` without a kind); strict where a mistake would lose or invent money:
 * a broken section, an unreadable amount or date, a missing `КонецФайла` (a cut-off download) is refused with
 * the line that is wrong, because importing half a statement silently is worse than importing none.
 */
import { AppError } from '../../errors.js';
import { decodeStatement } from './encoding.js';
import { normalizeAccount, normalizeInn, parseAmount, parseDate, type Parsed } from './values.js';
import type {
  Statement,
  StatementAccountSection,
  StatementHeader,
  StatementParty,
  StatementTransaction,
} from './types.js';

const FIRST_LINE = '1CClientBankExchange';

/** The file is not a statement we can read; `details.line` is the 1-based line at fault. */
function refuse(line: number, problem: string): AppError {
  return new AppError('STATEMENT_INVALID', `Выписка не принята: строка ${line}: ${problem}`, { details: { line } });
}

function take<T>(parsed: Parsed<T>, line: number, key: string): T | null {
  if (!parsed.ok) throw refuse(line, `${key}: ${parsed.problem}`);
  return parsed.value;
}

type Fields = Record<string, string>;

interface OpenDocument {
  line: number;
  kind: string;
  fields: Fields;
  amount: number | null;
  date: string | null;
  creditedOn: string | null;
  debitedOn: string | null;
}

interface OpenAccountSection extends StatementAccountSection {}

/** Parses the bytes of a statement file (any of the three encodings) or an already decoded text. */
export function parseStatement(input: Uint8Array | string): Statement {
  const { text, encoding } = typeof input === 'string' ? { text: input.replace(/^\uFEFF/, ''), encoding: 'utf-8' as const } : decodeStatement(input);
  const lines = text.split(/\r\n|\n|\r/);
  if ((lines[0] ?? '').trim() !== FIRST_LINE) {
    const seen = (lines[0] ?? '').trim().slice(0, 40);
    throw refuse(1, `это не файл обмена 1С с банком: первая строка должна быть «${FIRST_LINE}», а в файле ${seen ? `«${seen}»` : 'пустая строка'}`);
  }

  const header: StatementHeader = {
    version: '',
    declaredEncoding: '',
    sender: '',
    receiver: '',
    createdOn: null,
    createdAt: '',
    dateFrom: null,
    dateTo: null,
    accounts: [],
    documentKinds: [],
  };
  const accountSections: StatementAccountSection[] = [];
  const transactions: StatementTransaction[] = [];
  let doc: OpenDocument | null = null;
  let account: OpenAccountSection | null = null;
  let ended = 0;

  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    const eq = raw.indexOf('=');
    const key = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    if (ended) {
      if (raw.trim() === '') continue;
      throw refuse(lineNo, `после КонецФайла (строка ${ended}) в файле ещё есть данные — возможно, склеены две выписки`);
    }
    if (key === '' && eq < 0) continue; // blank line between sections
    const value = eq < 0 ? '' : raw.slice(eq + 1).trim();

    if (key === 'СекцияДокумент') {
      if (doc) throw refuse(lineNo, `новый документ начинается, а документ со строки ${doc.line} не закрыт строкой КонецДокумента`);
      if (account) throw refuse(lineNo, `документ начинается внутри секции счёта со строки ${account.line} (нет КонецРасчСчет)`);
      doc = { line: lineNo, kind: value, fields: Object.create(null) as Fields, amount: null, date: null, creditedOn: null, debitedOn: null };
      continue;
    }
    if (eq < 0) {
      switch (key) {
        case 'КонецДокумента':
          if (!doc) throw refuse(lineNo, 'КонецДокумента без начала документа (СекцияДокумент=…)');
          transactions.push(finishDocument(doc, lineNo));
          doc = null;
          continue;
        case 'СекцияРасчСчет':
          if (doc) throw refuse(lineNo, `секция счёта начинается внутри документа со строки ${doc.line} (нет КонецДокумента)`);
          if (account) throw refuse(lineNo, `новая секция счёта начинается, а секция со строки ${account.line} не закрыта строкой КонецРасчСчет`);
          account = { line: lineNo, account: '', dateFrom: null, dateTo: null, openingKopecks: null, totalInKopecks: null, totalOutKopecks: null, closingKopecks: null };
          continue;
        case 'КонецРасчСчет':
          if (!account) throw refuse(lineNo, 'КонецРасчСчет без начала секции счёта (СекцияРасчСчет)');
          accountSections.push(account);
          account = null;
          continue;
        case 'КонецФайла':
          if (doc) throw refuse(lineNo, `файл кончается, а документ со строки ${doc.line} не закрыт строкой КонецДокумента`);
          if (account) throw refuse(lineNo, `файл кончается, а секция счёта со строки ${account.line} не закрыта строкой КонецРасчСчет`);
          ended = lineNo;
          continue;
        default:
          throw refuse(lineNo, `«${raw.trim().slice(0, 60)}» — не пара Ключ=Значение и не граница секции`);
      }
    }

    if (doc) readDocumentKey(doc, key, value, lineNo);
    else if (account) readAccountKey(account, key, value, lineNo);
    else readHeaderKey(header, key, value, lineNo);
  }

  const last = lines.length;
  if (doc) throw refuse(doc.line, `документ не закрыт строкой КонецДокумента до конца файла (строка ${last}) — файл оборван?`);
  if (account) throw refuse(account.line, `секция счёта не закрыта строкой КонецРасчСчет до конца файла (строка ${last}) — файл оборван?`);
  if (!ended) throw refuse(last, 'в файле нет строки КонецФайла — файл оборван при скачивании или сохранении?');
  return { encoding, header, accountSections, transactions };
}

function readHeaderKey(h: StatementHeader, key: string, value: string, line: number): void {
  switch (key) {
    case 'ВерсияФормата':
      // 1.02 and 1.03 differ only in optional keys; a 2.xx file is another format.
      if (!/^1\.\d{1,2}$/.test(value)) throw refuse(line, `версия формата «${value}» не поддерживается (поддерживаются 1.02 и 1.03)`);
      h.version = value;
      return;
    case 'Кодировка':
      h.declaredEncoding = value;
      return;
    case 'Отправитель':
      h.sender = value;
      return;
    case 'Получатель':
      h.receiver = value;
      return;
    case 'ДатаСоздания':
      h.createdOn = take(parseDate(value), line, key);
      return;
    case 'ВремяСоздания':
      h.createdAt = value;
      return;
    case 'ДатаНачала':
      h.dateFrom = take(parseDate(value), line, key);
      return;
    case 'ДатаКонца':
      h.dateTo = take(parseDate(value), line, key);
      return;
    case 'РасчСчет':
      if (value) h.accounts.push(normalizeAccount(value));
      return;
    case 'Документ':
      if (value) h.documentKinds.push(value);
      return;
    default:
      return; // keys a future version adds do not stop an import
  }
}

function readAccountKey(s: OpenAccountSection, key: string, value: string, line: number): void {
  switch (key) {
    case 'РасчСчет':
      s.account = normalizeAccount(value);
      return;
    case 'ДатаНачала':
      s.dateFrom = take(parseDate(value), line, key);
      return;
    case 'ДатаКонца':
      s.dateTo = take(parseDate(value), line, key);
      return;
    // Balances may be negative (an overdraft); turnovers may not.
    case 'НачальныйОстаток':
      s.openingKopecks = take(parseAmount(value, true), line, key);
      return;
    case 'КонечныйОстаток':
      s.closingKopecks = take(parseAmount(value, true), line, key);
      return;
    case 'ВсегоПоступило':
      s.totalInKopecks = take(parseAmount(value), line, key);
      return;
    case 'ВсегоСписано':
      s.totalOutKopecks = take(parseAmount(value), line, key);
      return;
    default:
      return;
  }
}

function readDocumentKey(d: OpenDocument, key: string, value: string, line: number): void {
  switch (key) {
    case 'Сумма':
      d.amount = take(parseAmount(value), line, key);
      break;
    case 'Дата':
      d.date = take(parseDate(value), line, key);
      break;
    case 'ДатаПоступило':
      d.creditedOn = take(parseDate(value), line, key);
      break;
    case 'ДатаСписано':
      d.debitedOn = take(parseDate(value), line, key);
      break;
    default:
      break;
  }
  d.fields[key] = value;
}

function finishDocument(d: OpenDocument, endLine: number): StatementTransaction {
  const f = d.fields;
  if (d.amount === null) throw refuse(d.line, `в документе (строки ${d.line}–${endLine}) нет суммы (Сумма=…)`);
  const date = d.date ?? d.creditedOn ?? d.debitedOn;
  if (date === null) throw refuse(d.line, `в документе (строки ${d.line}–${endLine}) нет даты (Дата=…)`);
  return {
    line: d.line,
    kind: d.kind,
    number: (f['Номер'] ?? '').trim(),
    date,
    amountKopecks: d.amount,
    creditedOn: d.creditedOn,
    debitedOn: d.debitedOn,
    payer: party(f, 'Плательщик'),
    payee: party(f, 'Получатель'),
    purpose: purposeOf(f),
    operationCode: f['ВидОплаты'] ?? '',
  };
}

// «ИНН 7707049388 ПАО "Ростелеком"» or «7707049388, ООО …» — the combined field some banks fill instead of the parts.
const NAME_WITH_INN_RE = /^(?:ИНН\s*)?(\d{10}|\d{12})(?:[\s,;]+|$)/i;

function party(f: Fields, p: 'Плательщик' | 'Получатель'): StatementParty {
  const combined = f[p] ?? '';
  const fromCombined = NAME_WITH_INN_RE.exec(combined);
  const name = f[`${p}1`] || (fromCombined ? combined.slice(fromCombined[0].length) : combined);
  return {
    name: name.trim(),
    inn: normalizeInn(f[`${p}ИНН`] || fromCombined?.[1] || ''),
    kpp: normalizeInn(f[`${p}КПП`] ?? ''),
    account: normalizeAccount(f[`${p}Счет`] || f[`${p}РасчСчет`] || ''),
    bank: {
      name: f[`${p}Банк1`] ?? '',
      city: f[`${p}Банк2`] ?? '',
      bic: (f[`${p}БИК`] ?? '').replace(/\s/g, ''),
      corrAccount: normalizeAccount(f[`${p}Корсчет`] ?? ''),
    },
  };
}

/**
 * `НазначениеПлатежа` is the whole text; `НазначениеПлатежа1..N` are the same text cut into lines by older
 * writers. They are appended only when they say something the main field does not (or it is empty).
 */
function purposeOf(f: Fields): string {
  const main = (f['НазначениеПлатежа'] ?? '').trim();
  const parts: string[] = [];
  for (let n = 1; ; n++) {
    const part = f[`НазначениеПлатежа${n}`];
    if (part === undefined) break;
    if (part.trim()) parts.push(part.trim());
  }
  if (parts.length === 0) return main;
  const joined = parts.join(' ');
  if (!main) return joined;
  const squash = (s: string) => s.replace(/\s+/g, '');
  return squash(main).includes(squash(parts.join(''))) ? main : `${main} ${joined}`;
}

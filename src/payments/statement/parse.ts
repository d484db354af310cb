/**
 * Parser of 1CClientBankExchange files (versions 1.02 and 1.03): `Key=Value` lines, a header, balance sections
 * `СекцияРасчСчет…КонецРасчСчет`, document sections `СекцияДокумент=<kind>…КонецДокумента`, `КонецФайла`.
 * Tolerant where real files differ (CRLF or LF, blank lines, no final newline, unknown keys, `=` inside values,
 * letters in `Номер`, a bare `СекцияДокумент` without a kind); strict where a mistake would lose or invent money:
 * a broken section, an unreadable amount or date, a missing `КонецФайла` (a cut-off download) is refused with
 * the line that is wrong, because importing half a statement silently is worse than importing none.
 *
 * Built for statements of 100 000 documents (millions of lines): one pass over the text without splitting it,
 * document keys looked up in their spelling in the file (see encoding.ts), kept values decoded once.
 */
import { AppError } from '../../errors.js';
import { readStatementText, type StatementText } from './encoding.js';
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

/** trim() that does not copy the (usual) value without surrounding spaces. */
function trim(s: string): string {
  return s.length > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32) ? s.trim() : s;
}

function take<T>(parsed: Parsed<T>, line: number, key: string): T | null {
  if (!parsed.ok) throw refuse(line, `${key}: ${parsed.problem}`);
  return parsed.value;
}

/**
 * The document keys a transaction is built from, each with a slot in a flat array: a dictionary object per
 * document would be most of the parsing time. Keys not listed (budget fields, acceptance terms, …) are skipped.
 */
const PARTY_KEYS = ['', '1', 'ИНН', 'КПП', 'Счет', 'РасчСчет', 'Банк1', 'Банк2', 'БИК', 'Корсчет'] as const;
const DOCUMENT_KEYS = ['Номер', 'ВидОплаты', 'НазначениеПлатежа', ...PARTY_KEYS.map((k) => `Плательщик${k}`), ...PARTY_KEYS.map((k) => `Получатель${k}`)];
const SLOT_OF = new Map(DOCUMENT_KEYS.map((k, i) => [k, i]));
const slot = (key: string) => SLOT_OF.get(key) ?? -1;
const PURPOSE_PART_RE = /^НазначениеПлатежа(\d{1,2})$/;

/** What a document line's key does, when it is not a slot (slot numbers are 0 and up). */
const SUM = -1;
const DATE = -2;
const CREDITED = -3;
const DEBITED = -4;
const IGNORED = -5;
/** Format keys nothing is read from: the fast path skips them without slicing the key (see keyAction). */
const IGNORED_KEYS = ['Очередность', 'ВидПлатежа', 'Код', 'КодНазПлатежа', 'СтатусСоставителя', 'ПоказательКБК', 'ОКАТО', 'ПоказательОснования', 'ПоказательПериода', 'ПоказательНомера', 'ПоказательДаты', 'ПоказательТипа', 'СрокПлатежа'];

/**
 * A key's bucket from its length and three of its characters, all read in place: most lines of a statement are
 * document keys, and slicing each key out and hashing it into a Map was a sizeable part of the parse.
 */
function keyCode(text: string, start: number, end: number): number {
  const len = end - start;
  return ((len << 21) ^ (text.charCodeAt(start + 1) << 12) ^ (text.charCodeAt(end - 1) << 4) ^ text.charCodeAt(start + (len >> 1))) & 0x3fffffff;
}

/** Keys and markers as they are spelled in a file of one encoding. */
interface Spelling {
  slots: Map<string, number>;
  /** keyCode → the keys in that bucket (as spelled) and what each does. */
  actions: Map<number, Array<{ key: string; action: number }>>;
  sum: string;
  date: string;
  credited: string;
  debited: string;
  purposePrefix: string;
  documentStart: string;
  documentEnd: string;
  accountStart: string;
  accountEnd: string;
  fileEnd: string;
}

const spellings = new Map<string, Spelling>();

function spellingOf(src: StatementText): Spelling {
  const cached = spellings.get(src.encoding);
  if (cached) return cached;
  const s = src.spell;
  const actions = new Map<number, Array<{ key: string; action: number }>>();
  const known: Array<[string, number]> = [
    ...DOCUMENT_KEYS.map((k, i): [string, number] => [k, i]),
    ['Сумма', SUM],
    ['Дата', DATE],
    ['ДатаПоступило', CREDITED],
    ['ДатаСписано', DEBITED],
    ...IGNORED_KEYS.map((k): [string, number] => [k, IGNORED]),
  ];
  for (const [k, action] of known) {
    const key = s(k);
    const code = keyCode(key, 0, key.length);
    const bucket = actions.get(code);
    if (bucket) bucket.push({ key, action });
    else actions.set(code, [{ key, action }]);
  }
  const spelling: Spelling = {
    slots: new Map(DOCUMENT_KEYS.map((k, i) => [s(k), i])),
    actions,
    sum: s('Сумма'),
    date: s('Дата'),
    credited: s('ДатаПоступило'),
    debited: s('ДатаСписано'),
    purposePrefix: s('НазначениеПлатежа'),
    documentStart: s('СекцияДокумент'),
    documentEnd: s('КонецДокумента'),
    accountStart: s('СекцияРасчСчет'),
    accountEnd: s('КонецРасчСчет'),
    fileEnd: s('КонецФайла'),
  };
  spellings.set(src.encoding, spelling);
  return spelling;
}

interface OpenDocument {
  line: number;
  kind: string;
  /** Raw (file-spelled) values by slot. */
  values: string[];
  /** НазначениеПлатежа1..N by N, decoded. */
  purposeParts: string[] | null;
  amount: number | null;
  date: string | null;
  creditedOn: string | null;
  debitedOn: string | null;
}

/** Parses the bytes of a statement file (any of the three encodings) or an already decoded text. */
export function parseStatement(input: Uint8Array | string): Statement {
  const src: StatementText =
    typeof input === 'string'
      ? { text: input.replace(/^\uFEFF/, ''), encoding: 'utf-8', decode: (s) => s, spell: (s) => s }
      : readStatementText(input);
  const sp = spellingOf(src);
  const decode = src.decode;
  const intern = interner(decode);
  // Line ends: CRLF or LF; a file of bare CRs (old Mac editors) is turned into LF once.
  const text = src.text.includes('\n') ? src.text : src.text.replace(/\r/g, '\n');
  const firstEnd = text.indexOf('\n');
  const firstLine = (firstEnd < 0 ? text : text.slice(0, firstEnd)).trim();
  if (firstLine !== FIRST_LINE) {
    const seen = decode(firstLine.slice(0, 40));
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
  let account: StatementAccountSection | null = null;
  let ended = 0;

  let lineNo = 1;
  let pos = firstEnd < 0 ? text.length + 1 : firstEnd + 1;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const start = pos;
    pos = end + 1;
    lineNo += 1;
    let eq = text.indexOf('=', start);
    if (eq >= lineEnd) eq = -1;
    if (doc && eq > start + 1 && !ended) {
      const action = keyAction(sp, text, start, eq);
      if (action !== undefined) {
        if (action !== IGNORED) applyDocumentValue(doc, action, decode, trim(text.slice(eq + 1, lineEnd)), lineNo);
        continue;
      }
    }
    const key = trim(text.slice(start, eq < 0 ? lineEnd : eq));
    if (ended) {
      if (text.slice(start, lineEnd).trim() === '') continue;
      throw refuse(lineNo, `после КонецФайла (строка ${ended}) в файле ещё есть данные — возможно, склеены две выписки`);
    }
    if (key === '' && eq < 0) continue; // blank line between sections

    if (doc && eq >= 0 && key !== sp.documentStart) {
      readDocumentKey(doc, sp, decode, key, trim(text.slice(eq + 1, lineEnd)), lineNo);
      continue;
    }
    if (key === sp.documentStart) {
      if (doc) throw refuse(lineNo, `новый документ начинается, а документ со строки ${doc.line} не закрыт строкой КонецДокумента`);
      if (account) throw refuse(lineNo, `документ начинается внутри секции счёта со строки ${account.line} (нет КонецРасчСчет)`);
      const kind = eq < 0 ? '' : intern(trim(text.slice(eq + 1, lineEnd)));
      doc = { line: lineNo, kind, values: new Array<string>(DOCUMENT_KEYS.length).fill(''), purposeParts: null, amount: null, date: null, creditedOn: null, debitedOn: null };
      continue;
    }
    if (eq < 0) {
      if (key === sp.documentEnd) {
        if (!doc) throw refuse(lineNo, 'КонецДокумента без начала документа (СекцияДокумент=…)');
        transactions.push(finishDocument(doc, decode, intern, lineNo));
        doc = null;
      } else if (key === sp.accountStart) {
        if (doc) throw refuse(lineNo, `секция счёта начинается внутри документа со строки ${doc.line} (нет КонецДокумента)`);
        if (account) throw refuse(lineNo, `новая секция счёта начинается, а секция со строки ${account.line} не закрыта строкой КонецРасчСчет`);
        account = { line: lineNo, account: '', dateFrom: null, dateTo: null, openingKopecks: null, totalInKopecks: null, totalOutKopecks: null, closingKopecks: null };
      } else if (key === sp.accountEnd) {
        if (!account) throw refuse(lineNo, 'КонецРасчСчет без начала секции счёта (СекцияРасчСчет)');
        accountSections.push(account);
        account = null;
      } else if (key === sp.fileEnd) {
        if (doc) throw refuse(lineNo, `файл кончается, а документ со строки ${doc.line} не закрыт строкой КонецДокумента`);
        if (account) throw refuse(lineNo, `файл кончается, а секция счёта со строки ${account.line} не закрыта строкой КонецРасчСчет`);
        ended = lineNo;
      } else {
        throw refuse(lineNo, `«${decode(text.slice(start, lineEnd).trim().slice(0, 60))}» — не пара Ключ=Значение и не граница секции`);
      }
      continue;
    }
    const value = decode(trim(text.slice(eq + 1, lineEnd)));
    if (account) readAccountKey(account, decode(key), value, lineNo);
    else readHeaderKey(header, decode(key), value, lineNo);
  }

  if (doc) throw refuse(doc.line, `документ не закрыт строкой КонецДокумента до конца файла (строка ${lineNo}) — файл оборван?`);
  if (account) throw refuse(account.line, `секция счёта не закрыта строкой КонецРасчСчет до конца файла (строка ${lineNo}) — файл оборван?`);
  if (!ended) throw refuse(lineNo, 'в файле нет строки КонецФайла — файл оборван при скачивании или сохранении?');
  return { encoding: src.encoding, header, accountSections, transactions };
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

function readAccountKey(s: StatementAccountSection, key: string, value: string, line: number): void {
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

/** The action of the key text[start, end) when it is one of the known document keys written exactly, else undefined. */
function keyAction(sp: Spelling, text: string, start: number, end: number): number | undefined {
  const bucket = sp.actions.get(keyCode(text, start, end));
  if (!bucket) return undefined;
  for (const { key, action } of bucket) if (key.length === end - start && text.startsWith(key, start)) return action;
  return undefined;
}

function applyDocumentValue(d: OpenDocument, action: number, decode: (s: string) => string, value: string, line: number): void {
  if (action >= 0) d.values[action] = value;
  else if (action === SUM) d.amount = take(parseAmount(decode(value)), line, 'Сумма');
  else if (action === DATE) d.date = take(parseDate(decode(value)), line, 'Дата');
  else if (action === CREDITED) d.creditedOn = take(parseDate(decode(value)), line, 'ДатаПоступило');
  else if (action === DEBITED) d.debitedOn = take(parseDate(decode(value)), line, 'ДатаСписано');
}

function readDocumentKey(d: OpenDocument, sp: Spelling, decode: (s: string) => string, key: string, value: string, line: number): void {
  const at = sp.slots.get(key);
  if (at !== undefined) {
    d.values[at] = value;
  } else if (key === sp.sum) {
    applyDocumentValue(d, SUM, decode, value, line);
  } else if (key === sp.date) {
    applyDocumentValue(d, DATE, decode, value, line);
  } else if (key === sp.credited) {
    applyDocumentValue(d, CREDITED, decode, value, line);
  } else if (key === sp.debited) {
    applyDocumentValue(d, DEBITED, decode, value, line);
  } else if (key.startsWith(sp.purposePrefix)) {
    const part = PURPOSE_PART_RE.exec(decode(key));
    if (part) (d.purposeParts ??= [])[Number(part[1])] = decode(value);
  }
}

/**
 * Decodes values that repeat from document to document (banks, cities, BICs, the landlord's own details, a
 * tenant's requisites) once and shares the string, so 100 000 documents do not keep 100 000 copies alive.
 */
function interner(decode: (s: string) => string): (raw: string) => string {
  const seen = new Map<string, string>();
  return (raw) => {
    if (raw === '') return '';
    let v = seen.get(raw);
    if (v === undefined) {
      v = decode(raw);
      if (seen.size < 50_000) seen.set(raw, v);
    }
    return v;
  };
}

function finishDocument(d: OpenDocument, decode: (s: string) => string, intern: (s: string) => string, endLine: number): StatementTransaction {
  if (d.amount === null) throw refuse(d.line, `в документе (строки ${d.line}–${endLine}) нет суммы (Сумма=…)`);
  const date = d.date ?? d.creditedOn ?? d.debitedOn;
  if (date === null) throw refuse(d.line, `в документе (строки ${d.line}–${endLine}) нет даты (Дата=…)`);
  const v = (at: number) => intern(d.values[at] ?? '');
  // Digits (INN, accounts, BIC, codes) are the same string either way; interning them only cost a Map look-up each.
  const digits = (at: number) => decode(d.values[at] ?? '');
  return {
    line: d.line,
    kind: d.kind,
    number: decode(d.values[NUMBER] ?? ''),
    date,
    amountKopecks: d.amount,
    creditedOn: d.creditedOn,
    debitedOn: d.debitedOn,
    payer: party(v, digits, PAYER),
    payee: party(v, digits, PAYEE),
    purpose: purposeOf(decode(d.values[PURPOSE] ?? ''), d.purposeParts),
    operationCode: digits(OPERATION_CODE),
  };
}

const NUMBER = slot('Номер');
const OPERATION_CODE = slot('ВидОплаты');
const PURPOSE = slot('НазначениеПлатежа');

function partySlots(p: string) {
  return {
    combined: slot(p),
    name: slot(`${p}1`),
    inn: slot(`${p}ИНН`),
    kpp: slot(`${p}КПП`),
    account: slot(`${p}Счет`),
    settlementAccount: slot(`${p}РасчСчет`),
    bankName: slot(`${p}Банк1`),
    bankCity: slot(`${p}Банк2`),
    bic: slot(`${p}БИК`),
    corrAccount: slot(`${p}Корсчет`),
  };
}
const PAYER = partySlots('Плательщик');
const PAYEE = partySlots('Получатель');

// «ИНН 7707049388 ПАО "Ростелеком"» or «7707049388, ООО …» — the combined field some banks fill instead of the parts.
const NAME_WITH_INN_RE = /^(?:ИНН\s*)?(\d{10}|\d{12})(?:[\s,;]+|$)/i;

function party(v: (at: number) => string, digits: (at: number) => string, k: ReturnType<typeof partySlots>): StatementParty {
  const name = v(k.name);
  // The combined «ИНН 7707049388 ПАО …» field is read only when a part it stands in for is missing.
  const inn = digits(k.inn);
  const combined = name && inn ? '' : v(k.combined);
  const fromCombined = combined ? NAME_WITH_INN_RE.exec(combined) : null;
  return {
    name: trim(name || (fromCombined ? combined.slice(fromCombined[0].length) : combined)),
    inn: normalizeInn(inn || fromCombined?.[1] || ''),
    kpp: normalizeInn(digits(k.kpp)),
    account: normalizeAccount(digits(k.account) || digits(k.settlementAccount)),
    bank: { name: v(k.bankName), city: v(k.bankCity), bic: normalizeAccount(digits(k.bic)), corrAccount: normalizeAccount(digits(k.corrAccount)) },
  };
}

/**
 * `НазначениеПлатежа` is the whole text; `НазначениеПлатежа1..N` are the same text cut into lines by older
 * writers. They are appended only when they say something the main field does not (or it is empty).
 */
function purposeOf(main: string, partsByNumber: string[] | null): string {
  const parts = (partsByNumber ?? []).filter((part) => part !== undefined && part !== '');
  if (parts.length === 0) return main;
  const joined = parts.join(' ');
  if (!main) return joined;
  const squash = (s: string) => s.replace(/\s+/g, '');
  return squash(main).includes(squash(parts.join(''))) ? main : `${main} ${joined}`;
}

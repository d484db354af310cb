/**
 * Writes a 1CClientBankExchange statement (bank → 1C, version 1.03) from transactions: for the demo, which
 * imports a statement paying its invoice, for tests and the benchmark. What parseStatement reads back from
 * the bytes is what was written.
 */
import iconv from 'iconv-lite';
import { kopecksToDecimal } from '../../documents/money.js';
import type { StatementEncoding, StatementParty } from './types.js';

export interface StatementDocumentInput {
  kind?: string;
  number: string;
  /** ISO dates. */
  date: string;
  amountKopecks: number;
  creditedOn?: string | null;
  debitedOn?: string | null;
  payer: Partial<StatementParty>;
  payee: Partial<StatementParty>;
  purpose: string;
  operationCode?: string;
}

export interface StatementFileInput {
  account: string;
  dateFrom: string;
  dateTo: string;
  createdOn?: string;
  sender?: string;
  openingKopecks?: number;
  documents: StatementDocumentInput[];
  /** What the header claims; the bytes are decided by encodeStatement. Default «Windows». */
  declaredEncoding?: string;
}

const ru = (iso: string) => iso.split('-').reverse().join('.');

function partyLines(prefix: 'Плательщик' | 'Получатель', p: Partial<StatementParty>, dateKey: string, date: string | null | undefined): string[] {
  return [
    `${prefix}Счет=${p.account ?? ''}`,
    ...(date ? [`${dateKey}=${ru(date)}`] : []),
    `${prefix}=${p.inn ? `ИНН ${p.inn} ` : ''}${p.name ?? ''}`,
    `${prefix}ИНН=${p.inn ?? ''}`,
    `${prefix}1=${p.name ?? ''}`,
    `${prefix}РасчСчет=${p.account ?? ''}`,
    `${prefix}Банк1=${p.bank?.name ?? ''}`,
    `${prefix}Банк2=${p.bank?.city ?? ''}`,
    `${prefix}БИК=${p.bank?.bic ?? ''}`,
    `${prefix}Корсчет=${p.bank?.corrAccount ?? ''}`,
    `${prefix}КПП=${p.kpp ?? ''}`,
  ];
}

/** The statement as text with CRLF line ends (as banks write it). */
export function writeStatement(input: StatementFileInput): string {
  let totalIn = 0;
  let totalOut = 0;
  for (const d of input.documents) {
    if (d.creditedOn) totalIn += d.amountKopecks;
    else if (d.debitedOn) totalOut += d.amountKopecks;
  }
  const opening = input.openingKopecks ?? 0;
  const lines = [
    '1CClientBankExchange',
    'ВерсияФормата=1.03',
    `Кодировка=${input.declaredEncoding ?? 'Windows'}`,
    `Отправитель=${input.sender ?? 'Банк'}`,
    'Получатель=1С:Предприятие',
    `ДатаСоздания=${ru(input.createdOn ?? input.dateTo)}`,
    'ВремяСоздания=10:00:00',
    `ДатаНачала=${ru(input.dateFrom)}`,
    `ДатаКонца=${ru(input.dateTo)}`,
    `РасчСчет=${input.account}`,
    'СекцияРасчСчет',
    `ДатаНачала=${ru(input.dateFrom)}`,
    `ДатаКонца=${ru(input.dateTo)}`,
    `РасчСчет=${input.account}`,
    `НачальныйОстаток=${kopecksToDecimal(opening)}`,
    `ВсегоПоступило=${kopecksToDecimal(totalIn)}`,
    `ВсегоСписано=${kopecksToDecimal(totalOut)}`,
    `КонечныйОстаток=${kopecksToDecimal(opening + totalIn - totalOut)}`,
    'КонецРасчСчет',
  ];
  for (const d of input.documents) {
    lines.push(
      `СекцияДокумент=${d.kind ?? 'Платежное поручение'}`,
      `Номер=${d.number}`,
      `Дата=${ru(d.date)}`,
      `Сумма=${kopecksToDecimal(d.amountKopecks)}`,
      ...partyLines('Плательщик', d.payer, 'ДатаСписано', d.debitedOn),
      ...partyLines('Получатель', d.payee, 'ДатаПоступило', d.creditedOn),
      `ВидОплаты=${d.operationCode ?? '01'}`,
      'Очередность=5',
      `НазначениеПлатежа=${d.purpose}`,
      'КонецДокумента',
    );
  }
  lines.push('КонецФайла');
  return `${lines.join('\r\n')}\r\n`;
}

export function encodeStatement(text: string, encoding: StatementEncoding): Uint8Array {
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  return new Uint8Array(iconv.encode(text, encoding === 'cp866' ? 'cp866' : 'win1251'));
}

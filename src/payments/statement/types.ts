/**
 * A 1CClientBankExchange file after parsing: the header, one balance block per account and one transaction per
 * `СекцияДокумент`. Money is integer kopecks, dates are ISO `YYYY-MM-DD`, absent values are '' (text) or null
 * (dates, balances), so consumers never meet `undefined` in a parsed statement.
 */

export type StatementEncoding = 'utf-8' | 'windows-1251' | 'cp866';

export interface StatementBank {
  /** ПлательщикБанк1 / ПолучательБанк1. */
  name: string;
  /** ПлательщикБанк2 / ПолучательБанк2 (usually «г. МОСКВА»). */
  city: string;
  bic: string;
  corrAccount: string;
}

export interface StatementParty {
  name: string;
  inn: string;
  kpp: string;
  /** ПлательщикСчет, else ПлательщикРасчСчет (digits as written). */
  account: string;
  bank: StatementBank;
}

export interface StatementTransaction {
  /** Line of `СекцияДокумент=…` (1-based), for messages that send the accountant back to the file. */
  line: number;
  /** `Платежное поручение`, `Банковский ордер`, …; '' when the writer left the kind out. */
  kind: string;
  /** A string: banks write `БА8170433`, and `Номер` alone repeats across payers and years. */
  number: string;
  /** `Дата` of the document (the payer's date), else the first of ДатаПоступило / ДатаСписано. */
  date: string;
  amountKopecks: number;
  /** ДатаПоступило: credited to the payee's account (the payment date that counts for an incoming payment). */
  creditedOn: string | null;
  /** ДатаСписано: debited from the payer's account. */
  debitedOn: string | null;
  payer: StatementParty;
  payee: StatementParty;
  /** НазначениеПлатежа, completed by НазначениеПлатежа1..N when those carry more. */
  purpose: string;
  /** ВидОплаты: «01» payment order, «17» bank order, … ('' when absent). */
  operationCode: string;
}

export interface StatementAccountSection {
  line: number;
  account: string;
  dateFrom: string | null;
  dateTo: string | null;
  openingKopecks: number | null;
  totalInKopecks: number | null;
  totalOutKopecks: number | null;
  closingKopecks: number | null;
}

export interface StatementHeader {
  /** ВерсияФормата, e.g. «1.03». */
  version: string;
  /** What `Кодировка` claims; the bytes decide (see `encoding` of the statement). */
  declaredEncoding: string;
  sender: string;
  receiver: string;
  createdOn: string | null;
  createdAt: string;
  dateFrom: string | null;
  dateTo: string | null;
  /** РасчСчет lines of the header (the accounts the file is about). */
  accounts: string[];
  /** Документ lines of the header (the document kinds the file carries). */
  documentKinds: string[];
}

export interface Statement {
  encoding: StatementEncoding;
  header: StatementHeader;
  accountSections: StatementAccountSection[];
  transactions: StatementTransaction[];
}

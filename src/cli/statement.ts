/**
 * `qrbill statement <subcommand>`: bank statements in the 1CClientBankExchange format.
 *   parse FILE [--json]   the normalised transactions of a statement file (no database needed)
 * Subcommands are a table, so one that imports into a portal is one more entry.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { kopecksToDecimal, formatMoney } from '../documents/money.js';
import { errorMessage } from '../errors.js';
import { incomingPaymentOf } from '../payments/decide.js';
import { parseStatement } from '../payments/statement/parse.js';
import type { Statement, StatementParty, StatementTransaction } from '../payments/statement/types.js';
import { EXIT_OK, EXIT_USAGE, InputError, parseCommandArgs, reportError, UsageError, type CommandIo } from './io.js';

const USAGE = `Usage: qrbill statement parse <file> [--json]
       qrbill statement import <member_id> <file> [--json]
  parse    read a 1C bank statement (1CClientBankExchange 1.02/1.03, any encoding) and print its documents;
           --json prints one JSON array with amounts as decimal strings ("25000.00")
  import   apply the statement to the portal's invoices; one decision per document (paid, partially_paid,
           overpaid, manual, duplicate, skipped); importing it again applies nothing twice`;

type Subcommand = (argv: string[], io: CommandIo) => Promise<number>;

const SUBCOMMANDS: Record<string, Subcommand> = {
  parse: parseSubcommand,
  import: (argv, io) => import('./statementImport.js').then((m) => m.importSubcommand(argv, io)),
};

export async function statementCommand(argv: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
  if (!run) {
    io.stderr(sub === undefined ? USAGE : `Unknown statement command "${sub}".\n${USAGE}`);
    return EXIT_USAGE;
  }
  return run(rest, io);
}

/** Reads the statement file as bytes: the parser, not the file system, decides the encoding. */
export async function readStatementFile(io: CommandIo, path: string): Promise<Statement> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(io.cwd, path));
  } catch (cause) {
    throw new InputError('INPUT_UNREADABLE', `Не удалось прочитать файл ${path}: ${errorMessage(cause)}`, { cause });
  }
  return parseStatement(bytes);
}

async function parseSubcommand(argv: string[], io: CommandIo): Promise<number> {
  let file: string;
  let json: boolean;
  try {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'one statement file at a time' : 'no statement file given');
    file = positionals[0] ?? '';
    json = values.json === true;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`${err.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  let statement: Statement;
  try {
    statement = await readStatementFile(io, file);
  } catch (err) {
    return reportError(io, err, `Файл ${file} не прочитан как выписка 1С:`);
  }
  if (json) io.stdout(JSON.stringify(statement.transactions.map(transactionJson), null, 2));
  else io.stdout(table(statement));
  return EXIT_OK;
}

const partyJson = (p: StatementParty) => ({
  name: p.name,
  inn: p.inn,
  kpp: p.kpp,
  account: p.account,
  bank: { name: p.bank.name, city: p.bank.city, bic: p.bank.bic, corr_account: p.bank.corrAccount },
});

/** The machine view of one document; `payment_id` is the bank-side identity used to import it once. */
export function transactionJson(t: StatementTransaction) {
  return {
    line: t.line,
    kind: t.kind,
    number: t.number,
    date: t.date,
    amount: kopecksToDecimal(t.amountKopecks),
    credited_on: t.creditedOn,
    debited_on: t.debitedOn,
    payer: partyJson(t.payer),
    payee: partyJson(t.payee),
    purpose: t.purpose,
    operation_code: t.operationCode,
    payment_id: incomingPaymentOf(t).id,
  };
}

const ru = (iso: string | null) => (iso ? iso.split('-').reverse().join('.') : '—');

function cut(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width);
}

function table(s: Statement): string {
  const h = s.header;
  const out = [
    `Выписка 1CClientBankExchange ${h.version || '(версия не указана)'}, кодировка ${s.encoding}${h.declaredEncoding ? ` (в заголовке: ${h.declaredEncoding})` : ''}`,
    `Отправитель: ${h.sender || '—'}; период ${ru(h.dateFrom)} – ${ru(h.dateTo)}; счета: ${h.accounts.join(', ') || '—'}`,
  ];
  for (const a of s.accountSections) {
    const money = (k: number | null) => (k === null ? '—' : formatMoney(k));
    out.push(`Счёт ${a.account}: остаток на начало ${money(a.openingKopecks)}, поступило ${money(a.totalInKopecks)}, списано ${money(a.totalOutKopecks)}, остаток на конец ${money(a.closingKopecks)}`);
  }
  out.push(`Документов: ${s.transactions.length}`, '');
  out.push(`${'строка'.padEnd(6)}  ${'дата'.padEnd(10)}  ${'номер'.padEnd(10)}  ${'вид'.padEnd(20)}  ${'сумма'.padStart(16)}  ${'движение'.padEnd(10)}  ${'ИНН плательщика'.padEnd(15)}  ${'плательщик'.padEnd(24)}  назначение`);
  for (const t of s.transactions) {
    const movement = t.creditedOn ? 'поступило' : t.debitedOn ? 'списано' : '—';
    out.push(
      `${String(t.line).padEnd(6)}  ${ru(t.date)}  ${cut(t.number, 10)}  ${cut(t.kind || '—', 20)}  ${formatMoney(t.amountKopecks).padStart(16)}  ${movement.padEnd(10)}  ${(t.payer.inn || '—').padEnd(15)}  ${cut(t.payer.name || '—', 24)}  ${cut(t.purpose, 60).trimEnd()}`,
    );
  }
  return out.join('\n');
}

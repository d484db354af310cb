/**
 * Shared plumbing of the document commands: the io contract, argument parsing with usage errors,
 * loading and validating a document JSON file, and printing errors for a person at a terminal.
 * Exit codes: 0 success, 1 bad input (file, JSON, document, requisites), 2 usage error.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError, ValidationError, errorMessage, type ValidationIssue } from '../errors.js';
import type { DocumentModel } from '../documents/model.js';
import type { QrEncodingChoice } from '../qr/payload.js';
import { parseDocumentModel, validateForIssue } from '../documents/schema.js';

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /**
   * Writes bytes to stdout unchanged. `stdout` takes text and writes UTF-8, which would turn a Windows-1251
   * QR payload into something other than what its header declares.
   */
  stdoutBytes?: (bytes: Uint8Array) => void;
  cwd: string;
}

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

/** Thrown for a bad command line; the command prints its usage and exits with 2. */
export class UsageError extends Error {}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

/** `--qr-encoding`: auto (default), utf8 or win1251. */
export function parseQrEncoding(value: string | undefined): QrEncodingChoice {
  const encoding = value ?? 'auto';
  if (encoding !== 'auto' && encoding !== 'utf8' && encoding !== 'win1251') {
    throw new UsageError('--qr-encoding: auto, utf8 или win1251');
  }
  return encoding;
}

function issueLines(issues: ValidationIssue[]): string[] {
  // Russian first (the users' language), English after it where the check provides it.
  return issues.map((i) => `  ${i.path}: ${i.message}${i.messageEn ? ` / ${i.messageEn}` : ''}`);
}

/** Where in the document JSON each GOST R 56042 field comes from, so a QR error names the field to fix. */
const QR_FIELD_PATHS: Record<string, string> = {
  Name: 'seller.name',
  PersonalAcc: 'seller.bank.account',
  BankName: 'seller.bank.name',
  BIC: 'seller.bank.bic',
  CorrespAcc: 'seller.bank.corrAccount',
  PayeeINN: 'seller.inn',
  KPP: 'seller.kpp',
  PayerINN: 'buyer.inn',
  Sum: 'lines',
  Purpose: 'lines[].name / purpose',
  Contract: 'contract',
  DocNo: 'number',
  DocDate: 'date',
};

/** Prints an error of a command for a person: every offending path on its own line. */
export function reportError(io: CommandIo, err: unknown, heading: string): number {
  if (err instanceof ValidationError) {
    io.stderr([heading, ...issueLines(err.issues)].join('\n'));
    return EXIT_INPUT;
  }
  const qrPath = err instanceof AppError && err.code.startsWith('QR_') ? QR_FIELD_PATHS[String(err.details?.field)] : undefined;
  if (err instanceof AppError && qrPath) {
    const hint = err.details?.fitsWin1251 ? '; либо задайте --qr-encoding win1251 (кодировка Windows-1251: кириллица в ней занимает вдвое меньше места)' : '';
    io.stderr(`${heading}\n  ${qrPath}: ${err.message}${hint}`);
    return EXIT_INPUT;
  }
  if (err instanceof AppError) {
    io.stderr(`${heading}\n  ${err.message}`);
    return EXIT_INPUT;
  }
  io.stderr(`${heading}\n  ${errorMessage(err)}`);
  return EXIT_INPUT;
}

export class InputError extends AppError {}

/** Reads, parses and validates a document file; the seller's requisites must be valid to issue it. */
export async function loadDocument(io: CommandIo, path: string): Promise<{ model: DocumentModel; warnings: ValidationIssue[] }> {
  const file = resolve(io.cwd, path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new InputError('INPUT_UNREADABLE', `Не удалось прочитать файл ${path}: ${errorMessage(cause)}`, { cause });
  }
  let text: string;
  try {
    // Strict: a file saved in Windows-1251 must be refused, not printed as «???» on an issued document.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new InputError(
      'INPUT_NOT_UTF8',
      `Файл ${path} не в кодировке UTF-8 (возможно, сохранён в Windows-1251): сохраните его в UTF-8 и повторите`,
      { cause },
    );
  }
  let json: unknown;
  try {
    // TextDecoder already drops a UTF-8 byte order mark; a second one would be a typo, and JSON.parse says so.
    json = JSON.parse(text);
  } catch (cause) {
    throw new InputError('INPUT_NOT_JSON', `Файл ${path} не является корректным JSON: ${errorMessage(cause)}`, { cause });
  }
  const model = parseDocumentModel(json);
  const warnings = validateForIssue(model);
  return { model, warnings };
}

export function printWarnings(io: CommandIo, warnings: ValidationIssue[]): void {
  if (warnings.length === 0) return;
  io.stderr(['Предупреждения по реквизитам покупателя:', ...issueLines(warnings)].join('\n'));
}

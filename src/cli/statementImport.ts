/**
 * `qrbill statement import <member_id> FILE [--json]`: applies a 1C bank statement to the portal's invoices and
 * prints one decision per document. Importing the same file again, or a statement overlapping an earlier one,
 * applies nothing twice (payments are known by their bank-side identity).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { importStatement, type ImportSummary, type PaymentDecisionView } from '../payments/apply.js';
import { errorMessage } from '../errors.js';
import { withApplyDeps } from './applyDeps.js';
import { knownPortal } from './admin.js';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, InputError, reportError, type CommandIo } from './io.js';

const USAGE = 'Usage: qrbill statement import <member_id> <file> [--json]';

const RESULT_RU: Record<PaymentDecisionView['result'], string> = {
  paid: 'оплачен',
  partially_paid: 'частично',
  overpaid: 'переплата',
  manual: 'вручную',
  duplicate: 'повтор',
  skipped: 'пропущен',
};

export async function importSubcommand(argv: string[], io: CommandIo): Promise<number> {
  const json = argv.includes('--json');
  const [memberId, file, ...extra] = argv.filter((a) => a !== '--json');
  if (!memberId || !file || extra.length) {
    io.stderr(USAGE);
    return EXIT_USAGE;
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(io.cwd, file));
  } catch (cause) {
    return reportError(io, new InputError('INPUT_UNREADABLE', `Не удалось прочитать файл ${file}: ${errorMessage(cause)}`, { cause }), 'Выписка не загружена:');
  }
  return withApplyDeps(async (deps) => {
    if (!(await knownPortal(deps.database.db, memberId, io))) return EXIT_INPUT;
    let summary: ImportSummary;
    try {
      summary = await importStatement(deps, memberId, bytes);
    } catch (err) {
      return reportError(io, err, `Файл ${file} не загружен как выписка 1С:`);
    }
    if (json) io.stdout(JSON.stringify(summary.decisions, null, 2));
    else io.stdout(decisionsTable(summary));
    return EXIT_OK;
  });
}

export function decisionsTable(s: ImportSummary): string {
  const c = s.counts;
  const out = [
    `Документов: ${s.decisions.length} — оплачено ${c.paid}, частично ${c.partially_paid}, переплата ${c.overpaid}, вручную ${c.manual}, повторы ${c.duplicate}, пропущено ${c.skipped}`,
    '',
    `${'номер'.padEnd(10)}  ${'дата'.padEnd(10)}  ${'сумма'.padStart(14)}  ${'ИНН'.padEnd(12)}  ${'итог'.padEnd(10)}  ${'счёт'.padEnd(14)}  причина`,
  ];
  for (const d of s.decisions) {
    out.push(
      `${d.number.padEnd(10).slice(0, 10)}  ${d.date}  ${d.amount.padStart(14)}  ${(d.payer_inn || '—').padEnd(12)}  ${RESULT_RU[d.result].padEnd(10)}  ${(d.invoice_number ?? '—').padEnd(14).slice(0, 14)}  ${d.reason}`,
    );
  }
  return out.join('\n');
}

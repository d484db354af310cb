/**
 * `qrbill payments <member_id> [--json] [--manual]`: payments with their state;
 * `qrbill payments <member_id> match <payment_id> <invoice_number>` and `… unmatch <payment_id>` resolve the manual queue.
 */
import { knownPortal } from './admin.js';
import { listPayments } from '../storage/payments.js';
import { kopecksToDecimal } from '../documents/money.js';
import { matchPayment, unmatch } from '../payments/manual.js';
import { withApplyDeps } from './applyDeps.js';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, reportError, type CommandIo } from './io.js';

const USAGE = `Usage: qrbill payments <member_id> [--json] [--manual]
       qrbill payments <member_id> match <payment_id> <invoice_number>
       qrbill payments <member_id> unmatch <payment_id>`;

export async function paymentsCommand(argv: string[], io: CommandIo): Promise<number> {
  const json = argv.includes('--json');
  const manualOnly = argv.includes('--manual');
  const [memberId, action, ...rest] = argv.filter((a) => a !== '--json' && a !== '--manual');
  if (!memberId || (action !== undefined && !['match', 'unmatch'].includes(action))) {
    io.stderr(USAGE);
    return EXIT_USAGE;
  }
  return withApplyDeps(async (deps) => {
    const { db } = deps.database;
    if (!(await knownPortal(db, memberId, io))) return EXIT_INPUT;
    if (action) {
      const id = Number(rest[0]);
      if (!/^\d+$/.test(rest[0] ?? '') || (action === 'match' && !rest[1])) {
        io.stderr(USAGE);
        return EXIT_USAGE;
      }
      try {
        const changes = action === 'match' ? await matchPayment(deps, memberId, id, rest.slice(1).join(' ')) : await unmatch(deps, memberId, id);
        const states = changes.map((c) => `счёт № ${c.number}: ${c.state} (${kopecksToDecimal(c.paidKopecks)} из ${kopecksToDecimal(c.totalKopecks)})`);
        io.stdout(`${action === 'match' ? 'Сопоставлено' : 'Сопоставление снято'}. ${states.join('; ') || 'Счета не изменились.'}`);
        return EXIT_OK;
      } catch (err) {
        return reportError(io, err, `Платёж ${rest[0]}:`);
      }
    }
    const payments = await listPayments(db, memberId, manualOnly ? { result: 'manual' } : {});
    if (json) {
      io.stdout(
        JSON.stringify(
          payments.map((p) => ({
            id: p.id,
            date: p.pay_date,
            number: p.number,
            amount: kopecksToDecimal(p.amount_kopecks),
            payer_inn: p.payer_inn,
            payer_name: p.payer_name,
            source: p.source,
            result: p.result,
            matched_by: p.matched_by,
            invoices: p.allocations.map((a) => ({ number: a.invoiceNumber, amount: kopecksToDecimal(a.amountKopecks) })),
            excess: kopecksToDecimal(p.excess_kopecks),
            candidates: p.candidates,
            reason: p.reason,
          })),
          null,
          2,
        ),
      );
    } else if (!payments.length) io.stdout(manualOnly ? 'No payments wait for a manual match.' : 'No payments recorded yet.');
    else {
      io.stdout(`${'id'.padEnd(5)}  ${'дата'.padEnd(10)}  ${'п/п'.padEnd(8)}  ${'сумма'.padStart(14)}  ${'ИНН'.padEnd(12)}  ${'итог'.padEnd(14)}  счета / причина`);
      for (const p of payments) {
        const target = p.allocations.map((a) => `№ ${a.invoiceNumber} (${kopecksToDecimal(a.amountKopecks)})`).join(', ');
        io.stdout(
          `${String(p.id).padEnd(5)}  ${p.pay_date}  ${p.number.padEnd(8).slice(0, 8)}  ${kopecksToDecimal(p.amount_kopecks).padStart(14)}  ${p.payer_inn.padEnd(12)}  ${p.result.padEnd(14)}  ${target || p.reason}`,
        );
      }
    }
    return EXIT_OK;
  });
}

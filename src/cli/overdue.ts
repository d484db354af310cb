/** `qrbill overdue <member_id> [--json]`: overdue invoices, what the ladder did last and does next, penalty so far. */
import { loadConfig } from '../config.js';
import { clockFor } from '../clock.js';
import { kopecksToDecimal, formatMoney } from '../documents/money.js';
import { formatDateShort } from '../documents/dates.js';
import { overdueReport } from '../dunning/report.js';
import { withDatabase, knownPortal } from './admin.js';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, type CommandIo } from './io.js';

export async function overdueCommand(argv: string[], io: CommandIo): Promise<number> {
  const json = argv.includes('--json');
  const [memberId, ...extra] = argv.filter((a) => a !== '--json');
  if (!memberId || extra.length) {
    io.stderr('Usage: qrbill overdue <member_id> [--json]');
    return EXIT_USAGE;
  }
  const now = clockFor(loadConfig()).now();
  return withDatabase(async ({ db }) => {
    const portal = await knownPortal(db, memberId, io);
    if (!portal) return EXIT_INPUT;
    const lines = await overdueReport(db, memberId, now);
    const local = (iso: string) => new Date(iso).toLocaleString('ru-RU', { timeZone: portal.time_zone, dateStyle: 'short', timeStyle: 'short' });
    if (json) {
      io.stdout(
        JSON.stringify(
          lines.map((l) => ({
            invoice_number: l.number,
            deal_id: l.dealId,
            client: l.client,
            due_date: l.dueDate,
            amount_due: kopecksToDecimal(l.amountDueKopecks),
            days_overdue: l.daysOverdue,
            last_step: l.lastStep,
            next_step: l.nextStep,
            penalty: l.penaltyKopecks === null ? null : kopecksToDecimal(l.penaltyKopecks),
          })),
          null,
          2,
        ),
      );
    } else if (!lines.length) io.stdout('No overdue invoices.');
    else {
      io.stdout(`${'счёт'.padEnd(12)}  ${'клиент'.padEnd(28)}  ${'к оплате'.padStart(14)}  ${'дней'.padStart(4)}  ${'последний шаг'.padEnd(34)}  ${'следующий шаг'.padEnd(44)}  пени`);
      for (const l of lines) {
        const last = l.lastStep ? `${l.lastStep.name}${l.lastStep.status === 'skipped' ? ' (пропущен)' : ''}` : '—';
        const next = l.nextStep ? `${l.nextStep.name}, ${local(l.nextStep.at)}` : '—';
        io.stdout(
          `${l.number.padEnd(12).slice(0, 12)}  ${l.client.padEnd(28).slice(0, 28)}  ${formatMoney(l.amountDueKopecks).padStart(14)}  ${String(l.daysOverdue).padStart(4)}  ${last.padEnd(34).slice(0, 34)}  ${next.padEnd(44).slice(0, 44)}  ${l.penaltyKopecks === null ? 'не начисляются' : formatMoney(l.penaltyKopecks)}`,
        );
      }
      io.stdout(`Срок оплаты прошёл у ${lines.length} счетов (${formatDateShort(now.toISOString().slice(0, 10))}).`);
    }
    return EXIT_OK;
  });
}

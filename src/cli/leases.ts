/**
 * `qrbill leases <member_id> [--json]`: lease schedules (contract deal, client, period, next control date, periods
 * done/total, state); `qrbill leases <member_id> preview <schedule_id> [--count 12] [--json]`: the coming control
 * dates, periods and amounts, creating nothing.
 */
import { loadConfig } from '../config.js';
import { clockFor } from '../clock.js';
import { getSchedule, listSchedules, periodsOf } from '../storage/leases.js';
import { todayIn } from '../invoicing/period.js';
import { formatDateShort } from '../documents/dates.js';
import { formatMoney, kopecksToDecimal } from '../documents/money.js';
import { controlDate, nextPeriodAfter, periodCount } from '../leases/periods.js';
import { billingPreview } from '../leases/preview.js';
import { termsOf } from '../leasing/terms.js';
import { withDatabase, knownPortal } from './admin.js';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, reportError, type CommandIo } from './io.js';

const USAGE = `Usage: qrbill leases <member_id> [--json]
       qrbill leases <member_id> preview <schedule_id> [--count 12] [--json]`;

export async function leasesCommand(argv: string[], io: CommandIo): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const countAt = args.indexOf('--count');
  const count = countAt >= 0 ? Number(args[countAt + 1]) : 12;
  if (countAt >= 0) args.splice(countAt, 2);
  const [memberId, action, id] = args;
  if (!memberId || (action !== undefined && action !== 'preview') || (action === 'preview' && !/^\d+$/.test(id ?? '')) || !Number.isInteger(count) || count < 1 || count > 120) {
    io.stderr(USAGE);
    return EXIT_USAGE;
  }
  const now = clockFor(loadConfig()).now();
  return withDatabase(async ({ db }) => {
    const portal = await knownPortal(db, memberId, io);
    if (!portal) return EXIT_INPUT;
    const today = todayIn(portal.time_zone, now);
    if (action === 'preview') {
      const schedule = await getSchedule(db, memberId, Number(id));
      if (!schedule) {
        io.stderr(`No lease schedule ${id} (see qrbill leases ${memberId})`);
        return EXIT_INPUT;
      }
      let periods;
      try {
        const terms = termsOf(schedule, portal.time_zone);
        periods = billingPreview(terms, schedule.rows.map((r) => ({ name: r.name, amountKopecks: Math.round(r.priceKopecks * r.quantity) })), { count, fromDay: today });
      } catch (err) {
        return reportError(io, err, `График ${id}:`);
      }
      if (json) io.stdout(JSON.stringify(periods.map((p) => ({ control_date: p.controlDate, from: p.from, to: p.to, partial: p.partial, text: p.text, total: kopecksToDecimal(p.totalKopecks), rows: p.rows.map((r) => ({ name: r.name, amount: kopecksToDecimal(r.amountKopecks) })) })), null, 2));
      else {
        io.stdout(`График ${schedule.id}: «${schedule.deal.title}» — ближайшие ${periods.length} периодов (ничего не создаётся)`);
        for (const p of periods) io.stdout(`  ${formatDateShort(p.controlDate)}  сделка за ${p.text.padEnd(26)} ${formatDateShort(p.from)}–${formatDateShort(p.to)}${p.partial ? ' (неполный)' : ''}  ${formatMoney(p.totalKopecks).padStart(14)} ₽`);
      }
      return EXIT_OK;
    }
    const schedules = await listSchedules(db, memberId);
    const periods = await periodsOf(db, schedules.map((s) => s.id));
    const lines = schedules.map((s) => {
      let next = null;
      let total: number | null = null;
      try {
        const terms = termsOf(s, portal.time_zone);
        total = periodCount(terms);
        const n = s.state === 'active' ? nextPeriodAfter(terms, s.scheduled_on, today) : null;
        next = n ? { control_date: controlDate(n, terms), from: n.from, to: n.to } : null;
      } catch {
        /* unreadable terms: shown without a next period */
      }
      const mine = periods.filter((p) => p.schedule_id === s.id);
      return {
        schedule_id: s.id,
        contract_deal_id: s.contract_deal_id,
        title: s.deal.title,
        period: s.properties.period || 'month',
        next,
        periods_done: mine.filter((p) => p.status === 'created').length,
        // A period still being retried keeps its last error in detail: shown as not created until its deal exists.
        periods_failed: mine.filter((p) => p.status !== 'created' && p.detail !== null).length,
        periods_total: total,
        state: s.state,
      };
    });
    if (json) io.stdout(JSON.stringify(lines, null, 2));
    else if (!lines.length) io.stdout('No lease schedules yet: put the robot «начать выставление по договору аренды» on a contract deal.');
    else {
      for (const l of lines) {
        io.stdout(
          `${String(l.schedule_id).padEnd(4)} сделка ${String(l.contract_deal_id).padEnd(6)} ${l.title.padEnd(40).slice(0, 40)}  ${l.period.padEnd(8)}  ` +
            `следующая: ${l.next ? `${formatDateShort(l.next.control_date)} (${formatDateShort(l.next.from)}–${formatDateShort(l.next.to)})` : '—'}  ` +
            `периодов ${l.periods_done}/${l.periods_total ?? '∞'}${l.periods_failed ? `, не создано ${l.periods_failed}` : ''}  ${l.state}`,
        );
      }
    }
    return EXIT_OK;
  });
}

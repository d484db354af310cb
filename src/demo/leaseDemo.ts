import { DateTime } from 'luxon';
import { importStatement } from '../payments/apply.js';
import { updatePortalSettings } from '../settings/portalSettings.js';
import { runMaintenance } from '../worker.js';
import { addDays } from '../invoicing/period.js';
import { formatDateShort } from '../documents/dates.js';
import { formatMoney } from '../documents/money.js';
import { parseLeaseTerms } from '../leases/terms.js';
import { controlDate, leasePeriods, type BillingPeriod } from '../leases/periods.js';
import { periodText } from '../leases/rowText.js';
import { listSchedules, periodsOf } from '../storage/leases.js';
import type { CrmEntityRecord } from '../sandbox/crm/state.js';
import { ACT_STAGE, leasePipeline } from './pipeline.js';
import { settle } from './settle.js';
import { automationPrinter, stageName, userName, type DemoIo } from './narrator.js';
import { dealInvoicePayment, moneyFieldKopecks, tenantStatement } from './statement.js';
import { ladderWatcher } from './ladder.js';
import { writeDocuments } from './documents.js';
import { startDemoSession, type DemoSession } from './session.js';

const ZONE = 'Europe/Moscow';
/** The period whose rent comes late (0-based): the overdue ladder runs on it. */
const LATE = 2;
/** How many days after its due date the late rent is paid. */
const DAYS_LATE = 8;

interface Event {
  at: DateTime;
  title: string;
  run: () => Promise<void>;
}

/**
 * `qrbill demo --lease`: a three-month lease bills itself on the sandbox clock. The contract deal gets
 * start_lease_billing; on each control date the service creates the period's deal, whose stage robots issue and
 * e-mail the QR-invoice and wait for the money; 1C statements pay two periods on time and one late (the overdue ladder:
 * reminders, manager, head, accountant); at each period's end the act is issued and e-mailed, the signed original
 * comes back; after the last period the lease is reported ended and no further deal appears.
 */
export async function leaseDemo(io: DemoIo, opts: { outDir: string; verbose: boolean }): Promise<number> {
  // Today on the sandbox clock; the lease starts on the 1st of the next month (of the one after, if that is less than a
  // week away, so the first deal is still created on its control date rather than at once).
  const today = DateTime.now().setZone(ZONE).startOf('day');
  let start = today.plus({ months: 1 }).startOf('month');
  if (start.diff(today, 'days').days < 7) start = start.plus({ months: 1 });
  const end = start.plus({ months: 3 }).minus({ days: 1 });
  const session = await startDemoSession(io, { verbose: opts.verbose, now: today.set({ hour: 10 }).toJSDate() });
  const { sandbox, seed, server, clock } = session;
  try {
    const contractId = seed.deals.tenant!;
    const contract = sandbox.crm.deals.get(contractId)!;
    leasePipeline(sandbox, seed.rentalCategoryId);
    await updatePortalSettings(server.deps.database.db, sandbox.memberId, { accountantUserIds: [seed.users.accountant], penalty: { ratePerDayPercent: 0.1, capPercent: 10 } });
    // The manager writes the rent line once, with placeholders each period's deal fills in.
    const row = sandbox.crm.productRowsOf('D', contractId)[0]!;
    row.productName = 'Арендная плата за {month} {year} г. (помещение № 301)';
    const labels = new Map<number, string>([[contractId, '[договор] ']]);
    const flush = automationPrinter(sandbox, io, (id) => labels.get(id) ?? `[сделка №${id}] `);

    io.stdout(`\nДоговор аренды: сделка №${contractId} «${contract.TITLE}», ответственный — ${userName(sandbox, contract.ASSIGNED_BY_ID)}`);
    io.stdout(`  строка: «${row.productName}», ${formatMoney(Math.round(row.price * 100))} ₽ за месяц`);
    const props = {
      lease_start: start.toISODate()!,
      lease_end: end.toISODate()!,
      period: 'month',
      bill_days_before: '5',
      target_stage_id: 'C1:PREPARATION',
      contract_number: 'А-301',
      contract_date: today.toISODate()!,
    };
    io.stdout(`\n${today.toFormat('dd.MM.yyyy')} — договор подписан: на сделке-договоре робот «начать выставление по договору аренды» (аренда с ${formatDateShort(props.lease_start)} по ${formatDateShort(props.lease_end)}, сделка периода — за 5 дней до его начала):`);
    await sandbox.deliverRobotCall('start_lease_billing', contractId, props);
    await settle(server, sandbox);
    flush();

    const terms = parseLeaseTerms(props, ZONE);
    const periods = [...leasePeriods(terms)];
    const agenda: Event[] = [];
    const deals: Array<CrmEntityRecord | undefined> = [];
    const late = { reminders: 0 };
    for (const p of periods) {
      agenda.push({
        at: wall(controlDate(p, terms), 9),
        title: `контрольная дата периода «${periodText(p)}»: сервис создаёт сделку периода`,
        run: async () => {
          await runMaintenance(server.deps);
          await settle(server, sandbox);
          const deal = periodDeal(p);
          deals[p.index] = deal;
          if (!deal) return io.stdout('  сделка периода не создана!');
          labels.set(deal.ID, `[сделка №${deal.ID}] `);
          const rows = sandbox.crm.productRowsOf('D', deal.ID).map((r) => `«${r.productName}» ${formatMoney(Math.round(r.price * r.quantity * 100))} ₽`);
          io.stdout(`  создана сделка №${deal.ID} «${deal.TITLE}»: период ${formatDateShort(p.from)}–${formatDateShort(p.to)}, ${rows.join('; ')}, основание «${String(deal.UF['UF_CRM_QRB_BASIS'] ?? '')}»`);
          flush();
          planPayment(p, deal);
        },
      });
      agenda.push({
        at: wall(p.to, 18),
        title: `период «${periodText(p)}» закончился: сделка переходит в «${stageName(sandbox, ACT_STAGE)}»`,
        run: async () => {
          const deal = deals[p.index];
          if (!deal) return;
          await sandbox.moveDeal(deal.ID, ACT_STAGE);
          await settle(server, sandbox);
          flush();
        },
      });
      agenda.push({
        at: wall(addDays(p.to, 6), 12),
        title: `арендатор вернул подписанный акт за «${periodText(p)}»: менеджер закрывает сделку`,
        run: async () => {
          const deal = deals[p.index];
          if (!deal) return;
          await sandbox.moveDeal(deal.ID, 'C1:WON');
          await settle(server, sandbox);
          flush();
        },
      });
    }
    const last = periods.at(-1)!;
    agenda.push({
      at: wall(addDays(last.to, 10), 10),
      title: 'аренда закончилась: что осталось у сервиса',
      run: async () => {
        await runMaintenance(server.deps);
        await settle(server, sandbox);
        const [schedule] = await listSchedules(server.deps.database.db, sandbox.memberId);
        const done = (await periodsOf(server.deps.database.db, schedule ? [schedule.id] : [])).filter((r) => r.status === 'created');
        io.stdout(`  график №${schedule?.id}: периодов выставлено ${done.length} из ${periods.length}, состояние ${schedule?.state} (qrbill leases ${sandbox.memberId})`);
        const ended = sandbox.crm.commentsOf('deal', contractId).map((c) => String(c.COMMENT)).find((c) => c.includes('последний период'));
        if (ended) io.stdout(`  на сделке-договоре: «${ended.replace(/\[\/?URL[^\]]*\]/g, '')}»`);
      },
    });

    /** On time: the statement of the due date pays it. Late: the overdue ladder runs, then a later statement pays. */
    function planPayment(p: BillingPeriod, deal: CrmEntityRecord): void {
      const due = String(deal.UF['UF_CRM_QRB_INV_DUE'] ?? '').slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(due)) return;
      const paidOn = p.index === LATE ? addDays(due, DAYS_LATE) : due;
      if (p.index === LATE) {
        const watch = ladderWatcher({ ...session, io }, deal.ID, '  ');
        for (const day of [-3, 1, 3, 5, 7]) {
          agenda.push({
            at: wall(addDays(due, day), 9).set({ minute: 5 }),
            title: `счёт за «${periodText(p)}» ${day < 0 ? `— через ${-day} дн. срок оплаты` : `не оплачен, просрочка ${day} дн.`}`,
            run: async () => {
              late.reminders += await watch(clock.now());
            },
          });
        }
      }
      agenda.push({
        at: wall(paidOn, 11),
        title: `бухгалтер загружает выписку из 1С за ${formatDateShort(paidOn)}`,
        run: async () => {
          const statement = tenantStatement([dealInvoicePayment(deal.UF, String(600 + p.index), paidOn)], paidOn, paidOn);
          const imported = await importStatement(server.deps, sandbox.memberId, statement);
          for (const d of imported.decisions) io.stdout(`  п/п ${d.number} на ${d.amount} руб. от ИНН ${d.payer_inn}: ${d.result} — ${d.reason}`);
          await settle(server, sandbox);
          flush();
        },
      });
    }

    const periodDeal = (p: BillingPeriod) =>
      [...sandbox.crm.deals.values()].find((d) => d.UF['UF_CRM_QRB_CONTRACT'] === String(contractId) && d.UF['UF_CRM_QRB_PER_FROM'] === p.from);

    // The sandbox clock walks from one dated event to the next; an event may plan later ones (a payment, the ladder).
    while (agenda.length) {
      agenda.sort((a, b) => a.at.toMillis() - b.at.toMillis());
      const e = agenda.shift()!;
      clock.set(e.at.toJSDate());
      io.stdout(`\n${e.at.toFormat('dd.MM.yyyy HH:mm')} — ${e.title}`);
      await e.run();
    }

    await writeDocuments(sandbox, opts.outDir, io);
    summary(session, io, contractId, periods, late.reminders);
    const failed = sandbox.workflowLog().some((e) => e.type === 'answer' && e.returnValues?.status === 'error');
    io.stdout(failed ? '\nДемо завершено с ошибками (см. выше).' : '\nДемо завершено: договор аренды выставил себя сам — сделка, счёт, письмо, оплата, акт за каждый период, до окончания аренды.');
    return failed || deals.filter(Boolean).length !== periods.length ? 1 : 0;
  } finally {
    await session.close();
  }
}

/** A Moscow wall time on a calendar day. */
const wall = (day: string, hour: number) => DateTime.fromISO(day, { zone: ZONE }).set({ hour });

/** What a manager sees on the period deals at the end: one line per period with its invoice, payment and act. */
function summary(session: DemoSession, io: DemoIo, contractId: number, periods: BillingPeriod[], reminders: number): void {
  const { sandbox } = session;
  const periodDeals = [...sandbox.crm.deals.values()].filter((d) => d.UF['UF_CRM_QRB_CONTRACT'] === String(contractId)).sort((a, b) => a.ID - b.ID);
  io.stdout(`\nИтог: сделок периодов ${periodDeals.length} (по договору — ${periods.length}):`);
  for (const d of periodDeals) {
    const f = d.UF;
    const due = String(f['UF_CRM_QRB_INV_DUE'] ?? '').slice(0, 10);
    const paid = String(f['UF_CRM_QRB_PAID_DATE'] ?? '').slice(0, 10);
    const daysLate = paid && due ? Math.round(DateTime.fromISO(paid).diff(DateTime.fromISO(due), 'days').days) : null;
    const payment = !paid ? 'не оплачен' : daysLate !== null && daysLate > 0 ? `оплачен ${formatDateShort(paid)} с опозданием на ${daysLate} дн. (напоминаний клиенту: ${reminders})` : `оплачен в срок ${formatDateShort(paid)}`;
    const act = sandbox.workflowLog().filter((e) => e.type === 'answer' && e.robot === 'generate_act' && e.dealId === d.ID && e.returnValues?.status === 'ok').at(-1)?.returnValues;
    const letters = sandbox.crm.activitiesOf(2, d.ID).length;
    io.stdout(
      `  • ${formatDateShort(String(f['UF_CRM_QRB_PER_FROM']))}–${formatDateShort(String(f['UF_CRM_QRB_PER_TO']))}: сделка №${d.ID}, счёт № ${String(f['UF_CRM_QRB_INV_NO'] ?? '—')} на ${formatMoney(moneyFieldKopecks(f['UF_CRM_QRB_INV_SUM']))} ₽, ${payment}; ` +
        `акт № ${String(act?.act_number ?? '—')} (${act?.act_state === 'signed_original_received' ? 'подписанный оригинал получен' : String(act?.act_state ?? 'нет')}); писем клиенту ${letters}; стадия «${stageName(sandbox, d.STAGE_ID)}»`,
    );
  }
}

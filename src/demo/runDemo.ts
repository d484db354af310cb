import path from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { rentalPipeline, STAGES } from './pipeline.js';
import { applyPushedPayment, importStatement } from '../payments/apply.js';
import { updatePortalSettings } from '../settings/portalSettings.js';
import { runMaintenance } from '../worker.js';
import { overdueReport } from '../dunning/report.js';
import { settle } from './settle.js';
import { automationPrinter, stageName, userName, type DemoIo } from './narrator.js';
import { DEMO_ACCOUNTS, dealInvoicePayment, moneyFieldKopecks, tenantStatement } from './statement.js';
import { climbLadder } from './ladder.js';
import { printTimeline, writeDocuments } from './documents.js';
import { startDemoSession, type DemoSession } from './session.js';
import { leaseDemo } from './leaseDemo.js';

/**
 * `qrbill demo`: a sandbox Bitrix24 portal and the service on this machine; installs the app,
 * configures the rental pipeline, runs a lease deal through it and shows what happened.
 * `qrbill demo --lease`: a three-month lease billing itself on the sandbox clock (leaseDemo.ts).
 */
export async function demoCommand(argv: string[], io: DemoIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string', default: 'demo-out' }, verbose: { type: 'boolean' }, lease: { type: 'boolean' } } });
  const outDir = path.resolve(io.cwd, values.out!);
  if (values.lease) return leaseDemo(io, { outDir, verbose: values.verbose ?? false });
  const session = await startDemoSession(io, { verbose: values.verbose ?? false });
  const { sandbox, seed, server, clock } = session;
  const flush = automationPrinter(sandbox, io);
  try {
    rentalPipeline(sandbox, seed.rentalCategoryId);
    io.stdout(`Воронка «Аренда»: ${STAGES.map((s) => `«${stageName(sandbox, s)}»`).join(' → ')}`);
    const dealId = seed.deals.tenant!;
    const deal = sandbox.crm.deals.get(dealId)!;
    io.stdout(`\nСделка №${dealId} «${deal.TITLE}», ответственный — ${userName(sandbox, deal.ASSIGNED_BY_ID)}`);

    io.stdout('\n1. Менеджер переводит сделку в «Выставить счет»; дальше работают роботы:');
    await sandbox.moveDeal(dealId, 'C1:PREPARATION');
    // The deal ends in «Ожидание оплаты», its process parked in wait_for_payment until the money comes.
    await sandbox.runUntilIdle({ timeoutMs: 30_000, ignoreWaiting: ['wait_for_payment'] });
    flush();

    // A month passes in a second: the period billed in advance ends, the rent has been paid.
    const periodEnd = String(sandbox.crm.deals.get(dealId)!.UF['UF_CRM_QRB_PER_TO'] ?? '');
    if (/^\d{4}-\d{2}-\d{2}/.test(periodEnd)) clock.set(`${periodEnd.slice(0, 10)}T15:00:00Z`);
    io.stdout(`\n2. ${periodEnd ? `${periodEnd.slice(8, 10)}.${periodEnd.slice(5, 7)}.${periodEnd.slice(0, 4)}: ` : ''}период аренды закончился; бухгалтер загружает выписку из 1С, арендатор заплатил в срок:`);
    const fields = sandbox.crm.deals.get(dealId)!.UF;
    const today = clock.now().toISOString().slice(0, 10);
    const dueField = String(fields['UF_CRM_QRB_INV_DUE'] ?? '');
    const paidOn = /^\d{4}-\d{2}-\d{2}/.test(dueField) ? dueField.slice(0, 10) : today;
    const statement = tenantStatement([dealInvoicePayment(fields, '588', paidOn)], paidOn, today);
    const imported = await importStatement(server.deps, sandbox.memberId, statement);
    for (const d of imported.decisions) io.stdout(`    п/п ${d.number} на ${d.amount} руб. от ИНН ${d.payer_inn}: ${d.result} — ${d.reason}`);
    await settle(server, sandbox);
    flush();

    await writeDocuments(sandbox, outDir, io);
    printTimeline(sandbox, dealId, io);
    const failed = sandbox.workflowLog().some((e) => e.type === 'answer' && e.returnValues?.status === 'error');
    await overdueScene(session, io);
    io.stdout(failed ? '\nДемо завершено с ошибками (см. выше).' : '\nДемо завершено: цикл «счёт → письмо → оплата по выписке → акт → письмо» прошёл сам.');
    return failed ? 1 : 0;
  } finally {
    await session.close();
  }
}

/**
 * The second tenant pays late: the overdue ladder on the sandbox clock — a reminder before the due date, the
 * manager, his head, the accountant, a second reminder with the penalty — until the payment stops it.
 */
async function overdueScene(session: DemoSession, io: DemoIo): Promise<void> {
  const { server, sandbox, clock, seed } = session;
  const dealId = seed.deals.soleTrader;
  await updatePortalSettings(server.deps.database.db, sandbox.memberId, { accountantUserIds: [seed.users.accountant], penalty: { ratePerDayPercent: 0.1, capPercent: 10 } });
  io.stdout(`\n3. Второй арендатор — «${sandbox.crm.deals.get(dealId)!.TITLE}» — платит с опозданием (пени 0,1 % в день):`);
  await sandbox.moveDeal(dealId, 'C1:PREPARATION');
  await sandbox.runUntilIdle({ timeoutMs: 30_000, ignoreWaiting: ['wait_for_payment'] });
  const fields = sandbox.crm.deals.get(dealId)!.UF;
  const due = String(fields['UF_CRM_QRB_INV_DUE'] ?? '').slice(0, 10);
  io.stdout(`    счёт № ${String(fields['UF_CRM_QRB_INV_NO'])} выставлен, оплатить до ${due.split('-').reverse().join('.')}`);
  await climbLadder({ ...session, io }, dealId, due);
  const decision = await applyPushedPayment(server.deps, sandbox.memberId, {
    date: clock.now().toISOString().slice(0, 10), number: '77', amountKopecks: moneyFieldKopecks(fields['UF_CRM_QRB_INV_SUM']), payerInn: '771234567859', payerName: 'ИП Смирнов Пётр Иванович',
    payerAccount: '40802810838000012345', payeeAccount: DEMO_ACCOUNTS.landlord, purpose: `Оплата по счету № ${String(fields['UF_CRM_QRB_INV_NO'])}`,
  });
  await settle(server, sandbox);
  io.stdout(`    оплата пришла из 1С: ${decision.result} — ${decision.reason}`);
  clock.set(DateTime.fromISO(due, { zone: 'Europe/Moscow' }).plus({ days: 20 }).toJSDate());
  await runMaintenance(server.deps);
  await settle(server, sandbox);
  const left = await overdueReport(server.deps.database.db, sandbox.memberId, clock.now());
  io.stdout(`    лестница остановлена: просроченных счетов ${left.length}, стадия «${stageName(sandbox, sandbox.crm.deals.get(dealId)!.STAGE_ID)}»`);
  // «Оплачено» issues the act, which for a period still running answers when it can be issued instead.
  const act = sandbox.workflowLog().filter((e) => e.type === 'answer' && e.robot === 'generate_act' && e.dealId === dealId).at(-1);
  if (act?.returnValues?.status === 'error') io.stdout(`    акт: ${String(act.returnValues.error_text)}`);
}

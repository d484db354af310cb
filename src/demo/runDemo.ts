import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ManualClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { startServer } from '../server.js';
import { startSandbox, type Sandbox } from '../sandbox/portal.js';
import { seedDemoPortal, type DemoSeed } from '../sandbox/crm/index.js';
import type { WorkflowLogEntry } from '../sandbox/automation.js';
import { rentalPipeline, STAGES } from './pipeline.js';
import { applyPushedPayment, importStatement } from '../payments/apply.js';
import { DateTime } from 'luxon';
import { updatePortalSettings } from '../settings/portalSettings.js';
import { runMaintenance } from '../worker.js';
import { overdueReport } from '../dunning/report.js';
import { encodeStatement, writeStatement } from '../payments/statement/write.js';

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

const stageName = (sb: Sandbox, id: string | null | undefined) =>
  sb.crm.statuses.find((s) => s.STATUS_ID === id)?.NAME ?? id ?? '—';

function describe(sb: Sandbox, e: WorkflowLogEntry): string | undefined {
  switch (e.type) {
    case 'stage_changed':
      return `  → стадия «${stageName(sb, e.toStageId)}»`;
    case 'robot_call':
      return `    робот ${e.robot}: вызван (HTTP ${e.httpStatus ?? 'нет ответа'})`;
    case 'answer': {
      const v = e.returnValues ?? {};
      const shown = Object.entries(v)
        .filter(([k, x]) => x !== '' && x !== 0 && !k.endsWith('_url'))
        .map(([k, x]) => `${k}=${String(x).length > 70 ? `${String(x).slice(0, 67)}…` : String(x)}`);
      return `    робот ${e.robot}: ответил ${shown.join(', ')}`;
    }
    case 'failed':
      return `    ошибка: ${e.error ?? e.message ?? ''}`;
    default:
      return undefined;
  }
}

/**
 * `qrbill demo`: a sandbox Bitrix24 portal and the service on this machine; installs the app,
 * configures the rental pipeline, runs a lease deal through it and shows what happened.
 */
export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string', default: 'demo-out' }, verbose: { type: 'boolean' } } });
  const outDir = path.resolve(io.cwd, values.out!);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-demo-'));
  const clock = new ManualClock(Date.now(), { running: true });
  const sandbox = await startSandbox({ clock });
  const seed = seedDemoPortal(sandbox.crm);
  const log = createLogger(values.verbose ? 'info' : 'error');
  const config = loadConfig({
    DATA_DIR: dataDir,
    B24_CLIENT_ID: sandbox.clientId,
    B24_CLIENT_SECRET: sandbox.clientSecret,
    B24_OAUTH_HOSTS: sandbox.oauthHost,
    LOG_LEVEL: values.verbose ? 'info' : 'error',
  });
  const server = await startServer(config, log, { clock, port: 0, publicUrlFromListen: true });
  let printed = 0;
  const flush = () => {
    const entries = sandbox.workflowLog();
    for (; printed < entries.length; printed++) {
      const line = describe(sandbox, entries[printed]!);
      if (line) io.stdout(line);
    }
  };
  try {
    io.stdout(`Песочница Битрикс24: ${sandbox.baseUrl} (портал ${sandbox.domain})`);
    io.stdout(`Сервис QR-биллинга: ${server.url} (SQLite во временной папке)`);
    const installed = await sandbox.installApp(`${server.url}/bitrix/install`);
    io.stdout(`Приложение установлено (HTTP ${installed.status}): роботы ${[...sandbox.robots().keys()].join(', ')}`);

    rentalPipeline(sandbox, seed.rentalCategoryId);
    io.stdout(`Воронка «Аренда»: ${STAGES.map((s) => `«${stageName(sandbox, s)}»`).join(' → ')}`);
    const dealId = seed.deals.tenant!;
    const deal = sandbox.crm.deals.get(dealId)!;
    io.stdout(`\nСделка №${dealId} «${deal.TITLE}», ответственный — ${[sandbox.crm.users.get(deal.ASSIGNED_BY_ID)?.NAME, sandbox.crm.users.get(deal.ASSIGNED_BY_ID)?.LAST_NAME].filter(Boolean).join(' ')}`);

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
    const statement = demoStatement(String(fields['UF_CRM_QRB_INV_NO'] ?? ''), String(fields['UF_CRM_QRB_INV_DATE'] ?? ''), String(fields['UF_CRM_QRB_INV_SUM'] ?? ''), String(fields['UF_CRM_QRB_INV_DUE'] ?? ''), clock.now());
    const imported = await importStatement(server.deps, sandbox.memberId, statement);
    for (const d of imported.decisions) io.stdout(`    п/п ${d.number} на ${d.amount} руб. от ИНН ${d.payer_inn}: ${d.result} — ${d.reason}`);
    await settle(server, sandbox);
    flush();

    await writeDocuments(sandbox, outDir, io);
    printTimeline(sandbox, dealId, io);
    const failed = sandbox.workflowLog().some((e) => e.type === 'answer' && e.returnValues?.status === 'error');
    await overdueScene(server, sandbox, clock, seed, io);
    io.stdout(failed ? '\nДемо завершено с ошибками (см. выше).' : '\nДемо завершено: цикл «счёт → письмо → оплата по выписке → акт → письмо» прошёл сам.');
    return failed ? 1 : 0;
  } finally {
    await server.stop();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The second tenant pays late: the overdue ladder on the sandbox clock — a reminder before the due date, the
 * manager, his head, the accountant, a second reminder with the penalty — until the payment stops it.
 */
async function overdueScene(server: Awaited<ReturnType<typeof startServer>>, sandbox: Sandbox, clock: ManualClock, seed: DemoSeed, io: Io): Promise<void> {
  const dealId = seed.deals.soleTrader;
  await updatePortalSettings(server.deps.database.db, sandbox.memberId, { accountantUserIds: [seed.users.accountant], penalty: { ratePerDayPercent: 0.1, capPercent: 10 } });
  io.stdout(`\n3. Второй арендатор — «${sandbox.crm.deals.get(dealId)!.TITLE}» — платит с опозданием (пени 0,1 % в день):`);
  await sandbox.moveDeal(dealId, 'C1:PREPARATION');
  await sandbox.runUntilIdle({ timeoutMs: 30_000, ignoreWaiting: ['wait_for_payment'] });
  const fields = sandbox.crm.deals.get(dealId)!.UF;
  const due = String(fields['UF_CRM_QRB_INV_DUE'] ?? '').slice(0, 10);
  io.stdout(`    счёт № ${String(fields['UF_CRM_QRB_INV_NO'])} выставлен, оплатить до ${due.split('-').reverse().join('.')}`);
  const users = new Map([
    [seed.users.manager, 'менеджеру'],
    [seed.users.head, 'руководителю отдела'],
    [seed.users.accountant, 'бухгалтеру'],
  ]);
  let seen = sandbox.crm.notifications.length;
  let comments = sandbox.crm.commentsOf('deal', dealId).length;
  for (const day of [-3, 1, 3, 5, 7]) {
    const at = DateTime.fromISO(due, { zone: 'Europe/Moscow' }).plus({ days: day }).set({ hour: 9, minute: 5 });
    clock.set(at.toJSDate());
    await runMaintenance(server.deps);
    await settle(server, sandbox);
    const news = sandbox.crm.commentsOf('deal', dealId).slice(comments).map((c) => String(c.COMMENT)).filter((c) => c.startsWith('Просрочка'));
    comments = sandbox.crm.commentsOf('deal', dealId).length;
    for (const c of news) io.stdout(`    ${at.toFormat('dd.MM.yyyy HH:mm')}: ${c.replace(/^Просрочка \(шаг [^)]*\): /, '').split('. ')[0]}`);
    for (const n of sandbox.crm.notifications.slice(seen)) if (users.has(n.userId)) io.stdout(`      уведомление ${users.get(n.userId)}: ${n.message.replace(/\[\/?URL[^\]]*\]/g, '').slice(0, 140)}`);
    seen = sandbox.crm.notifications.length;
  }
  const amount = Math.round(Number(String(fields['UF_CRM_QRB_INV_SUM'] ?? '0').split('|')[0]) * 100);
  const decision = await applyPushedPayment(server.deps, sandbox.memberId, {
    date: clock.now().toISOString().slice(0, 10), number: '77', amountKopecks: amount, payerInn: '771234567859', payerName: 'ИП Смирнов Пётр Иванович',
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

/** A 1C statement of the landlord's account (due date to today) in which the tenant paid the invoice in full on time. */
function demoStatement(invoiceNumber: string, invoiceDate: string, amountField: string, dueDate: string, now: Date): Uint8Array {
  const today = now.toISOString().slice(0, 10);
  const day = /^\d{4}-\d{2}-\d{2}/.test(dueDate) ? dueDate.slice(0, 10) : today;
  const amountKopecks = Math.round(Number(amountField.split('|')[0]) * 100);
  const text = writeStatement({
    account: DEMO_ACCOUNTS.landlord,
    dateFrom: day,
    dateTo: today,
    documents: [
      {
        number: '588',
        date: day,
        amountKopecks,
        creditedOn: day,
        payer: { name: 'ООО «Арендатор»', inn: '5027123457', kpp: '502701001', account: DEMO_ACCOUNTS.tenant },
        payee: { name: 'ООО «Арендодатель»', inn: '7704123450', account: DEMO_ACCOUNTS.landlord },
        purpose: `Оплата по счету № ${invoiceNumber} от ${invoiceDate.split('-').reverse().join('.')} за аренду офиса. В т.ч. НДС`,
      },
    ],
  });
  return encodeStatement(text, 'windows-1251');
}

/** The demo seed's accounts (src/sandbox/crm/seed.ts): the landlord's and the tenant's. */
const DEMO_ACCOUNTS = { landlord: '40702810138250123017', tenant: '40702810801300012345' };

/** Until the worker is done with what the payment started and the portal's automation is idle. */
async function settle(server: Awaited<ReturnType<typeof startServer>>, sandbox: Sandbox): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const c = await server.deps.jobs.counts();
    if (c.pending === 0 && c.running === 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  // A process still waiting for a payment (wait_for_payment) is not a hang: it is what the next scene is about.
  await sandbox.runUntilIdle({ timeoutMs: 30_000, ignoreWaiting: ['wait_for_payment'] });
}

/** Saves every document the robots linked to (deal fields hold the links) into the output folder. */
async function writeDocuments(sandbox: Sandbox, outDir: string, io: Io): Promise<void> {
  const links = new Set<string>();
  for (const e of sandbox.workflowLog()) {
    for (const [k, v] of Object.entries(e.returnValues ?? {})) if (k.endsWith('_url') && typeof v === 'string' && v) links.add(v);
  }
  mkdirSync(outDir, { recursive: true });
  io.stdout(`\nДокументы сохранены в ${outDir}:`);
  for (const link of links) {
    const res = await fetch(link);
    if (!res.ok) {
      io.stderr(`  не удалось скачать ${link}: HTTP ${res.status}`);
      continue;
    }
    const disposition = res.headers.get('content-disposition') ?? '';
    const name = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? path.basename(new URL(link).pathname));
    writeFileSync(path.join(outDir, name), Buffer.from(await res.arrayBuffer()));
    io.stdout(`  ${name}`);
  }
}

function printTimeline(sandbox: Sandbox, dealId: number, io: Io): void {
  io.stdout(`\nЛента сделки №${dealId}:`);
  const items = [
    ...sandbox.crm.commentsOf('deal', dealId).map((c) => ({ at: String(c.CREATED), text: `комментарий: ${String(c.COMMENT).split('\n')[0]}` })),
    ...sandbox.crm.activitiesOf(2, dealId).map((a) => ({
      at: String(a.CREATED),
      text: `письмо «${a.SUBJECT}» → ${a.COMMUNICATIONS.map((c) => c.VALUE).join(', ')} (вложений: ${a.FILE_IDS.length})`,
    })),
  ].sort((x, y) => x.at.localeCompare(y.at));
  for (const i of items) io.stdout(`  • ${i.text}`);
  const deal = sandbox.crm.deals.get(dealId)!;
  io.stdout(`Стадия сейчас: «${stageName(sandbox, deal.STAGE_ID)}»`);
}

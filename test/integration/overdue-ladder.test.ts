/**
 * The overdue ladder as a landlord meets it, on the sandbox clock: a reminder before the due date, then the
 * manager, his head and the accountant, a second reminder with the penalty — each once, whatever the number of
 * maintenance passes; after downtime the missed notifications come once, in order, a stale client reminder is
 * skipped, and a payment stops the ladder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { runRobot, settle, atMoscow } from './invoicing-kit.js';
import { updatePortalSettings } from '../../src/settings/portalSettings.js';
import { applyPushedPayment } from '../../src/payments/apply.js';
import { overdueReport } from '../../src/dunning/report.js';
import { findHead } from '../../src/crm/orgStructure.js';

describe.each(databaseEngines())('overdue ladder on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });



  async function setup() {
    h = await startHarness(engine, { now: '2026-12-01T09:00:00+03:00' });
    await h.install();
    await updatePortalSettings(h.database.db, h.sandbox.memberId, { accountantUserIds: [h.seed.users.accountant], penalty: { ratePerDayPercent: 0.1, capPercent: 10 } });
    const invoice = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant, { due_days: '5' })).answer;
    expect(invoice).toMatchObject({ status: 'ok', due_date: '2026-12-06', amount_due: 25000 });
    return invoice;
  }

  const dealId = () => h.seed.deals.tenant!;
  const letters = () => h.sandbox.crm.activitiesOf(2, dealId()).filter((a) => /^(Напоминание об оплате|Счёт № .* просрочен)/.test(String(a.SUBJECT)));
  const notices = (userId: number) => h.sandbox.crm.notificationsFor(userId).filter((n) => n.message.includes('QR-биллинг'));
  const timeline = () => h.sandbox.crm.commentsOf('deal', dealId()).map((c) => String(c.COMMENT)).filter((c) => c.startsWith('Просрочка'));

  it('walks the default ladder: reminder, manager with a to-do and the trigger, head, accountant, reminder with the penalty', async () => {
    const invoice = await setup();
    await atMoscow(h, '2026-12-03T08:59:00');
    expect(letters()).toHaveLength(0);
    await atMoscow(h, '2026-12-03T09:01:00');
    expect(letters().map((a) => a.SUBJECT)).toEqual([`Напоминание об оплате счёта № ${String(invoice.invoice_number)} от 01.12.2026`]);
    expect(letters()[0]!.FILE_IDS).toHaveLength(1); // the invoice, attached

    await atMoscow(h, '2026-12-06T23:00:00'); // the due day is not overdue
    expect(notices(h.seed.users.manager)).toHaveLength(0);
    await atMoscow(h, '2026-12-07T09:00:00');
    expect(notices(h.seed.users.manager)).toHaveLength(1);
    expect(h.sandbox.crm.activitiesOf(2, dealId()).filter((a) => String(a.SUBJECT).includes('Связаться с клиентом'))).toHaveLength(1);
    expect(h.sandbox.triggerExecutions().map((t) => t.code)).toEqual(['qrbill_invoice_overdue']);

    await atMoscow(h, '2026-12-09T09:00:00');
    expect(notices(h.seed.users.head)).toHaveLength(1); // the head of «Отдел аренды», from the org structure
    await atMoscow(h, '2026-12-11T09:00:00');
    expect(notices(h.seed.users.accountant)).toHaveLength(1);
    await atMoscow(h, '2026-12-13T09:00:00');
    const second = letters()[1]!;
    expect(second.SUBJECT).toContain('просрочен на 7 дн.');
    expect(String(second.DESCRIPTION)).toContain('175,00'); // 7 days × 0.1 % × 25 000,00

    const report = await overdueReport(h.database.db, h.sandbox.memberId, h.clock.now());
    expect(report).toEqual([
      expect.objectContaining({ number: invoice.invoice_number, amountDueKopecks: 2_500_000, daysOverdue: 7, penaltyKopecks: 17_500, nextStep: null }),
    ]);
    // The same as the accountant reads it from the shell.
    const cli = await promisify(execFile)('npx', ['tsx', path.resolve('src/cli.ts'), 'overdue', h.sandbox.memberId, '--json'], {
      env: { ...process.env, DATA_DIR: h.database.dataDir, DATABASE_URL: h.database.databaseUrl ?? '', QRBILL_NOW: h.clock.now().toISOString() },
    });
    expect(JSON.parse(cli.stdout)).toEqual([
      expect.objectContaining({ invoice_number: invoice.invoice_number, amount_due: '25000.00', days_overdue: 7, penalty: '175.00', next_step: null, last_step: expect.objectContaining({ key: '7:client_overdue_reminder', status: 'done' }) }),
    ]);
    expect(timeline()).toHaveLength(5);
    expect(notices(h.seed.users.manager)).toHaveLength(1);
  });

  it('a service restarted after a jump over several steps takes them up by itself, once each, and nothing after a payment', async () => {
    const invoice = await setup();
    h.clock.set('2026-12-09T10:00:00+03:00'); // the reminder (3rd) is late; manager (7th) and head (9th) are due
    await h.restart();
    const until = Date.now() + 15_000;
    while (notices(h.seed.users.head).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await settle(h);
    expect(notices(h.seed.users.manager)).toHaveLength(1);
    expect(notices(h.seed.users.head)).toHaveLength(1);
    expect(letters()).toHaveLength(0);
    await applyPushedPayment(h.server.deps, h.sandbox.memberId, {
      date: '2026-12-09', number: '7', amountKopecks: 1_000_000, payerInn: '5027123457', payerName: 'ООО «Арендатор»',
      payerAccount: '40702810801300012345', payeeAccount: '40702810138250123017', purpose: `Частичная оплата по счету № ${String(invoice.invoice_number)}`,
    });
    await atMoscow(h, '2026-12-11T09:00:00'); // paid in part: the accountants still learn, the remainder is still owed
    expect(notices(h.seed.users.accountant)).toHaveLength(1);
    expect(notices(h.seed.users.accountant)[0]!.message).toMatch(/оплачено 10\s000,00 ₽, осталось 15\s000,00 ₽/);
    await applyPushedPayment(h.server.deps, h.sandbox.memberId, {
      date: '2026-12-12', number: '8', amountKopecks: 1_500_000, payerInn: '5027123457', payerName: 'ООО «Арендатор»',
      payerAccount: '40702810801300012345', payeeAccount: '40702810138250123017', purpose: `Доплата по счету № ${String(invoice.invoice_number)}`,
    });
    await atMoscow(h, '2026-12-14T09:00:00');
    expect(letters()).toHaveLength(0); // the second reminder of the 13th never goes to a tenant who paid
  });

  it('finds the head along the org structure: up a level when the manager heads his department, none without a department', async () => {
    h = await startHarness(engine);
    await h.install();
    const client = h.server.deps.bitrix.forPortal(h.sandbox.memberId);
    expect(await findHead(client, h.seed.users.manager)).toMatchObject({ found: true, headId: h.seed.users.head, walkedUp: 0 });
    // The head of «Отдел аренды» reports to the head of the parent department.
    expect(await findHead(client, h.seed.users.head)).toMatchObject({ found: true, headId: h.seed.users.admin, walkedUp: 1 });
    h.sandbox.crm.users.get(h.seed.users.manager)!.UF_DEPARTMENT = [];
    expect(await findHead(client, h.seed.users.manager)).toEqual({ found: false, reason: 'no_department' });
    // The top of the company has nobody above.
    expect(await findHead(client, h.seed.users.admin)).toEqual({ found: false, reason: 'no_head' });
  });

  it('after downtime fires the missed notifications once, in order, skips a stale reminder, and stops when paid', async () => {
    const invoice = await setup();
    await atMoscow(h, '2026-12-10T10:00:00'); // down since the 1st: the reminder of the 3rd is a week late
    expect(letters()).toHaveLength(0);
    expect(notices(h.seed.users.manager)).toHaveLength(1);
    expect(notices(h.seed.users.head)).toHaveLength(1);
    expect(notices(h.seed.users.accountant)).toHaveLength(0);
    const texts = timeline();
    expect(texts[0]).toMatch(/шаг -3:client_reminder.*пропущено/);
    expect(texts.slice(1).map((t) => /шаг ([^,]+),/.exec(t)![1])).toEqual(['1:notify_manager', '3:notify_head']);

    await applyPushedPayment(h.server.deps, h.sandbox.memberId, {
      date: '2026-12-10', number: '91', amountKopecks: 2_500_000, payerInn: '5027123457', payerName: 'ООО «Арендатор»',
      payerAccount: '40702810801300012345', payeeAccount: '40702810138250123017', purpose: `Оплата счета № ${String(invoice.invoice_number)}`,
    });
    await atMoscow(h, '2026-12-14T10:00:00');
    expect(notices(h.seed.users.accountant)).toHaveLength(0);
    expect(letters()).toHaveLength(0);
    expect(await overdueReport(h.database.db, h.sandbox.memberId, h.clock.now())).toEqual([]);
  });
});

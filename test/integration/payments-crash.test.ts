/**
 * The service dies while robots wait for their money: `qrbill serve` is SIGKILLed with two wait_for_payment calls
 * parked, a statement import dies right after its payments committed (before it answered anyone), and the service
 * comes back — once on the same day, once after the due date passed while it was down. Each waiting robot gets
 * exactly one answer (paid, overdue), the payment's comment and trigger happen once, and importing the statement
 * again applies nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { JobStore } from '../../src/jobs/store.js';
import { WorkSignal } from '../../src/jobs/signal.js';
import { importStatement } from '../../src/payments/apply.js';
import { encodeStatement, writeStatement } from '../../src/payments/statement/write.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/portal.js';
import { seedDemoPortal } from '../../src/sandbox/crm/index.js';
import { databaseEngines, type TestDatabase } from '../helpers/databases.js';
import { freePort, killGroup, sleep, spawnService, waitFor } from '../acceptance/service.js';
import { STAGE } from './invoicing-kit.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LANDLORD_ACCOUNT = '40702810138250123017';
const TENANT = { name: 'ООО «Арендатор»', inn: '5027123457', kpp: '502701001', account: '40702810801300012345' };
const DAY = 86_400_000;

describe.each(databaseEngines())('payments across a SIGKILL on $name', (engine) => {
  const children: ChildProcess[] = [];
  let sandbox: Sandbox | undefined;
  let database: TestDatabase | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    for (const c of children.splice(0)) await killGroup(c);
    await sandbox?.close();
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('waiting robots are answered once after the service and an import were killed, also on timeout', async () => {
    // The portal's clock is the real one, as the service's is, until the service is restarted on a later trial clock.
    const clock = new ManualClock(Date.now(), { running: true });
    const portal = (sandbox = await startSandbox({ clock }));
    const seed = seedDemoPortal(portal.crm);
    const db = (database = await engine.open());
    dir = mkdtempSync(path.join(tmpdir(), 'qrbill-crash-'));
    const port = await freePort();
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: db.dataDir,
      DATABASE_URL: db.databaseUrl ?? '',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      B24_CLIENT_ID: portal.clientId,
      B24_CLIENT_SECRET: portal.clientSecret,
      B24_OAUTH_HOSTS: portal.oauthHost,
      LINK_SECRET: 'test-link-secret-0123456789abcdef0123456789',
      LOG_LEVEL: 'warn',
    };
    const serve = async (extra: Record<string, string> = {}) => {
      const s = await spawnService({ ...env, ...extra });
      children.push(s.child);
      return s;
    };
    const answers = (token: string) => portal.eventSends().filter((e) => e.eventToken === token);
    const answered = async (token: string, what: string, service: { output(): string }) => {
      const got = await waitFor(() => answers(token)[0], 30_000);
      expect(got, `${what} not answered; service output:\n${service.output().slice(-3000)}`).toBeDefined();
      return got!.returnValues;
    };

    const first = await serve();
    expect((await portal.installApp(`${env.PUBLIC_URL}/bitrix/install`)).status).toBe(200);
    portal.setStageTriggers(1, STAGE.paid, [{ code: 'qrbill_invoice_paid' }]);
    const tenantCall = await portal.deliverRobotCall('generate_invoice', seed.deals.tenant!);
    const invoice = await answered(String(tenantCall.event_token), 'generate_invoice', first);
    const traderCall = await portal.deliverRobotCall('generate_invoice', seed.deals.soleTrader!, { due_days: '5' });
    const traderInvoice = await answered(String(traderCall.event_token), 'generate_invoice', first);
    expect([invoice.status, traderInvoice.status]).toEqual(['ok', 'ok']);

    const untilPaid = String((await portal.deliverRobotCall('wait_for_payment', seed.deals.tenant!, {})).event_token);
    const untilDue = String((await portal.deliverRobotCall('wait_for_payment', seed.deals.soleTrader!, { mode: 'until_due' })).event_token);
    const parked = async () => Number((await db.db.selectFrom('payment_waits').select((e) => e.fn.countAll().as('n')).where('resolved_at', 'is', null).executeTakeFirst())?.n ?? 0);
    await expect.poll(parked, { timeout: 20_000, interval: 100 }).toBe(2);

    // 1. The service is killed while both robots wait.
    await killGroup(first.child);

    // 2. With the service down, the accountant imports the statement; the import dies after its commit.
    const full = Math.round(Number(invoice.amount_due) * 100);
    const file = path.join(dir, 'kl_to_1c.txt');
    writeFileSync(
      file,
      encodeStatement(
        writeStatement({
          account: LANDLORD_ACCOUNT, dateFrom: String(invoice.invoice_date), dateTo: String(invoice.invoice_date),
          documents: [{
            number: '588', date: String(invoice.invoice_date), creditedOn: String(invoice.invoice_date), amountKopecks: full,
            payer: TENANT, payee: { name: 'ООО «Арендодатель»', inn: '7704123450', account: LANDLORD_ACCOUNT },
            purpose: `Оплата по счету № ${String(invoice.invoice_number)} за аренду`,
          }],
        }),
        'windows-1251',
      ),
    );
    const importer = spawn('npx', ['tsx', 'test/helpers/crash-import.ts', db.dataDir, db.databaseUrl ?? '-', portal.memberId, file], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(importer);
    let out = '';
    importer.stdout!.on('data', (d) => (out += String(d)));
    importer.stderr!.on('data', (d) => (out += String(d)));
    await new Promise<void>((resolve) => importer.once('exit', () => resolve()));
    expect(out).toMatch(/KILLING \d+/);
    const payment = await db.db.selectFrom('payments').select(['id', 'result']).executeTakeFirst();
    expect(payment?.result).toBe('paid'); // committed, and nobody has told the robot yet
    expect(await parked()).toBe(2);
    expect(answers(untilPaid)).toHaveLength(0);

    // 3. The service comes back the same day: the paid robot is answered, the other keeps waiting.
    const second = await serve();
    expect(await answered(untilPaid, 'wait_for_payment (until_paid)', second)).toMatchObject({ status: 'paid', paid_amount: full / 100 });
    const reimported = await importStatement(
      { database: db, jobs: new JobStore(db, systemClock), clock: systemClock, log: silentLogger(), work: new WorkSignal() },
      portal.memberId,
      readFileSync(file),
    );
    expect(reimported.decisions.map((d) => d.result)).toEqual(['duplicate']);
    await sleep(1500);
    expect(answers(untilDue)).toHaveLength(0);

    // 4. Killed again; it is back only after the due date has passed. The overdue robot is answered on its own.
    await killGroup(second.child);
    clock.advance(7 * DAY);
    const third = await serve({ QRBILL_NOW: clock.now().toISOString() });
    expect(await answered(untilDue, 'wait_for_payment (until_due)', third)).toMatchObject({ status: 'overdue', paid_amount: 0 });

    await sleep(2500); // time for anything doubled to show up
    expect(answers(untilPaid)).toHaveLength(1);
    expect(answers(untilDue)).toHaveLength(1);
    expect(portal.triggerExecutions().filter((t) => t.ownerId === seed.deals.tenant && t.code === 'qrbill_invoice_paid')).toHaveLength(1);
    expect(portal.crm.commentsOf('deal', seed.deals.tenant!).filter((c) => c.COMMENT.includes('п/п 588'))).toHaveLength(1);
    expect(portal.crm.deals.get(seed.deals.tenant!)!.STAGE_ID).toBe(STAGE.paid);
  }, 180_000);
});

/**
 * Payments from 1C, tried as an accountant would: invoices issued by the robot, a bank statement exported from
 * 1C sent to the API (and again), a pushed payment with a retry, and the waiting robot answered once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { STAGE, answersFor, runRobot, settle } from './invoicing-kit.js';
import { createApiKey } from '../../src/storage/apiKeys.js';
import { encodeStatement, writeStatement, type StatementDocumentInput } from '../../src/payments/statement/write.js';

const run = promisify(execFile);
const LANDLORD_ACCOUNT = '40702810138250123017';
const TENANT = { name: 'ООО «Арендатор»', inn: '5027123457', kpp: '502701001', account: '40702810801300012345' };
const SOLE_TRADER = { name: 'ИП Смирнов Пётр Иванович', inn: '771234567859', account: '40802810838000012345' };

describe.each(databaseEngines())('payments from 1C on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  async function setup() {
    h = await startHarness(engine, { now: '2026-12-01T09:00:00+03:00' });
    await h.install();
    const key = (await createApiKey(h.database.db, h.sandbox.memberId, '1C', new Date())).key;
    const tenantInvoice = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    const traderInvoice = (await runRobot(h, 'generate_invoice', h.seed.deals.soleTrader)).answer;
    expect(tenantInvoice.status).toBe('ok');
    expect(traderInvoice.status).toBe('ok');
    return { key, tenantInvoice, traderInvoice };
  }


  const api = (path: string, key: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
    // A Buffer is what fetch sends byte for byte.
    fetch(`${h.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, ...headers }, body: typeof body === "string" ? body : Buffer.from(body) });

  it('a statement pays one invoice in full and another in part, skips the rest, and a second import applies nothing', async () => {
    const { key, tenantInvoice, traderInvoice } = await setup();
    // The admin binds our trigger to «Оплачено» in the automation designer: no code.
    h.sandbox.setStageTriggers(1, STAGE.paid, [{ code: 'qrbill_invoice_paid' }]);
    const waiting = await h.sandbox.deliverRobotCall('wait_for_payment', h.seed.deals.tenant!, {});
    await settle(h, ['wait_for_payment']);
    expect(answersFor(h, String(waiting.event_token))).toHaveLength(0); // parked until the money comes

    const full = Math.round(Number(tenantInvoice.amount_due) * 100);
    const docs: StatementDocumentInput[] = [
      {
        number: '588', date: '2026-12-02', amountKopecks: full, creditedOn: '2026-12-02',
        payer: TENANT, payee: { name: 'ООО «Арендодатель»', inn: '7704123450', account: LANDLORD_ACCOUNT },
        purpose: `Оплата по счету № ${String(tenantInvoice.invoice_number)} от ${String(tenantInvoice.invoice_date).split('-').reverse().join('.')} за аренду. В т.ч. НДС`,
      },
      {
        number: '77', date: '2026-12-03', amountKopecks: 1_000_000, creditedOn: '2026-12-03',
        payer: SOLE_TRADER, payee: { name: 'ООО «Арендодатель»', inn: '7704123450', account: LANDLORD_ACCOUNT },
        purpose: `Частичная оплата по сч. ${String(traderInvoice.invoice_number)}`,
      },
      {
        kind: 'Банковский ордер', number: '9001', date: '2026-12-03', amountKopecks: 150_00, debitedOn: '2026-12-03',
        payer: { name: 'ООО «Арендодатель»', inn: '7704123450', account: LANDLORD_ACCOUNT }, payee: { name: 'ПАО Банк', inn: '7707083893', account: '70601810000002740201' },
        purpose: 'Комиссия за ведение счета за ноябрь 2026',
      },
    ];
    const file = encodeStatement(writeStatement({ account: LANDLORD_ACCOUNT, dateFrom: '2026-12-01', dateTo: '2026-12-03', documents: docs }), 'windows-1251');

    const refused = await api('/api/v1/statements', 'qrb_wrong', file, { 'content-type': 'text/plain' });
    expect(refused.status).toBe(401);

    const first = await api('/api/v1/statements', key, file, { 'content-type': 'text/plain; charset=windows-1251' });
    expect(first.status).toBe(200);
    const { decisions } = (await first.json()) as { decisions: Array<Record<string, unknown>> };
    expect(decisions.map((d) => [d.number, d.result, d.invoice_number])).toEqual([
      ['588', 'paid', tenantInvoice.invoice_number],
      ['77', 'partially_paid', traderInvoice.invoice_number],
      ['9001', 'skipped', null],
    ]);
    expect(decisions[0]).toMatchObject({ amount: (full / 100).toFixed(2), payer_inn: TENANT.inn, date: '2026-12-02' });

    await settle(h, ['wait_for_payment']);
    const answers = answersFor(h, String(waiting.event_token));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.returnValues).toMatchObject({ status: 'paid', paid_at: '2026-12-02', paid_amount: full / 100, days_overdue: 0 });

    const deal = h.sandbox.crm.deals.get(h.seed.deals.tenant!)!;
    expect(deal.UF.UF_CRM_QRB_PAID_DATE).toBe("2026-12-02");
    expect(deal.UF.UF_CRM_QRB_PAID_SUM).toBe(`${(full / 100).toFixed(2)}|RUB`);
    const fired = h.sandbox.triggerExecutions().map((t) => t.code).sort();
    expect(fired).toEqual(['qrbill_invoice_paid', 'qrbill_invoice_part_paid']);
    expect(deal.STAGE_ID).toBe(STAGE.paid);
    expect(h.sandbox.crm.deals.get(h.seed.deals.soleTrader!)!.STAGE_ID).toBe(STAGE.new); // paid in part: stays
    const comments = h.sandbox.crm.commentsOf('deal', h.seed.deals.tenant!).map((c) => c.COMMENT);
    expect(comments.filter((c) => c.includes('п/п 588 от 02.12.2026'))).toHaveLength(1);

    const again = await api('/api/v1/statements', key, file, { 'content-type': 'application/octet-stream' });
    const second = ((await again.json()) as { decisions: Array<Record<string, unknown>> }).decisions;
    expect(second.map((d) => d.result)).toEqual(['duplicate', 'duplicate', 'skipped']);
    await settle(h, ['wait_for_payment']);
    expect(h.sandbox.crm.commentsOf('deal', h.seed.deals.tenant!).filter((c) => c.COMMENT.includes('п/п 588'))).toHaveLength(1);
    expect(answersFor(h, String(waiting.event_token))).toHaveLength(1);

    const bad = await api('/api/v1/statements', key, 'Это не выписка\r\n', { 'content-type': 'text/plain' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/строка 1/);
  });

  it('qrbill statement import applies a statement once: the second run reports duplicates', async () => {
    const { tenantInvoice } = await setup();
    const full = Math.round(Number(tenantInvoice.amount_due) * 100);
    const text = writeStatement({
      account: LANDLORD_ACCOUNT, dateFrom: '2026-12-01', dateTo: '2026-12-02',
      documents: [{
        number: '600', date: '2026-12-02', amountKopecks: full, creditedOn: '2026-12-02',
        payer: TENANT, payee: { name: 'ООО «Арендодатель»', inn: '7704123450', account: LANDLORD_ACCOUNT },
        purpose: `Оплата сч. ${String(tenantInvoice.invoice_number)} аренда`,
      }],
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'qrbill-stmt-'));
    const file = path.join(dir, 'kl_to_1c.txt');
    writeFileSync(file, encodeStatement(text, 'utf-8'));
    // The CLI runs on the service's clock (QRBILL_NOW as in a trial), so what it enqueues is due for the worker.
    const qrbill = (...args: string[]) =>
      run('npx', ['tsx', path.resolve('src/cli.ts'), ...args], {
        env: { ...process.env, DATA_DIR: h.database.dataDir, DATABASE_URL: h.database.databaseUrl ?? '', QRBILL_NOW: h.clock.now().toISOString() },
      });
    const first = JSON.parse((await qrbill('statement', 'import', h.sandbox.memberId, file, '--json')).stdout) as Array<Record<string, unknown>>;
    expect(first).toEqual([expect.objectContaining({ number: '600', result: 'paid', invoice_number: tenantInvoice.invoice_number, payer_inn: TENANT.inn })]);
    const second = JSON.parse((await qrbill('statement', 'import', h.sandbox.memberId, file, '--json')).stdout) as Array<Record<string, unknown>>;
    expect(second.map((d) => d.result)).toEqual(['duplicate']);
    const listed = (await qrbill('payments', h.sandbox.memberId)).stdout;
    expect(listed).toContain('paid');
    expect(listed).toContain(String(tenantInvoice.invoice_number));
    // The service's worker picks up what the CLI enqueued: the deal gets its comment.
    await settle(h, ['wait_for_payment']);
    expect(h.sandbox.crm.commentsOf('deal', h.seed.deals.tenant!).filter((c) => c.COMMENT.includes('п/п 600'))).toHaveLength(1);
  }, 120_000);

  it('a pushed payment completes the partly paid invoice; a retry with the same Idempotency-Key gets the same answer', async () => {
    const { key, traderInvoice } = await setup();
    const total = Math.round(Number(traderInvoice.amount_due) * 100);
    const push = (body: Record<string, unknown>, idem: string) =>
      api('/api/v1/payments', key, JSON.stringify(body), { 'content-type': 'application/json', 'idempotency-key': idem });
    const base = { date: '2026-12-04', payer_inn: SOLE_TRADER.inn, payer_name: SOLE_TRADER.name, payer_account: SOLE_TRADER.account, payee_account: LANDLORD_ACCOUNT };
    const part = await push({ ...base, number: '12', amount: '10000.00', purpose: `Оплата по счёту № ${String(traderInvoice.invoice_number)}` }, 'guid-1');
    expect(await part.json()).toMatchObject({ result: 'partially_paid', invoice_number: traderInvoice.invoice_number });
    const rest = ((total - 1_000_000) / 100).toFixed(2);
    const body = { ...base, number: '13', amount: rest, purpose: `Доплата по счету ${String(traderInvoice.invoice_number)}` };
    const done = await (await push(body, 'guid-2')).json();
    expect(done).toMatchObject({ result: 'paid', invoice_number: traderInvoice.invoice_number, amount: rest });
    expect(await (await push(body, 'guid-2')).json()).toEqual(done);
    expect((await push({ ...body, amount: '1.00' }, 'guid-2')).status).toBe(409);
    expect((await push({ ...body, amount: '12,5' }, 'guid-3')).status).toBe(400);
    // The same payment under another key is recognised by its bank-side identity.
    expect(await (await push(body, 'guid-4')).json()).toMatchObject({ result: 'duplicate' });

    const spec = await (await fetch(`${h.url}/api/openapi.json`)).json();
    expect(Object.keys(spec.paths)).toEqual(['/api/v1/statements', '/api/v1/payments']);
    const docs = await fetch(`${h.url}/api/docs`);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('Idempotency-Key');
  });
});

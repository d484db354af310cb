/**
 * Two service instances on one PostgreSQL receive overlapping bank statements at the same moment (the accountant
 * uploads the December statement while 1C's scheduled export sends the one for the first week). Each payment is
 * applied once, no invoice is paid twice from a stale view, the waiting robot gets one answer and every deal one set
 * of CRM effects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, startSecondInstance, type Harness, type SecondInstance } from '../helpers/harness.js';
import { STAGE, answersFor, runRobot, settle } from './invoicing-kit.js';
import type { RunningServer } from '../../src/server.js';
import { importStatement } from '../../src/payments/apply.js';
import { encodeStatement, writeStatement, type StatementDocumentInput } from '../../src/payments/statement/write.js';

const postgres = databaseEngines().filter((e) => e.name === 'postgres');

const LANDLORD = { name: 'ООО «Арендодатель»', inn: '7704123450', account: '40702810138250123017' };
const TENANT = { name: 'ООО «Арендатор»', inn: '5027123457', kpp: '502701001', account: '40702810801300012345' };
const SOLE_TRADER = { name: 'ИП Смирнов Пётр Иванович', inn: '771234567859', account: '40802810838000012345' };

describe.runIf(postgres.length > 0).each(postgres)('payments on two instances on $name', (engine) => {
  let h: Harness | undefined;
  let second: RunningServer | undefined;
  let extra: SecondInstance | undefined;
  afterEach(async () => {
    await extra?.stop();
    extra = undefined;
    await h?.stop();
  });

  it('overlapping statements imported at once on two instances apply each payment once and pay each invoice once', async () => {
    h = await startHarness(engine, { now: '2026-12-01T09:00:00+03:00' });
    extra = await startSecondInstance(h);
    second = extra.server;
    await h.install();
    h.sandbox.setStageTriggers(1, STAGE.paid, [{ code: 'qrbill_invoice_paid' }]);
    const tenantInvoice = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    const traderInvoice = (await runRobot(h, 'generate_invoice', h.seed.deals.soleTrader)).answer;
    const waiting = await h.sandbox.deliverRobotCall('wait_for_payment', h.seed.deals.tenant!, {});
    await settle(h, ['wait_for_payment']);
    expect(answersFor(h, String(waiting.event_token))).toHaveLength(0);

    const tenantTotal = Math.round(Number(tenantInvoice.amount_due) * 100);
    const traderTotal = Math.round(Number(traderInvoice.amount_due) * 100);
    const half = Math.floor(traderTotal / 2);
    const payee = { name: LANDLORD.name, inn: LANDLORD.inn, account: LANDLORD.account };
    const byNumber: StatementDocumentInput = {
      number: '588', date: '2026-12-02', creditedOn: '2026-12-02', amountKopecks: tenantTotal, payer: TENANT, payee,
      purpose: `Оплата по счету № ${String(tenantInvoice.invoice_number)} за аренду`,
    };
    // The tenant's accountant paid the same invoice again without its number: whichever comes second is not applied.
    const byAmount: StatementDocumentInput = {
      number: '590', date: '2026-12-03', creditedOn: '2026-12-03', amountKopecks: tenantTotal, payer: TENANT, payee,
      purpose: 'Арендная плата за декабрь',
    };
    const traderFirst: StatementDocumentInput = {
      number: '77', date: '2026-12-02', creditedOn: '2026-12-02', amountKopecks: half, payer: SOLE_TRADER, payee,
      purpose: `Частичная оплата по сч. ${String(traderInvoice.invoice_number)}`,
    };
    const traderRest: StatementDocumentInput = {
      number: '78', date: '2026-12-03', creditedOn: '2026-12-03', amountKopecks: traderTotal - half, payer: SOLE_TRADER, payee,
      purpose: `Доплата по счету ${String(traderInvoice.invoice_number)}`,
    };
    const statement = (dateTo: string, documents: StatementDocumentInput[]) =>
      encodeStatement(writeStatement({ account: LANDLORD.account, dateFrom: '2026-12-01', dateTo, documents }), 'windows-1251');
    // Overlapping statements: the bank's own export of the 3rd, and 1C's of the whole period (78 is in both).
    const ofThe3rd = statement('2026-12-03', [byAmount, traderRest]);
    const ofThePeriod = statement('2026-12-03', [byNumber, traderFirst, traderRest]);

    // Both instances start at the same moment, so their reads and writes interleave step by step on the database.
    const [a, b] = (await Promise.all([importStatement(h.server.deps, h.sandbox.memberId, ofThe3rd), importStatement(second.deps, h.sandbox.memberId, ofThePeriod)])).map((s) => s.decisions);
    expect(a!.map((d) => d.number)).toEqual(['590', '78']);

    // Each bank document is applied by exactly one of the two imports; the other calls it a duplicate.
    const applied = [...a!, ...b!].filter((d) => d.result !== 'duplicate');
    expect(applied.map((d) => d.number).sort()).toEqual(['588', '590', '77', '78']);
    // However the two interleaved: the tenant's invoice is paid by one payment, the other waits for a person.
    const tenantDecisions = applied.filter((d) => d.number === '588' || d.number === '590').map((d) => d.result).sort();
    expect(tenantDecisions).toEqual(['manual', 'paid']);
    // The trader's halves add up: one part payment, then the payment that completes the invoice.
    expect(applied.filter((d) => d.number === '77' || d.number === '78').map((d) => d.result).sort()).toEqual(['paid', 'partially_paid']);

    const paidSums = await h.database.db
      .selectFrom('payment_allocations')
      .select(['invoice_id', (e) => e.fn.sum<number>('amount_kopecks').as('paid')])
      .groupBy('invoice_id')
      .execute();
    expect(paidSums.map((r) => Number(r.paid)).sort((x, y) => x - y)).toEqual([tenantTotal, traderTotal].sort((x, y) => x - y));
    const states = await h.database.db.selectFrom('documents').select('state').where('kind', '=', 'invoice').execute();
    expect(states.map((d) => d.state)).toEqual(['paid', 'paid']);

    await settle(h, ['wait_for_payment']);
    await new Promise((r) => setTimeout(r, 300)); // the second instance's worker may still be finishing a job
    await settle(h, ['wait_for_payment']);

    const answers = answersFor(h, String(waiting.event_token));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.returnValues).toMatchObject({ status: 'paid', paid_amount: tenantTotal / 100 });

    const fired = h.sandbox.triggerExecutions().map((t) => `${t.ownerId}:${t.code}`).sort();
    expect(fired).toEqual(
      [`${h.seed.deals.tenant}:qrbill_invoice_paid`, `${h.seed.deals.soleTrader}:qrbill_invoice_paid`, `${h.seed.deals.soleTrader}:qrbill_invoice_part_paid`].sort(),
    );
    const tenantComments = h.sandbox.crm.commentsOf('deal', h.seed.deals.tenant!).map((c) => c.COMMENT).filter((c) => c.startsWith('Оплата'));
    expect(tenantComments).toHaveLength(1);
    expect(tenantComments[0]).toContain('счёт оплачен полностью');
    const traderComments = h.sandbox.crm.commentsOf('deal', h.seed.deals.soleTrader!).map((c) => c.COMMENT).filter((c) => c.startsWith('Оплата'));
    expect(traderComments).toHaveLength(2);
    expect(traderComments.filter((c) => c.includes('счёт оплачен полностью'))).toHaveLength(1);
    const tenantDeal = h.sandbox.crm.deals.get(h.seed.deals.tenant!)!;
    expect(tenantDeal.UF.UF_CRM_QRB_PAID_SUM).toBe(`${(tenantTotal / 100).toFixed(2)}|RUB`);
    expect(tenantDeal.STAGE_ID).toBe(STAGE.paid);
  }, 60_000);
});

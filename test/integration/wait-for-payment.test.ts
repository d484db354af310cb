/**
 * wait_for_payment as a business process meets it: an unpaid invoice answers «overdue» only after the due date plus
 * the grace days (portal time), a repeated delivery is answered once, and an invoice paid before the robot was
 * reached answers it at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { answersFor, runRobot, settle } from './invoicing-kit.js';
import { runMaintenance } from '../../src/worker.js';
import { applyPushedPayment } from '../../src/payments/apply.js';

describe.each(databaseEngines())('wait_for_payment on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });


  it('answers overdue after the due date plus grace days, once, also when the call is delivered twice', async () => {
    h = await startHarness(engine, { now: '2026-12-01T09:00:00+03:00' });
    await h.install();
    const invoice = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant, { due_days: '5' })).answer;
    expect(invoice.due_date).toBe('2026-12-06');
    const call = await h.sandbox.deliverRobotCall('wait_for_payment', h.seed.deals.tenant!, { mode: 'until_due', grace_days: '2' });
    expect((await h.sandbox.redeliverRobotCall(call)).status).toBe(200);
    await settle(h, ['wait_for_payment']);
    const token = String(call.event_token);

    // 08.12 23:59 Moscow: the last grace day is still on time.
    h.clock.set('2026-12-08T20:59:00Z');
    await runMaintenance(h.server.deps);
    await settle(h, ['wait_for_payment']);
    expect(answersFor(h, token)).toHaveLength(0);

    h.clock.set('2026-12-08T21:00:30Z'); // 09.12 00:00:30 Moscow
    await runMaintenance(h.server.deps);
    await runMaintenance(h.server.deps);
    await settle(h, ['wait_for_payment']);
    const answers = answersFor(h, token);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.returnValues).toMatchObject({ status: 'overdue', days_overdue: 3, paid_amount: 0, paid_at: '' });
  });

  it('answers paid at once when the money came before the robot was reached, and error without an invoice', async () => {
    h = await startHarness(engine, { now: '2026-12-01T09:00:00+03:00' });
    await h.install();
    const invoice = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    const decision = await applyPushedPayment(h.server.deps, h.sandbox.memberId, {
      date: '2026-12-02', number: '5', amountKopecks: Math.round(Number(invoice.amount_due) * 100),
      payerInn: '5027123457', payerName: 'ООО «Арендатор»', payerAccount: '40702810801300012345', payeeAccount: '40702810138250123017',
      purpose: `Оплата счета ${String(invoice.invoice_number)}`,
    });
    expect(decision.result).toBe('paid');
    const paid = (await runRobot(h, 'wait_for_payment', h.seed.deals.tenant)).answer;
    expect(paid).toMatchObject({ status: 'paid', paid_at: '2026-12-02' });

    const none = (await runRobot(h, 'wait_for_payment', h.seed.deals.soleTrader)).answer;
    expect(none.status).toBe('error');
    expect(String(none.error_text)).toContain('нет выставленного счёта');
  });
});

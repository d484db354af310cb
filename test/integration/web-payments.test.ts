/**
 * The payments page as the accountant uses it: a 1C statement uploaded through the page (the decisions shown per
 * line, the invoice paid, the waiting robot answered, the deal moved on), the manual queue with its likely
 * invoices matched by one click and taken back, and people who are neither admins nor accountants kept read-only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { action, openFrame, page, textOf } from '../web/webKit.js';
import { STAGE, answersFor, settle } from './invoicing-kit.js';
import { LANDLORD, SOLE_TRADER, TENANT, issueAt, purposeFor, statementFile, type Issued } from '../web/billingKit.js';
import { updatePortalSettings } from '../../src/settings/portalSettings.js';

type Decision = { number: string; date: string; amount: string; payer_name: string; payer_inn: string; result: string; invoice_number: string | null; reason: string; payment_id?: number };

describe.each(databaseEngines())('the payments page on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  /** Two invoices, the tenant's awaited by wait_for_payment; Мария Кузнецова named the accountant. */
  async function setup(): Promise<{ rent: Issued; store: Issued; waiting: string; accountant: string; manager: string }> {
    h = await startHarness(engine, { now: '2026-12-01T09:00:00+03:00' });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    await updatePortalSettings(h.database.db, h.sandbox.memberId, { accountantUserIds: [h.seed.users.accountant] });
    h.sandbox.setStageTriggers(1, STAGE.paid, [{ code: 'qrbill_invoice_paid' }]);
    const rent = await issueAt(h, '2026-12-01T10:00:00', h.seed.deals.tenant!);
    const store = await issueAt(h, '2026-12-01T10:05:00', h.seed.deals.soleTrader!);
    const waiting = String((await h.sandbox.deliverRobotCall('wait_for_payment', h.seed.deals.tenant!, {})).event_token);
    await settle(h, ['wait_for_payment']);
    expect(answersFor(h, waiting)).toHaveLength(0);
    h.clock.set('2026-12-04T11:00:00+03:00');
    const accountant = (await openFrame(h, { userId: h.seed.users.accountant })).token;
    const manager = (await openFrame(h, { userId: h.seed.users.manager })).token;
    return { rent, store, waiting, accountant, manager };
  }

  const stateOf = async (token: string, inv: Issued) => {
    const html = (await page(h, token, 'invoices')).html;
    const at = html.indexOf(`<tr data-invoice="${inv.number}"`);
    return textOf(html.slice(at, html.indexOf('</tr>', at))).match(/Выставлен|Оплачен частично|Оплачен|Просрочен/)?.[0];
  };

  it('an accountant uploads a statement: each line decided, the invoice paid, the robot answered, the deal moved on', async () => {
    const { rent, store, waiting, accountant, manager } = await setup();
    const before = textOf((await page(h, accountant, 'payments')).html);
    expect(before).toContain('Загрузить выписку из 1С');
    expect(before).toContain('Все поступившие платежи сопоставлены со счетами');

    const file = statementFile([
      { number: '588', date: '2026-12-02', amountKopecks: rent.amountKopecks, payer: TENANT, purpose: purposeFor(rent) },
      { number: '77', date: '2026-12-03', amountKopecks: 1_000_000, payer: SOLE_TRADER, purpose: `Частичная оплата по сч. ${store.number}` },
      { kind: 'Банковский ордер', number: '9001', date: '2026-12-03', amountKopecks: 150_00, debitedOn: '2026-12-03', payer: LANDLORD, purpose: 'Комиссия за ведение счета' },
    ]);
    // Read-only people cannot: neither the page's upload nor the action.
    const refused = await action(h, manager, 'POST', '/statements', file);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/администраторы и бухгалтеры/);

    const up = await action(h, accountant, 'POST', '/statements', file);
    expect(up.status).toBe(200);
    const decisions = up.body.decisions as Decision[];
    expect(decisions.map((d) => [d.number, d.result, d.invoice_number])).toEqual([
      ['588', 'paid', rent.number],
      ['77', 'partially_paid', store.number],
      ['9001', 'skipped', null],
    ]);
    expect(decisions[0]).toMatchObject({ date: '2026-12-02', payer_name: TENANT.name, payer_inn: TENANT.inn, amount: (rent.amountKopecks / 100).toFixed(2) });
    expect(up.body.counts).toMatchObject({ paid: 1, partially_paid: 1, skipped: 1 });

    await settle(h, ['wait_for_payment']);
    expect(answersFor(h, waiting).map((a) => a.returnValues.status)).toEqual(['paid']);
    expect(h.sandbox.crm.deals.get(h.seed.deals.tenant!)!.STAGE_ID).toBe(STAGE.paid);
    expect(await stateOf(accountant, rent)).toBe('Оплачен');
    expect(await stateOf(accountant, store)).toBe('Оплачен частично');

    const after = textOf((await page(h, accountant, 'payments')).html);
    expect(after).toMatch(/02\.12\.2026 588 ООО «Арендатор» ИНН 5027123457 [\d  ]+,\d\d ₽ Оплачен счёт автоматически № /);
    expect(after).toContain('Частичная оплата');

    // The same file again applies nothing; a file that is no statement is refused, named by its line.
    const again = await action(h, accountant, 'POST', '/statements', file);
    expect((again.body.decisions as Decision[]).map((d) => d.result)).toEqual(['duplicate', 'duplicate', 'skipped']);
    const bad = await action(h, accountant, 'POST', '/statements', new TextEncoder().encode('Это не выписка\r\n'));
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ path: 'statement', message: expect.stringMatching(/строка 1/) }]);
    const empty = await action(h, accountant, 'POST', '/statements', new Uint8Array());
    expect(empty.status).toBe(400);
    await settle(h, ['wait_for_payment']);
    expect(answersFor(h, waiting)).toHaveLength(1);
  });

  it('a third party’s payment waits in the queue with its invoice; one click matches it, another takes it back', async () => {
    const { rent, waiting, accountant, manager } = await setup();
    // ИП Смирнов pays the tenant's invoice: another INN, so a person must confirm.
    const up = await action(h, accountant, 'POST', '/statements', statementFile([
      { number: '91', date: '2026-12-03', amountKopecks: rent.amountKopecks, payer: SOLE_TRADER, purpose: purposeFor(rent) },
    ], 'utf-8'));
    const [decision] = up.body.decisions as Decision[];
    expect(decision).toMatchObject({ result: 'manual', invoice_number: rent.number, payer_name: SOLE_TRADER.name });
    const paymentId = decision!.payment_id!;

    const queued = await page(h, accountant, 'payments');
    const queue = textOf(queued.html.slice(queued.html.indexOf('id="queue-h"'), queued.html.indexOf('id="recent-h"')));
    expect(queue).toContain('платежей: 1');
    expect(queue).toContain(SOLE_TRADER.name);
    expect(queue).toContain(`Сопоставить → № ${rent.number} от 01.12.2026 · ООО «Арендатор»`);
    const button = new RegExp(`data-api-click="/payments/${paymentId}/match" data-body="\\{&quot;invoiceId&quot;:${rent.id}\\}"`);
    expect(queued.html).toMatch(button);
    // The manager sees the queue but no buttons, and cannot match.
    const readOnly = await page(h, manager, 'payments');
    expect(readOnly.html).not.toMatch(button);
    expect(readOnly.html).not.toContain('statement-form');
    expect(textOf(readOnly.html)).toContain('Вам доступен просмотр');
    expect((await action(h, manager, 'POST', `/payments/${paymentId}/match`, { invoiceId: rent.id })).status).toBe(403);

    // A number typed by hand that names no invoice: the error stands by the field.
    const typo = await action(h, accountant, 'POST', `/payments/${paymentId}/match`, { invoiceNumber: '99999' });
    expect(typo.status).toBe(400);
    expect(typo.body.issues).toEqual([{ path: 'invoiceNumber', message: expect.stringContaining('не найден') }]);

    const matched = await action(h, accountant, 'POST', `/payments/${paymentId}/match`, { invoiceId: rent.id });
    expect(matched.status).toBe(200);
    expect(matched.body.changes).toEqual([expect.objectContaining({ number: rent.number, state: 'paid' })]);
    await settle(h, ['wait_for_payment']);
    expect(answersFor(h, waiting).map((a) => a.returnValues.status)).toEqual(['paid']);
    expect(h.sandbox.crm.deals.get(h.seed.deals.tenant!)!.STAGE_ID).toBe(STAGE.paid);
    expect(await stateOf(accountant, rent)).toBe('Оплачен');
    const listed = await page(h, accountant, 'payments');
    expect(textOf(listed.html)).toContain('Все поступившие платежи сопоставлены со счетами');
    expect(textOf(listed.html)).toMatch(/Оплачен счёт вручную № /);
    expect(listed.html).toContain(`data-api-click="/payments/${paymentId}/unmatch"`);

    const undone = await action(h, accountant, 'POST', `/payments/${paymentId}/unmatch`, {});
    expect(undone.status).toBe(200);
    expect(await stateOf(accountant, rent)).toBe('Выставлен');
    expect(textOf((await page(h, accountant, 'payments')).html)).toContain('платежей: 1');
    expect((await action(h, accountant, 'POST', '/payments/999999/unmatch', {})).status).toBe(404);
    const en = textOf((await page(h, (await openFrame(h, { lang: 'en' })).token, 'payments')).html);
    expect(en).toContain('Waiting for a match payments: 1');
    expect(en).toContain('Upload a statement from 1C');
  });
});

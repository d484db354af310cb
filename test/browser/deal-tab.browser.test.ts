/**
 * The deal card's «QR-биллинг» tab in Chromium, as the responsible manager opens it inside the sandbox's deal card:
 * the invoice and the act the robots issued, the act's signed original marked received with one click, and a deal
 * with nothing yet explaining which robots to add. Screenshots at 1280×800 go to test-results/.
 */
import { describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/harness.js';
import { appFrame, browserSuite, screenshot } from './chromium.js';
import { atMoscow, runRobot } from '../integration/invoicing-kit.js';
import { applyPushedPayment } from '../../src/payments/apply.js';


describe('the deal tab in Chromium', () => {
  const suite = browserSuite();
  let h: Harness;


  it('shows the invoice and the act, and marks the act\'s signed original received', async () => {
    h = await suite.start(); // the robots need the worker
    await h.install();
    const dealId = h.seed.deals.tenant;
    const invoice = (await runRobot(h, 'generate_invoice', dealId)).answer;
    expect(invoice.status).toBe('ok');
    const p = await suite.page();
    const errors: string[] = [];
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('dialog', (d) => void d.accept());
    const openCard = async () => {
      await p.goto(`${h.sandbox.baseUrl}/portal/deal/${dealId}?user=${h.seed.users.manager}`);
      return appFrame(p);
    };

    // Two days past the due date: the manager sees the invoice overdue and where the ladder stands.
    await atMoscow(h, '2026-12-02T10:00:00');
    let frame = await openCard();
    await frame.waitForSelector('#invoices');
    const overdueRow = (await frame.textContent('#invoices tbody tr'))!.replace(/\s+/g, ' ');
    expect(overdueRow).toContain('Просрочен');
    expect(overdueRow).toContain('2 дн. просрочки');
    expect(overdueRow).toContain('Выполнено: уведомление ответственному, 02.12.2026 10:00'); // carried out when the service caught up
    expect(overdueRow).toContain('Далее: уведомление руководителю, 03.12.2026 09:00');
    await screenshot(p, 'deal-tab-overdue');

    await applyPushedPayment(h.server.deps, h.sandbox.memberId, {
      date: '2026-12-02', number: '41', amountKopecks: 2_500_000, payerInn: '5027123457', payerName: 'ООО «Арендатор»',
      payerAccount: '40702810801300012345', payeeAccount: '40702810138250123017', purpose: `Оплата по счету № ${String(invoice.invoice_number)} за декабрь`,
    });
    h.clock.set('2026-12-31T10:00:00+03:00');
    const act = (await runRobot(h, 'generate_act', dealId)).answer;
    expect(act.status).toBe('ok');

    frame = await openCard();
    await frame.waitForSelector('#invoices');
    expect(await frame.textContent('h1')).toContain('Счета, акты и оплаты сделки');
    expect(await frame.$('header.top')).toBeNull();
    const invoiceRow = (await frame.textContent('#invoices tbody tr'))!.replace(/\s+/g, ' ');
    expect(invoiceRow).toContain('25 000,00 ₽');
    expect(invoiceRow).toContain('Оплачен');
    expect(await frame.getAttribute('#invoices a[data-file="qr_invoice"]', 'href')).toBe(invoice.qr_invoice_url);
    expect((await frame.textContent('#payments'))!.replace(/\s+/g, ' ')).toContain('№ 41');
    expect(await frame.textContent('#acts tbody tr')).toContain('Выставлен');
    await screenshot(p, 'deal-tab');

    await frame.click('text=Отметить оригинал полученным');
    await frame.waitForSelector('#acts .state-signed_original_received', { timeout: 10_000 });
    expect(await frame.textContent('#acts tbody tr')).toContain('Оригинал получен');
    expect(await frame.$('text=Отметить оригинал полученным')).toBeNull();
    expect(h.sandbox.crm.commentsOf('deal', dealId).some((c) => String(c.COMMENT).includes('Получен подписанный оригинал акта № 1'))).toBe(true);
    await screenshot(p, 'deal-tab-signed');

    // Keyboard: «Отправить ещё раз» is reachable by Tab and says what it sends.
    const label = await frame.getAttribute('#acts [data-resend]', 'aria-label');
    expect(label).toBe('Отправить клиенту ещё раз: Акт № 1');
    await p.context().close();
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('explains an empty deal', async () => {
    h = await suite.start({ worker: false });
    await h.install();
    const p = await suite.page();
    await p.goto(`${h.sandbox.baseUrl}/portal/deal/${h.seed.deals.soleTrader}?user=${h.seed.users.manager}`);
    const frame = await appFrame(p);
    await frame.waitForSelector('.deal-empty');
    expect(await frame.textContent('.deal-empty')).toContain('QR-биллинг: выставить счёт');
    await screenshot(p, 'deal-tab-empty');
    await p.context().close();
  });
});

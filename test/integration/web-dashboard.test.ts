/**
 * The dashboard as a manager reads it, over invoices the robots issued, payments that came from 1C, the overdue
 * ladder walking on the sandbox clock and a lease billing itself: this month's totals, a year of billed against
 * collected, who owes how long and how much penalty, which reminder went out, and the lease deals coming up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { atMoscow, runRobot } from './invoicing-kit.js';
import { openFrame, page, textOf } from '../web/webKit.js';
import { SOLE_TRADER, billingSettings, invoiceFor, openFrameAsUser, pay, walkDays } from '../web/dashboardKit.js';

/** The chart's data as the page hands it to its script. */
function chartData(html: string): { labels: string[]; series: Array<{ label: string; kopecks: number[] }> } {
  const m = /<script type="application\/json" id="flow-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m, 'chart data block').not.toBeNull();
  return JSON.parse(m![1]!) as never;
}

/** The visible text of one table row of the overdue list, by invoice id. */
function overdueRow(html: string, invoiceId: number): string {
  const m = new RegExp(`<tr data-invoice="${invoiceId}">([\\s\\S]*?)</tr>`).exec(html);
  expect(m, `overdue row of invoice ${invoiceId}`).not.toBeNull();
  return textOf(m![1]!).trim();
}

describe.each(databaseEngines())('the dashboard on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('shows the month, a year of billed vs collected, the overdue invoices with days, penalty and step, and the lease dates ahead', async () => {
    h = await startHarness(engine, { now: '2026-10-05T10:00:00+03:00' });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    await billingSettings(h);

    // October: an invoice paid in full before its due date.
    const october = await invoiceFor(h, h.seed.deals.soleTrader, '2026-10');
    expect(october).toMatchObject({ amount_due: 25000 });
    await pay(h, '2026-10-08', '501', 2_500_000, SOLE_TRADER, october.invoice_number);

    // November: two invoices; one paid 10 000 ₽ before its due date, the other not at all.
    await atMoscow(h, '2026-11-02T09:00:00');
    const office = await invoiceFor(h, h.seed.deals.tenant, '2026-11');
    const store = await invoiceFor(h, h.seed.deals.soleTrader, '2026-11');
    expect(office).toMatchObject({ status: 'ok', due_date: '2026-11-07' });
    expect(store).toMatchObject({ status: 'ok', due_date: '2026-11-07' });
    await pay(h, '2026-11-05', '502', 1_000_000, SOLE_TRADER, store.invoice_number);
    // The ladder walks day by day: the reminder before the due date, then manager, head, accountants, the letter.
    await walkDays(h, ['2026-11-04', '2026-11-08', '2026-11-10', '2026-11-12', '2026-11-14', '2026-11-17']);
    // A lease from December: its first deal is due on 26.11 (five days before the period), within the 30 days shown.
    const lease = (await runRobot(h, 'start_lease_billing', h.seed.deals.tenant, { lease_start: '2026-12-01', period: 'month', bill_days_before: '5', contract_number: 'А-21' })).answer;
    expect(lease).toMatchObject({ status: 'ok', next_control_date: '2026-11-26' });

    const opened = await openFrameAsUser(h, { userId: h.seed.users.manager });
    const p = await page(h, opened.token, 'dashboard');
    expect(p.status).toBe(200);
    const text = textOf(p.html);

    expect(text).toContain('Итоги за ноябрь 2026');
    expect(text).toMatch(/Выставлено 50 000,00 ₽ счетов: 2/);
    expect(text).toMatch(/Оплачено 10 000,00 ₽ платежей: 1/);
    expect(text).toMatch(/Просрочено 40 000,00 ₽ счетов: 2, на сегодня/);

    const chart = chartData(p.html);
    expect(chart.labels).toHaveLength(12);
    expect(chart.labels[0]).toBe('дек 2025');
    expect(chart.labels[11]).toBe('ноя 2026');
    expect(chart.series.map((s) => s.label)).toEqual(['Выставлено', 'Оплачено']);
    expect(chart.series[0]!.kopecks.slice(9)).toEqual([0, 2_500_000, 5_000_000]); // Sep, Oct, Nov
    expect(chart.series[1]!.kopecks.slice(9)).toEqual([0, 2_500_000, 1_000_000]);
    expect(chart.series[0]!.kopecks.slice(0, 9).every((k) => k === 0)).toBe(true);
    // The canvas says it in words, and the same figures are in a table for screen readers.
    expect(p.html.replace(/\u00a0/g, ' ')).toMatch(/<canvas id="flow-chart" role="img" aria-label="С дек 2025 по ноя 2026 выставлено 75 000,00 ₽, оплачено 35 000,00 ₽\."/);
    expect(text).toMatch(/октябрь 2026 25 000,00 ₽ 25 000,00 ₽/);

    // Ten days overdue at 0.1 % a day: 250,00 ₽ on 25 000 ₽, 150,00 ₽ on the 15 000 ₽ left after the early part payment.
    const officeRow = overdueRow(p.html, Number(office.invoice_id));
    expect(officeRow).toContain('ООО «Арендатор»');
    expect(officeRow).toContain(`№ ${String(office.invoice_number)} от 02.11.2026`);
    expect(officeRow).toContain('срок оплаты 07.11.2026');
    expect(officeRow).toMatch(/25 000,00 ₽ 10 250,00 ₽/);
    expect(officeRow).toContain('клиенту отправлено письмо о просрочке 7-й день просрочки');
    const storeRow = overdueRow(p.html, Number(store.invoice_id));
    expect(storeRow).toContain('ИП Смирнов');
    expect(storeRow).toMatch(/15 000,00 ₽ 10 150,00 ₽/);
    expect(storeRow).toContain('клиенту отправлено письмо о просрочке 7-й день просрочки'); // a part payment does not pause the ladder
    // Each links to its deal in the portal, out of the frame.
    const portal = new URL(h.sandbox.baseUrl).origin;
    expect(p.html).toContain(`href="${portal}/crm/deal/details/${h.seed.deals.tenant}/" target="_top"`);
    // The October invoice was paid: not in the list.
    expect(p.html).not.toContain(`data-invoice="${String(october.invoice_id)}"`);

    expect(text).toContain('Аренда: ближайшие контрольные даты');
    expect(text).toMatch(/26\.11\.2026 Аренда офиса 301 — ООО «Арендатор» декабрь 2026 25 000,00 ₽/);
    expect(p.html).toMatch(/<li data-schedule="\d+" data-control-date="2026-11-26">/);
    expect((p.html.match(/data-control-date=/g) ?? []).length).toBe(1); // January's (27.12) is beyond 30 days

    // Once the first lease deal is created it leaves the list; January's deal shows when 27.12 comes within 30 days.
    await atMoscow(h, '2026-11-26T09:05:00');
    const dashboard = async () => textOf((await page(h, (await openFrameAsUser(h, { userId: h.seed.users.manager })).token, 'dashboard')).html);
    expect(await dashboard()).toContain('В ближайшие 30 дней сделки по договорам аренды не создаются');
    await atMoscow(h, '2026-11-28T09:05:00');
    expect(await dashboard()).toMatch(/27\.12\.2026 Аренда офиса 301 — ООО «Арендатор» январь 2027 25 000,00 ₽/);
  });

  it('reads well on a new portal: zeros, and words instead of empty tables', async () => {
    h = await startHarness(engine, { worker: false, now: '2026-11-25T09:00:00+03:00' });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    const ru = textOf((await page(h, (await openFrame(h)).token, 'dashboard')).html);
    expect(ru).toContain('Итоги за ноябрь 2026');
    expect(ru).toMatch(/Выставлено 0,00 ₽ счетов: 0/);
    expect(ru).toContain('За последние 12 месяцев счетов и оплат ещё не было');
    expect(ru).toContain('Просроченных счетов нет');
    expect(ru).toContain('В ближайшие 30 дней сделки по договорам аренды не создаются');
    const en = await page(h, (await openFrame(h, { lang: 'en' })).token, 'dashboard');
    expect(textOf(en.html)).toContain('Totals for November 2026');
    expect(textOf(en.html)).toContain('No overdue invoices');
    expect(en.html).not.toContain('flow-chart');
  });
});

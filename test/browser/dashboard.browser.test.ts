/**
 * The dashboard in Chromium as a portal user meets it: the sandbox's portal page opens the app with the frame POST,
 * and over four months of invoices the robots issued, payments from 1C, the overdue ladder and a lease, the page
 * shows this month's totals, draws the chart, lists who owes and what is coming. Screenshot at 1280×800.
 */
import { describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/harness.js';
import { runRobot } from '../integration/invoicing-kit.js';
import { SOLE_TRADER, TENANT, billingSettings, invoiceFor, openFrameAsUser, pay, walkDays } from '../web/dashboardKit.js';
import { appFrame, browserSuite, screenshot } from './chromium.js';


describe('the dashboard in Chromium', () => {
  const suite = browserSuite();
  let h: Harness;


  it('shows the totals, draws the chart, lists the overdue invoices and the lease dates', async () => {
    h = await suite.start({ now: '2026-08-03T09:00:00+03:00' });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    await billingSettings(h);
    // August to October: both tenants invoiced each month and paid, the warehouse in part in September.
    const months: Array<[string, string]> = [['2026-08', '03'], ['2026-09', '01'], ['2026-10', '01']];
    let n = 100;
    for (const [ym, day] of months) {
      await walkDays(h, [`${ym}-${day}`]);
      const office = await invoiceFor(h, h.seed.deals.tenant, ym);
      const store = await invoiceFor(h, h.seed.deals.soleTrader, ym);
      await pay(h, `${ym}-04`, String(n++), 2_500_000, TENANT, office.invoice_number);
      await pay(h, `${ym}-05`, String(n++), ym === '2026-09' ? 1_500_000 : 2_500_000, SOLE_TRADER, store.invoice_number);
    }
    // November: the office is not paid and walks the ladder; a lease from December has its first date on 26.11.
    await walkDays(h, ['2026-11-02']);
    const office = await invoiceFor(h, h.seed.deals.tenant, '2026-11');
    const store = await invoiceFor(h, h.seed.deals.soleTrader, '2026-11');
    await pay(h, '2026-11-05', String(n++), 2_500_000, SOLE_TRADER, store.invoice_number);
    await walkDays(h, ['2026-11-04', '2026-11-08', '2026-11-10', '2026-11-12', '2026-11-14', '2026-11-17']);
    await runRobot(h, 'start_lease_billing', h.seed.deals.noRequisites, { lease_start: '2026-12-01', period: 'month', bill_days_before: '5' });
    await openFrameAsUser(h); // the portal's request budget is back

    const p = await suite.page();
    const errors: string[] = [];
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`${h.sandbox.baseUrl}/portal/app?user=${h.seed.users.manager}`);
    const frame = await appFrame(p);
    await frame.waitForSelector('h1');
    expect(await frame.textContent('h1')).toBe('Итоги за ноябрь 2026');
    const total = async (which: string) => ((await frame.textContent(`[data-total="${which}"] .sum`)) ?? '').replace(/\s/g, ' ');
    expect(await total('issued')).toBe('50 000,00 ₽');
    expect(await total('paid')).toBe('25 000,00 ₽');
    expect(await total('overdue')).toBe('35 000,00 ₽'); // the office's 25 000 and September's remaining 10 000

    // Chart.js drew the bars: the canvas has its size and is not blank.
    await frame.waitForSelector('#flow-chart[data-rendered="true"]');
    const drawn = await frame.evaluate(() => {
      const c = document.getElementById('flow-chart') as HTMLCanvasElement;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) painted++;
      return { width: c.clientWidth, height: c.clientHeight, painted, label: c.getAttribute('aria-label') };
    });
    expect(drawn.width).toBeGreaterThan(500);
    expect(drawn.height).toBeGreaterThan(150);
    expect(drawn.painted).toBeGreaterThan(5000);
    expect(drawn.label?.replace(/\s/g, ' ')).toBe('С дек 2025 по ноя 2026 выставлено 200 000,00 ₽, оплачено 165 000,00 ₽.');

    const rows = await frame.$$eval('table.overdue tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).innerText.replace(/\s+/g, ' ')));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('ИП Смирнов'); // September's remainder: the longest overdue first
    expect(rows[1]).toContain('ООО «Арендатор»');
    expect(rows[1]).toMatch(/25 000,00 ₽ 10 250,00 ₽ клиенту отправлено письмо о просрочке 7-й день просрочки/);
    expect(await frame.getAttribute(`tr[data-invoice="${String(office.invoice_id)}"] a`, 'target')).toBe('_top');
    expect(await frame.textContent('.lease-dates')).toContain('26.11.2026');

    // Nothing spills sideways in the 1280-pixel frame.
    expect(await frame.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await screenshot(p, 'dashboard');
    await p.context().close();
    expect(errors, errors.join('\n')).toEqual([]);
  });
});

/**
 * The accountant's afternoon in Chromium: the app opened from the portal's page, «Платежи», a 1C statement chosen
 * in the file input and uploaded with a progress bar, the decisions read line by line, then «Счета» shows the
 * invoice paid. Screenshots at 1280×800 go to test-results/.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Harness } from '../helpers/harness.js';
import { appFrame, browserSuite, screenshot } from './chromium.js';
import { SOLE_TRADER, TENANT, issueAt, moreLike, purposeFor, statementFile } from '../web/billingKit.js';
import { importStatement } from '../../src/payments/apply.js';


describe('payments in Chromium', () => {
  const suite = browserSuite();
  let h: Harness;


  it('uploads a statement through the page and sees the invoice paid', async () => {
    h = await suite.start({ now: '2026-12-01T09:00:00+03:00' });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    const rent = await issueAt(h, '2026-12-01T10:00:00', h.seed.deals.tenant!);
    const store = await issueAt(h, '2026-12-01T10:05:00', h.seed.deals.soleTrader!);
    // Yesterday's payment by a third party already waits in the queue.
    await importStatement(h.server.deps, h.sandbox.memberId, statementFile([
      { number: '41', date: '2026-12-02', amountKopecks: store.amountKopecks, payer: { name: 'Смирнова Ольга Петровна', inn: '500100732259', account: '40817810099910004312' }, purpose: `Оплата за ИП Смирнов П.И. по счету ${store.number}` },
    ]));
    h.clock.set('2026-12-04T11:00:00+03:00');
    const dir = mkdtempSync(path.join(tmpdir(), 'qrbill-upload-'));
    const file = path.join(dir, 'kl_to_1c.txt');
    writeFileSync(file, statementFile([
      { number: '588', date: '2026-12-03', amountKopecks: rent.amountKopecks, payer: TENANT, purpose: purposeFor(rent) },
      { number: '77', date: '2026-12-03', amountKopecks: 1_000_000, payer: SOLE_TRADER, purpose: 'Оплата аренды склада' },
    ]));

    const p = await suite.page();
    const errors: string[] = [];
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`${h.sandbox.baseUrl}/portal/app?user=${h.seed.users.admin}&lang=ru`);
    let frame = await appFrame(p, 'Итоги за');
    await frame.click('header nav >> text=Платежи');
    frame = await appFrame(p, 'Платежи');
    expect(await frame.textContent('#queue-h')).toContain('платежей: 1');
    expect(await frame.textContent('ul.queue')).toContain('Смирнова Ольга Петровна');
    await screenshot(p, 'payments-queue');

    // Everything the status line says while the file goes up and is worked on.
    await frame.evaluate(() => {
      const w = window as unknown as { seen: string[] };
      w.seen = [];
      const text = document.getElementById('upload-text')!;
      new MutationObserver(() => w.seen.push(text.textContent ?? '')).observe(text, { childList: true, characterData: true, subtree: true });
    });
    // Submitting without a file says so by the field.
    await frame.click('#statement-form button[type=submit]');
    expect(await frame.textContent('#statement-form .field-error')).toBe('Выберите файл выписки.');
    await frame.setInputFiles('#statement', file);
    expect(await frame.textContent('#statement-name')).toBe('kl_to_1c.txt');
    await frame.click('#statement-form button[type=submit]');
    await frame.waitForSelector('#upload-status.done');
    const seen = await frame.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen[0]).toMatch(/^Загрузка: \d+ %$/);
    expect(seen).toContain('Файл загружен, сервис разбирает выписку и сопоставляет платежи…');
    expect(seen[seen.length - 1]).toBe('Выписка обработана: документов 2.');
    expect(await frame.isVisible('#upload-progress')).toBe(true);
    expect(await frame.getAttribute('#upload-progress', 'value')).toBe('100');

    const rows = await frame.$$eval('#decisions tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.replace(/\s+/g, ' ').trim())));
    expect(rows).toHaveLength(2);
    expect(rows[0]!.slice(0, 6)).toEqual([
      '03.12.2026', '588', `ООО «Арендатор» ИНН ${TENANT.inn}`,
      `${new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2 }).format(rent.amountKopecks / 100).replace(/\u00a0|\u202f/g, ' ')} ₽`,
      'Оплачен счёт', `№ ${rent.number}`,
    ]);
    expect(rows[1]![4]).toBe('Не сопоставлен');
    expect(rows[1]![5]).toBe(`возможно, № ${store.number}`);
    expect(await frame.textContent('#decision-counts')).toBe('Оплачен счёт: 1 · Не сопоставлен: 1');
    await screenshot(p, 'payments-uploaded');

    await frame.click('header nav >> text=Счета');
    frame = await appFrame(p, 'Счета');
    const row = await frame.innerText(`tr[data-invoice="${rent.number}"]`);
    expect(row).toContain('Оплачен');
    expect(row).not.toContain('Выставлен');
    await screenshot(p, 'invoices-list');

    // Filter by keyboard: state «Оплачен», Enter on «Показать».
    await frame.selectOption('select[name=state]', 'paid');
    await frame.focus('form.filters button[type=submit]');
    await Promise.all([frame.waitForURL(/state=paid/), p.keyboard.press('Enter')]);
    frame = await appFrame(p, 'Счета');
    expect(await frame.$$eval('tr[data-invoice]', (trs) => trs.map((tr) => tr.getAttribute('data-invoice')))).toEqual([rent.number]);
    await screenshot(p, 'invoices-paid');
    await p.context().close();
    expect(errors, errors.join('\n')).toEqual([]);
  }, 120_000);

  it('a manager reads the payments without buttons and pages through the invoices by keyboard', async () => {
    h = await suite.start({ now: '2026-12-01T09:00:00+03:00' });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    const rent = await issueAt(h, '2026-12-01T10:00:00', h.seed.deals.tenant!);
    await moreLike(h, rent, Array.from({ length: 60 }, (_, i) => ({ from: `2025-${String(1 + (i % 12)).padStart(2, '0')}-01`, to: `2025-${String(1 + (i % 12)).padStart(2, '0')}-28` })));
    await importStatement(h.server.deps, h.sandbox.memberId, statementFile([
      { number: '41', date: '2026-12-02', amountKopecks: 1_234_500, payer: SOLE_TRADER, purpose: 'Оплата аренды' },
    ]));
    h.clock.set('2026-12-09T11:00:00+03:00');
    const p = await suite.page();
    await p.goto(`${h.sandbox.baseUrl}/portal/app?user=${h.seed.users.manager}&lang=ru`);
    let frame = await appFrame(p, 'Итоги за');
    await frame.click('header nav >> text=Платежи');
    frame = await appFrame(p, 'Платежи');
    expect(await frame.textContent('main')).toContain('Вам доступен просмотр');
    expect(await frame.$('#statement-form')).toBeNull();
    expect(await frame.$('[data-api-click]')).toBeNull();
    await screenshot(p, 'payments-readonly');

    await frame.click('header nav >> text=Счета');
    frame = await appFrame(p, 'Счета');
    expect(await frame.$$('tr[data-invoice]')).toHaveLength(50);
    expect(await frame.textContent('.pager')).toContain('Страница 1 из 2');
    // Tab to «Дальше →» and press Enter.
    await frame.focus('.pager a[aria-current=page]');
    for (let i = 0; i < 3 && !(await frame.evaluate(() => document.activeElement?.getAttribute('rel') === 'next')); i++) await p.keyboard.press('Tab');
    expect(await frame.evaluate(() => document.activeElement?.textContent)).toBe('Дальше →');
    await p.keyboard.press('Enter');
    frame = await appFrame(p, 'Счета');
    await frame.waitForSelector('.pager a[aria-current=page]:has-text("2")');
    expect(await frame.$$('tr[data-invoice]')).toHaveLength(11);
    expect(await frame.textContent(`tr[data-invoice="${rent.number}"]`)).toContain('Просрочен');
    await screenshot(p, 'invoices-page-2');
    await Promise.all([frame.waitForURL(/page=1/), frame.click('.pager a[rel=prev]')]);
    frame = await appFrame(p, 'Счета');
    await screenshot(p, 'invoices-page-1');
    await (await frame.$('main'))!.evaluate((m) => window.scrollTo(0, m.scrollHeight));
    await p.screenshot({ path: 'test-results/invoices-pager.png' });
    await p.context().close();
  }, 120_000);
});

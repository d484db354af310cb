/**
 * The invoice list as an accountant uses it: invoices issued by the robot over three months, one paid by a 1C
 * statement, one past due; filtered by period, state, client and responsible, paged 50 at a time, opened as PDF,
 * and exported to CSV that Russian Excel reads (read back here with csv-parse).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { openFrame, page, textOf } from '../web/webKit.js';
import { fetchFile } from './invoicing-kit.js';
import { SOLE_TRADER, TENANT, issueAt, moreLike, purposeFor, statementFile, type Issued } from '../web/billingKit.js';
import { importStatement } from '../../src/payments/apply.js';

/** The invoice numbers a list page shows, top to bottom. */
const numbersOn = (html: string) => [...html.matchAll(/<tr data-invoice="([^"]+)"/g)].map((m) => m[1]);
/** An attribute's value as the browser reads it (Handlebars escapes `=` and `&`). */
const attr = (v: string | undefined) => (v ?? '').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const csvUrl = (html: string) => attr(/<a class="btn light csv" href="([^"]+)"/.exec(html)?.[1]);

describe.each(databaseEngines())('the invoice list on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  /** October (tenant, now overdue), November (sole trader, Анна Сидорова responsible, paid), December (tenant, open). */
  async function threeMonths(): Promise<{ oct: Issued; nov: Issued; dec: Issued; token: string }> {
    h = await startHarness(engine, { now: '2026-10-01T09:00:00+03:00' });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    h.sandbox.crm.deals.get(h.seed.deals.soleTrader!)!.ASSIGNED_BY_ID = h.seed.users.head;
    const oct = await issueAt(h, '2026-10-01T10:00:00', h.seed.deals.tenant!, { period_from: '2026-10-01', period_to: '2026-10-31' });
    const nov = await issueAt(h, '2026-11-02T10:00:00', h.seed.deals.soleTrader!, { period_from: '2026-11-01', period_to: '2026-11-30' });
    const dec = await issueAt(h, '2026-12-01T10:00:00', h.seed.deals.tenant!, { period_from: '2026-12-01', period_to: '2026-12-31' });
    const file = statementFile([{ number: '77', date: '2026-11-05', amountKopecks: nov.amountKopecks, payer: SOLE_TRADER, purpose: purposeFor(nov) }]);
    const { decisions } = await importStatement(h.server.deps, h.sandbox.memberId, file);
    expect(decisions.map((d) => d.result)).toEqual(['paid']);
    h.clock.set('2026-12-03T12:00:00+03:00');
    const { token } = await openFrame(h, { userId: h.seed.users.accountant });
    return { oct, nov, dec, token };
  }

  it('shows each invoice with its state, amount, client, responsible and PDF, and filters them on the server', async () => {
    const { oct, nov, dec, token } = await threeMonths();
    const all = await page(h, token, 'invoices');
    expect(all.status).toBe(200);
    expect(numbersOn(all.html)).toEqual([dec.number, nov.number, oct.number]); // newest first
    const text = textOf(all.html);
    expect(text).toContain(`Найдено счетов: 3 на`);
    const row = (n: string) => textOf(/<tr data-invoice="[^"]+">[\s\S]*?<\/tr>/g.exec(all.html.slice(all.html.indexOf(`data-invoice="${n}"`) - 4))![0]);
    expect(row(oct.number)).toMatch(/Просрочен/);
    expect(row(oct.number)).toContain('ООО «Арендатор» ИНН 5027123457');
    expect(row(oct.number)).toContain('Пётр Петров');
    expect(row(nov.number)).toMatch(/Оплачен/);
    expect(row(nov.number)).toContain('Анна Сидорова');
    expect(row(dec.number)).toMatch(/Выставлен/);
    // Amounts as Russians write them, with the kopecks.
    const rub = (k: number) => `${new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2 }).format(k / 100).replace(/\u00a0|\u202f/g, ' ')} ₽`;
    expect(row(nov.number)).toContain(`${rub(nov.amountKopecks)} ${rub(nov.amountKopecks)}`); // amount and paid
    expect(row(dec.number)).toContain(`${rub(dec.amountKopecks)} 0,00 ₽`);
    expect(row(dec.number)).toContain('01.12.2026');
    // The PDF link is the robot's own signed link, and opens the invoice.
    expect(all.html).toContain(`href="${dec.url}"`);
    const pdf = await fetchFile(dec.url);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');

    const only = async (q: string) => numbersOn((await page(h, token, `invoices?${q}`)).html);
    expect(await only('state=overdue')).toEqual([oct.number]);
    expect(await only('state=paid')).toEqual([nov.number]);
    expect(await only('state=issued')).toEqual([dec.number]);
    expect(await only('state=cancelled')).toEqual([]);
    expect(await only(`client=inn:${TENANT.inn}`)).toEqual([dec.number, oct.number]);
    expect(await only(`client=inn:${SOLE_TRADER.inn}`)).toEqual([nov.number]);
    expect(await only(`responsible=${h.seed.users.head}`)).toEqual([nov.number]);
    expect(await only(`responsible=${h.seed.users.manager}&state=overdue`)).toEqual([oct.number]);
    expect(await only('from=2026-11-01&to=2026-11-30')).toEqual([nov.number]);
    expect(await only('from=2026-11-01')).toEqual([dec.number, nov.number]);
    // Nonsense in the query is ignored, not an error.
    expect(await only('from=yesterday&state=lost&responsible=x')).toHaveLength(3);
    const none = await page(h, token, `invoices?client=inn:${SOLE_TRADER.inn}&state=overdue`);
    expect(textOf(none.html)).toContain('Нет счетов по такому отбору');

    // The filter's choices come from what was issued: both clients and both responsible users.
    const form = textOf(all.html.slice(all.html.indexOf('<form'), all.html.indexOf('</form>')));
    expect(form).toContain(`ООО «Арендатор» (${TENANT.inn})`);
    expect(form).toContain('ИП Смирнов');
    expect(form).toContain('Анна Сидорова');
    expect(form).toContain('Пётр Петров');
    // The filter sent back keeps its values.
    const filtered = await page(h, token, `invoices?state=paid&responsible=${h.seed.users.head}`);
    expect(filtered.html).toMatch(/<option value="paid" selected>/);
    expect(filtered.html).toMatch(new RegExp(`<option value="${h.seed.users.head}" selected>`));

    // In English when the portal speaks English.
    const en = textOf((await page(h, (await openFrame(h, { lang: 'en' })).token, 'invoices?state=overdue')).html);
    expect(en).toContain('Invoices found: 1');
    expect(en).toContain('Overdue');
    expect(en).toContain('Download CSV');
  });

  it('pages 50 at a time and exports every filtered invoice as CSV for Russian Excel', async () => {
    const { oct, nov, dec, token } = await threeMonths();
    // 52 more tenant invoices like the December one (weekly periods of 2025): 55 in all, two pages.
    const weeks = Array.from({ length: 52 }, (_, i) => ({
      from: new Date(Date.UTC(2025, 0, 1 + i * 7)).toISOString().slice(0, 10),
      to: new Date(Date.UTC(2025, 0, 7 + i * 7)).toISOString().slice(0, 10),
    }));
    const more = await moreLike(h, dec, weeks);
    const first = await page(h, token, 'invoices');
    expect(numbersOn(first.html)).toHaveLength(50);
    expect(textOf(first.html)).toContain('Найдено счетов: 55');
    expect(textOf(first.html)).toContain('Страница 1 из 2');
    const next = attr(/<a href="([^"]+)" rel="next">/.exec(first.html)?.[1]);
    expect(next).toContain('page=2');
    const second = await fetch(`${h.url}${next}`).then((r) => r.text());
    expect(numbersOn(second)).toHaveLength(5);
    expect(new Set([...numbersOn(first.html), ...numbersOn(second)]).size).toBe(55);
    expect(numbersOn(second).slice(-3)).toEqual([dec.number, nov.number, oct.number]);
    expect(second).toMatch(/<a href="[^"]+" aria-current="page" aria-label="Страница 2">2<\/a>/);
    expect(second).toContain('rel="prev"');

    // CSV of the filter «the tenant's invoices»: all 54, not just one page.
    const pageWithFilter = await page(h, token, `invoices?client=inn:${TENANT.inn}`);
    const link = csvUrl(pageWithFilter.html);
    expect(link).toContain('/bitrix/app/page/invoices.csv?');
    expect(link).toContain(`client=inn%3A${TENANT.inn}`);
    const res = await fetch(`${h.url}${link}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment;/);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!)).toBe('Счета 03.12.2026.csv');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel reads UTF-8
    const body = bytes.toString('utf8');
    expect(body.split('\r\n').length).toBe(56); // header + 54 rows + the final CRLF
    expect(body.replace(/\r\n/g, '')).not.toContain('\n');
    const records = parse(bytes, { bom: true, delimiter: ';', record_delimiter: '\r\n' }) as string[][];
    expect(records[0]).toEqual(['Номер', 'Дата', 'Оплатить до', 'Период', 'Клиент', 'ИНН', 'Ответственный', 'Сумма', 'Оплачено', 'Состояние', 'Ссылка на счёт (PDF)']);
    const rows = records.slice(1);
    expect(rows).toHaveLength(54);
    expect(rows.map((r) => r[0])).not.toContain(nov.number);
    const decRow = rows.find((r) => r[0] === dec.number)!;
    expect(decRow.slice(1, 10)).toEqual([
      '01.12.2026', '06.12.2026', '01.12.2026–31.12.2026', 'ООО «Арендатор»', TENANT.inn, 'Пётр Петров',
      (dec.amountKopecks / 100).toFixed(2).replace('.', ','), '0,00', 'Выставлен',
    ]);
    expect(decRow[10]).toBe(dec.url);
    expect(rows.find((r) => r[0] === oct.number)![9]).toBe('Просрочен');
    expect(rows.find((r) => r[0] === more[0]!.number)![3]).toBe('01.01.2025–07.01.2025');

    // Paid filter in the CSV too: the one paid invoice, its paid amount with a decimal comma.
    const paid = parse(Buffer.from(await (await fetch(`${h.url}${csvUrl((await page(h, token, 'invoices?state=paid')).html)}`)).arrayBuffer()), { bom: true, delimiter: ';' }) as string[][];
    expect(paid.slice(1).map((r) => [r[0], r[8], r[9]])).toEqual([[nov.number, (nov.amountKopecks / 100).toFixed(2).replace('.', ','), 'Оплачен']]);

    // The export needs the session like any page.
    expect((await fetch(`${h.url}/bitrix/app/page/invoices.csv?s=forged`)).status).toBe(401);
  }, 180_000);
});

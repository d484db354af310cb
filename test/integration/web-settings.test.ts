/**
 * The settings page as a portal admin uses it: values saved through the page are what the robots and the CLI then
 * use, a bad value is named next to its field and changes nothing, a non-admin reads but cannot change, API keys
 * for 1C are shown once and stop working when revoked, and letters are previewed from a real invoice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { action, openFrame, page, textOf } from '../web/webKit.js';
import { runRobot, settle } from './invoicing-kit.js';
import { getPortalSettings } from '../../src/settings/portalSettings.js';
import { getPortal } from '../../src/storage/portals.js';
import { listSequences } from '../../src/storage/numbering.js';

const run = promisify(execFile);

describe.each(databaseEngines())('the settings page on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const start = async () => {
    h = await startHarness(engine, { now: '2026-12-01T09:00:00+03:00' });
    await h.install();
    h.sandbox.setAppHandler(`${h.url}/bitrix/app`);
    return (await openFrame(h, { userId: h.seed.users.admin })).token;
  };
  const issues = (r: { body: Record<string, unknown> }) => (r.body.issues as Array<{ path: string; message: string }>) ?? [];

  it('an admin saves valid values and the robots and the CLI use them', async () => {
    const token = await start();
    const shown = await page(h, token, 'settings');
    expect(shown.status).toBe(200);
    for (const heading of ['Продавцы («Мои компании»)', 'Документы', 'Нумерация документов', 'Письма клиентам', 'Просрочка и напоминания', 'API-ключи для 1С']) {
      expect(textOf(shown.html)).toContain(heading);
    }
    expect(Buffer.byteLength(shown.html)).toBeLessThan(300_000);

    const saved = await action(h, token, 'POST', '/settings', {
      'vatOverride.mode': 'included',
      'vatOverride.rate': '22',
      dueDays: '10',
      invoiceNumberTemplate: 'АР-{yy}-{seq:3}',
      actNumberTemplate: '{seq}',
      qrMode: 'gost',
      bankPaymentLink: '',
      timeZone: 'Asia/Yekaterinburg',
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const overdue = await action(h, token, 'POST', '/settings', {
      'escalation.present': '1',
      'escalation.0.day': '-2', 'escalation.0.hour': '10:00', 'escalation.0.action': 'client_reminder',
      'escalation.1.day': '4', 'escalation.1.hour': '', 'escalation.1.action': 'notify_accountants',
      accountantEmails: 'buh@arendodatel.example, glavbuh@arendodatel.example',
      accountantUserIds: '4',
      'penalty.mode': 'on', 'penalty.ratePerDayPercent': '0,1', 'penalty.capPercent': '10',
      reminderPauseBelowRub: '100',
    });
    expect(overdue.status, JSON.stringify(overdue.body)).toBe(200);

    const settings = await getPortalSettings(h.database.db, h.sandbox.memberId);
    expect(settings).toMatchObject({
      dueDays: 10,
      invoiceNumberTemplate: 'АР-{yy}-{seq:3}',
      vatOverride: { mode: 'included', rate: 22 },
      escalation: [
        { day: -2, hour: '10:00', action: 'client_reminder' },
        { day: 4, hour: '09:00', action: 'notify_accountants' },
      ],
      accountantEmails: ['buh@arendodatel.example', 'glavbuh@arendodatel.example'],
      accountantUserIds: [4],
      penalty: { ratePerDayPercent: 0.1, capPercent: 10 },
      reminderPauseBelowRub: 100,
    });
    expect((await getPortal(h.database.db, h.sandbox.memberId))!.time_zone).toBe('Asia/Yekaterinburg');

    // The invoice robot numbers by the saved template and gives 10 days to pay.
    const { answer } = await runRobot(h, 'generate_invoice', h.seed.deals.tenant!);
    expect(answer.status, String(answer.error_text)).toBe('ok');
    expect(answer.invoice_number).toBe('АР-26-001');
    const days = (Date.parse(String(answer.due_date)) - Date.parse(String(answer.invoice_date))) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(10);
    // The CLI reads the same settings back.
    const cli = await run('npx', ['tsx', path.resolve('src/cli.ts'), 'settings', h.sandbox.memberId], {
      env: { ...process.env, DATA_DIR: h.database.dataDir, DATABASE_URL: h.database.databaseUrl ?? '' },
    });
    expect(JSON.parse(cli.stdout)).toMatchObject({ dueDays: 10, invoiceNumberTemplate: 'АР-{yy}-{seq:3}', accountantUserIds: [4] });

    // The page shows what was saved.
    const again = textOf((await page(h, token, 'settings')).html);
    expect(again).toContain('АР-26-001');
    expect((await page(h, token, 'settings')).html).toContain('value="АР-{yy}-{seq:3}"');
  });

  it('a bad value gets an error next to its field and nothing changes', async () => {
    const token = await start();
    const before = await getPortalSettings(h.database.db, h.sandbox.memberId);
    const bad = await action(h, token, 'POST', '/settings', {
      dueDays: '-1',
      invoiceNumberTemplate: 'СЧЁТ-{foo}',
      dueDaysExtra: 'ignored',
      qrMode: 'link',
      bankPaymentLink: '',
      timeZone: 'Mars/Olympus',
    });
    expect(bad.status).toBe(400);
    const byField = Object.fromEntries(issues(bad).map((i) => [i.path, i.message]));
    expect(byField.dueDays).toMatch(/от 0 до 365/);
    expect(byField.invoiceNumberTemplate).toMatch(/неизвестная подстановка \{foo\}/);
    expect(byField.timeZone).toMatch(/Mars\/Olympus/);
    expect(await getPortalSettings(h.database.db, h.sandbox.memberId)).toEqual(before);
    expect((await getPortal(h.database.db, h.sandbox.memberId))!.time_zone).toBe('Europe/Moscow');

    // A link QR without a link, a reminder after the due date, a wrong e-mail, a penalty rate out of range.
    const more = await action(h, token, 'POST', '/settings', {
      qrMode: 'link',
      bankPaymentLink: '',
      'escalation.present': '1',
      'escalation.0.day': '3', 'escalation.0.hour': '09:00', 'escalation.0.action': 'client_reminder',
      accountantEmails: 'buh@arendodatel.example, not-an-address',
      'penalty.mode': 'on', 'penalty.ratePerDayPercent': '12',
    });
    expect(more.status).toBe(400);
    const fields = issues(more).map((i) => i.path);
    expect(fields).toEqual(expect.arrayContaining(['escalation.0.day', 'accountantEmails', 'penalty.ratePerDayPercent']));
    expect(issues(more).find((i) => i.path === 'accountantEmails')!.message).toContain('not-an-address');
    expect(await getPortalSettings(h.database.db, h.sandbox.memberId)).toEqual(before);

    // Numbering continues 1C's numbers, but never below one already issued.
    const seller = '7704123450/770401001';
    const set = await action(h, token, 'POST', '/settings/numbering', { seller, kind: 'invoice', year: '2026', next: '1209' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await runRobot(h, 'generate_invoice', h.seed.deals.tenant!)).answer.invoice_number).toBe('1209');
    const lower = await action(h, token, 'POST', '/settings/numbering', { seller, kind: 'invoice', year: '2026', next: '1200' });
    expect(lower.status).toBe(400);
    expect(issues(lower)).toEqual([{ path: 'next', message: expect.stringContaining('1209 уже выдан') }]);
    const junk = await action(h, token, 'POST', '/settings/numbering', { seller: '7704123451/770401001', kind: 'invoice', year: '26', next: 'x' });
    expect(issues(junk).map((i) => i.path).sort()).toEqual(['next', 'seller', 'year']);
    expect((await listSequences(h.database.db, h.sandbox.memberId)).map((s) => s.lastSeq)).toEqual([1209]);
  });

  it('a non-admin sees the settings read-only and every change answers 403', async () => {
    await start();
    const { token } = await openFrame(h, { userId: h.seed.users.manager });
    const shown = await page(h, token, 'settings');
    expect(shown.status).toBe(200);
    expect(textOf(shown.html)).toContain('только для чтения');
    expect(shown.html).toContain('<fieldset disabled>');
    expect(shown.html).not.toContain('type="submit"');
    const before = await getPortalSettings(h.database.db, h.sandbox.memberId);
    for (const [p, body] of [
      ['/settings', { dueDays: '30' }],
      ['/settings/numbering', { seller: '7704123450/770401001', kind: 'invoice', year: '2026', next: '50' }],
      ['/settings/email-template', { template: 'invoice', subject: 'x', body: 'y' }],
      ['/settings/api-keys', { label: 'mine' }],
      ['/settings/api-keys/1/revoke', {}],
    ] as const) {
      const r = await action(h, token, 'POST', p, body);
      expect(r.status, p).toBe(403);
    }
    expect(await getPortalSettings(h.database.db, h.sandbox.memberId)).toEqual(before);
    // Reading is allowed: the sellers' check and the letter preview.
    expect((await action(h, token, 'GET', '/settings/crm')).status).toBe(200);
    expect((await action(h, token, 'POST', '/settings/email-preview', { template: 'invoice' })).status).toBe(200);

    // In English when the portal speaks English.
    const en = await openFrame(h, { lang: 'en' });
    const english = textOf((await page(h, en.token, 'settings')).html);
    for (const words of ['Sellers ("My companies")', 'Document numbering', 'Letters to clients', 'API keys for 1C']) expect(english).toContain(words);
  });

  it('an API key is shown once, authenticates the payments API, and stops working when revoked', async () => {
    const token = await start();
    const { answer } = await runRobot(h, 'generate_invoice', h.seed.deals.tenant!);
    const created = await action(h, token, 'POST', '/settings/api-keys', { label: '1С Бухгалтерия' });
    expect(created.status).toBe(200);
    const key = String(created.body.key);
    expect(key).toMatch(/^qrb_/);
    const info = created.body.info as { id: number; prefix: string };
    const listed = (await page(h, token, 'settings')).html;
    expect(listed).toContain('1С Бухгалтерия');
    expect(listed).toContain(`${info.prefix}…`);
    expect(listed).not.toContain(key);

    const pay = (idem: string) =>
      fetch(`${h.url}/api/v1/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idem },
        body: JSON.stringify({
          number: '15', date: '2026-12-02', amount: '1000.00', payer_inn: '5027123457', payer_name: 'ООО «Арендатор»',
          payer_account: '40702810801300012345', payee_account: '40702810138250123017', purpose: `Оплата по счёту № ${String(answer.invoice_number)}`,
        }),
      });
    const ok = await pay('p-1');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ result: 'partially_paid' });

    const revoked = await action(h, token, 'POST', `/settings/api-keys/${info.id}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect((await pay('p-2')).status).toBe(401);
    expect(textOf((await page(h, token, 'settings')).html)).toContain('отозван');
    expect((await action(h, token, 'POST', `/settings/api-keys/${info.id}/revoke`, {})).status).toBe(404);
    const long = await action(h, token, 'POST', '/settings/api-keys', { label: 'x'.repeat(101) });
    expect(issues(long)).toEqual([{ path: 'label', message: expect.stringContaining('100') }]);
  });

  it('previews a letter from a real invoice, and the saved wording is what the client receives', async () => {
    const token = await start();
    const none = await action(h, token, 'POST', '/settings/email-preview', { template: 'invoice' });
    expect(none.body).toMatchObject({ empty: true });

    const { answer } = await runRobot(h, 'generate_invoice', h.seed.deals.tenant!);
    const number = String(answer.invoice_number);
    const files = await action(h, token, 'POST', '/settings/email-preview', { template: 'invoice' });
    expect(files.status).toBe(200);
    expect(files.body.subject).toBe(`Счёт на оплату № ${number} от 01.12.2026 — ООО «Арендодатель»`);
    expect(textOf(String(files.body.html))).toContain('Сумма к оплате: 25 000,00 руб.');
    expect(textOf(String(files.body.html))).toContain('Плательщик: ООО «Арендатор»');
    // The document's own link, as the client would get it.
    expect(String(files.body.html)).toContain(`href="${h.url}/`);

    const edited = { template: 'invoice', subject: 'Счёт {{invoice.number}} для {{client.name}}', body: '<p>Сумма: {{invoice.amount}} руб.</p>' };
    const live = await action(h, token, 'POST', '/settings/email-preview', edited);
    expect(live.body.subject).toBe(`Счёт ${number} для ООО «Арендатор»`);
    expect(String(live.body.html)).toMatch(/Сумма: [\d\s\u00a0]+,\d\d руб\./);
    const broken = await action(h, token, 'POST', '/settings/email-preview', { ...edited, body: '<p>{{#if invoice}}</p>' });
    expect(broken.status).toBe(400);
    expect(issues(broken)[0]!.path).toBe('body');
    expect((await action(h, token, 'POST', '/settings/email-template', { ...edited, body: '{{#if}}' })).status).toBe(400);

    expect((await action(h, token, 'POST', '/settings/email-template', edited)).status).toBe(200);
    const sent = await runRobot(h, 'send_documents', h.seed.deals.tenant!, { documents: ['invoice'] });
    expect(sent.answer.status, String(sent.answer.error_text)).toBe('ok');
    await settle(h);
    const letters = h.sandbox.crm.activitiesOf(2, h.seed.deals.tenant!).filter((a) => a.TYPE_ID === 4);
    expect(letters.at(-1)!.SUBJECT).toBe(`Счёт ${number} для ООО «Арендатор»`);

    expect((await action(h, token, 'POST', '/settings/email-template', { template: 'invoice', reset: true })).status).toBe(200);
    expect((await getPortalSettings(h.database.db, h.sandbox.memberId)).emailTemplates).toEqual({});
  });

  it('lists the sellers from «Мои компании» with their requisites checked and a link to fix them', async () => {
    const token = await start();
    const portal = (await getPortal(h.database.db, h.sandbox.memberId))!;
    const good = await action(h, token, 'GET', '/settings/crm');
    expect(good.status).toBe(200);
    const sellers = good.body.sellers as Array<{ id: string; title: string; url: string; requisites: Array<{ inn: string; problems: unknown[] }> }>;
    expect(sellers).toHaveLength(1);
    // The company card on the portal the app was installed on (the origin of its REST endpoint, as every page links).
    expect(sellers[0]).toMatchObject({ title: 'ООО «Арендодатель»', url: `${new URL(portal.client_endpoint).origin}/crm/company/details/${sellers[0]!.id}/` });
    expect(sellers[0]!.requisites).toEqual([expect.objectContaining({ inn: '7704123450', problems: [] })]);
    expect((good.body.users as Array<{ name: string }>).map((u) => u.name)).toContain('Мария Кузнецова');

    // A typo in the INN and a missing account: named as the documents would refuse them.
    for (const rq of h.sandbox.crm.requisites.values()) if (rq.RQ_INN === '7704123450') rq.RQ_INN = '7704123451';
    for (const bd of h.sandbox.crm.bankDetails.values()) if (bd.RQ_ACC_NUM === '40702810138250123017') bd.RQ_ACC_NUM = '40702810138250123018';
    const bad = await action(h, token, 'GET', '/settings/crm');
    const problems = (bad.body.sellers as typeof sellers)[0]!.requisites[0]!.problems;
    expect(problems).toEqual([
      { field: 'seller.inn', message: 'Контрольное число ИНН не сходится' },
      { field: 'seller.bank.account', message: 'Расчётный счёт не соответствует БИК (неверный контрольный ключ)' },
    ]);
  });
});

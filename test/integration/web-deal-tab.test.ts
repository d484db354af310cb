/**
 * The deal card's «QR-биллинг» tab as a manager meets it, with documents the robots issued: the invoice with its
 * PDFs, payments and the overdue ladder step, the act and its signed original, the lease the deal belongs to, a
 * document sent again (one letter per click), an empty deal explained — and nothing for a forged frame or for a
 * deal id that is not this portal's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { action, openFrame, page, textOf } from '../web/webKit.js';
import { atMoscow, runRobot, settle } from './invoicing-kit.js';
import { applyPushedPayment } from '../../src/payments/apply.js';
import { updatePortalSettings } from '../../src/settings/portalSettings.js';
import { getDocument } from '../../src/storage/documents.js';

const DEAL_TAB = 'CRM_DEAL_DETAIL_TAB';
const CLICK_A = '11111111-2222-4333-8444-555555555555';
const CLICK_B = '66666666-7777-4888-9999-aaaaaaaaaaaa';

/** The hrefs of links marked data-file="…" in the page, in order. */
const fileLinks = (html: string, file: string) =>
  [...html.matchAll(new RegExp(`<a href="([^"]+)"[^>]*data-file="${file}"`, 'g'))].map((m) => m[1]!.replace(/&#x3D;/g, '='));

describe.each(databaseEngines())('the deal tab on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const deal = () => h.seed.deals.tenant;
  const emails = (dealId = deal()) => h.sandbox.crm.activitiesOf(2, dealId).filter((a) => a.TYPE_ID === 4 && a.DIRECTION === 2);

  /** The harness's day is 25.11.2026: an invoice issued then bills December. */
  async function start(now?: string) {
    h = await startHarness(engine, now ? { now } : {});
    await h.install();
  }

  /** Opens the tab as the portal does for `userId` on `dealId`; returns the session and the page's text. */
  async function openTab(userId: number, dealId = deal()) {
    const opened = await openFrame(h, { userId, placement: DEAL_TAB, options: { ID: dealId } });
    expect(opened.status).toBe(303);
    expect(opened.location).toMatch(new RegExp(`^/bitrix/app/page/deal\\?id=${dealId}&s=`));
    const p = await page(h, opened.token, `deal?id=${dealId}`);
    expect(p.status).toBe(200);
    return { token: opened.token, html: p.html, text: textOf(p.html) };
  }

  const pay = (number: string, date: string, kopecks: number, invoiceNumber: string) =>
    applyPushedPayment(h.server.deps, h.sandbox.memberId, {
      date, number, amountKopecks: kopecks, payerInn: '5027123457', payerName: 'ООО «Арендатор»',
      payerAccount: '40702810801300012345', payeeAccount: '40702810138250123017', purpose: `Оплата по счету № ${invoiceNumber}`,
    });

  it('shows the invoice with its PDFs, the overdue ladder step, the payments and the act, without the app navigation', async () => {
    await start('2026-11-25T09:00:00+03:00');
    const invoice = (await runRobot(h, 'generate_invoice', deal(), { due_days: '5' })).answer;
    expect(invoice).toMatchObject({ status: 'ok', invoice_number: '1', due_date: '2026-11-30' });
    await atMoscow(h, '2026-11-27T09:01:00'); // the reminder before the due date
    await atMoscow(h, '2026-12-01T09:00:00'); // first overdue day: the manager is told

    let tab = await openTab(h.seed.users.manager);
    expect(tab.html).not.toContain('<header class="top"'); // inside the CRM card: no app navigation
    expect(tab.text).toContain('Счета, акты и оплаты сделки');
    expect(tab.text).toMatch(/1 25\.11\.2026 01\.12\.2026 — 31\.12\.2026 25 000,00 ₽ 0,00 ₽ 30\.11\.2026 Просрочен 1 дн\. просрочки/);
    expect(tab.text).toContain('Выполнено: уведомление ответственному, 01.12.2026 09:00');
    expect(tab.text).toContain('Далее: уведомление руководителю, 03.12.2026 09:00');
    expect(tab.text).toMatch(/Просрочено 25 000,00 ₽/);
    // The same signed links the robot wrote into the deal, and they open the PDFs.
    expect(fileLinks(tab.html, 'qr_invoice')).toEqual([invoice.qr_invoice_url]);
    expect(fileLinks(tab.html, 'invoice')).toEqual([invoice.invoice_url]);
    const pdf = await fetch(String(invoice.qr_invoice_url));
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    await pdf.arrayBuffer();
    expect(tab.text).toContain('Оплат по счетам этой сделки пока нет');
    expect(tab.text).toContain('Актов пока нет');

    // Paid in part from 1C: the payment shows against the invoice, the rest is still owed and overdue.
    await pay('7', '2026-12-02', 1_000_000, '1');
    tab = await openTab(h.seed.users.manager);
    expect(tab.text).toMatch(/02\.12\.2026 № 7 ООО «Арендатор» 10 000,00 ₽ № 1 автоматически/);
    expect(tab.text).toContain('осталось 15 000,00 ₽');
    expect(tab.text).toMatch(/К оплате 15 000,00 ₽ Оплачено 10 000,00 ₽ Просрочено 15 000,00 ₽/);

    // Paid in full, then the act at the end of the month.
    await pay('8', '2026-12-04', 1_500_000, '1');
    h.clock.set('2026-12-31T12:00:00+03:00');
    const act = (await runRobot(h, 'generate_act', deal())).answer;
    expect(act).toMatchObject({ status: 'ok', act_number: '1', act_state: 'issued' });
    tab = await openTab(h.seed.users.manager);
    expect(tab.text).toMatch(/25 000,00 ₽ 25 000,00 ₽ 30\.11\.2026 Оплачен /);
    expect(tab.text).not.toContain('Далее:'); // a paid invoice leaves the ladder
    expect(tab.text).toMatch(/1 31\.12\.2026 01\.12\.2026 — 31\.12\.2026 25 000,00 ₽ № 1 Выставлен Акт Отметить оригинал полученным/);
    expect(fileLinks(tab.html, 'act')).toEqual([act.act_url]);
    expect(tab.text).toMatch(/К оплате 0,00 ₽ Оплачено 25 000,00 ₽/);
  });

  it('marks the act\'s signed original received once, notes who did it in the timeline, and only for those answerable for the deal', async () => {
    await start();
    await runRobot(h, 'generate_invoice', deal());
    h.clock.set('2026-12-31T10:00:00+03:00');
    const act = (await runRobot(h, 'generate_act', deal())).answer;
    const actId = Number(act.act_id);
    const comments = () => h.sandbox.crm.commentsOf('deal', deal()).map((c) => String(c.COMMENT)).filter((c) => c.includes('подписанный оригинал'));

    // The head of the department has CRM access but is not responsible for the deal: he sees, but cannot change.
    const head = await openTab(h.seed.users.head);
    expect(head.text).toContain('Акт');
    expect(head.html).not.toContain('data-api-click');
    expect(head.text).toContain('могут ответственный по сделке, администраторы портала и бухгалтеры');
    const refused = await action(h, head.token, 'POST', `/deal/acts/${actId}/signed`, {});
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('ответственный по сделке');
    expect((await getDocument(h.database.db, h.sandbox.memberId, actId))!.state).toBe('issued');

    // The responsible manager clicks twice: one change, one comment.
    const manager = await openTab(h.seed.users.manager);
    expect(manager.text).toContain('Отметить оригинал полученным');
    const [first, second] = await Promise.all([
      action(h, manager.token, 'POST', `/deal/acts/${actId}/signed`, {}),
      action(h, manager.token, 'POST', `/deal/acts/${actId}/signed`, {}),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.changed, second.body.changed].sort()).toEqual([false, true]);
    expect((await getDocument(h.database.db, h.sandbox.memberId, actId))!.state).toBe('signed_original_received');
    expect(comments()).toHaveLength(1);
    expect(comments()[0]).toContain('Получен подписанный оригинал акта № 1 от 31.12.2026');
    expect(comments()[0]).toContain('Пётр Петров');
    const after = await openTab(h.seed.users.manager);
    expect(after.text).toContain('Оригинал получен');
    expect(after.text).not.toContain('Отметить оригинал полученным');

    // An accountant named in the settings may do it too (originals come back by post to the accounting office).
    await updatePortalSettings(h.database.db, h.sandbox.memberId, { accountantUserIds: [h.seed.users.accountant] });
    const accountant = await openTab(h.seed.users.accountant);
    expect(accountant.text).toContain('Отправить ещё раз');
    // An act of no portal's: not found, nothing changes.
    expect((await action(h, manager.token, 'POST', '/deal/acts/999999/signed', {})).status).toBe(404);
  });

  it('sends a document again as the robot does: one e-mail per click, whatever the double clicks, recorded on the deal', async () => {
    await start();
    const invoice = (await runRobot(h, 'generate_invoice', deal())).answer;
    const invoiceId = Number(invoice.invoice_id);
    expect(emails()).toHaveLength(0);
    const { token } = await openTab(h.seed.users.manager);

    // A double click: two requests with the same click id at once — one letter.
    const [a1, a2] = await Promise.all([
      action(h, token, 'POST', `/deal/documents/${invoiceId}/resend`, { clickId: CLICK_A }),
      action(h, token, 'POST', `/deal/documents/${invoiceId}/resend`, { clickId: CLICK_A }),
    ]);
    expect([a1.status, a2.status]).toEqual([200, 200]);
    expect([a1.body.duplicate, a2.body.duplicate].sort()).toEqual([false, true]);
    expect(emails()).toHaveLength(1);
    expect(h.sandbox.crm.sentEmails).toHaveLength(1);
    // The request retried after its answer was lost: the letter already sent, not a new one.
    const again = await action(h, token, 'POST', `/deal/documents/${invoiceId}/resend`, { clickId: CLICK_A });
    expect(again.body).toMatchObject({ duplicate: true, sent: true, recipients: ['office@arendator.example'] });
    expect(emails()).toHaveLength(1);

    // The robot's letter: the template, the link, the PDF attached, in the deal's timeline as the manager's e-mail.
    const mail = h.sandbox.crm.sentEmails[0]!;
    expect(mail.to).toEqual(['office@arendator.example']);
    expect(mail.subject).toBe('Счёт на оплату № 1 от 25.11.2026 — ООО «Арендодатель»');
    expect(mail.attachments.map((f) => f.name)).toEqual(['Счет №1 от 25.11.2026 (с QR-кодом).pdf']);
    expect(emails()[0]!.RESPONSIBLE_ID).toBe(h.seed.users.manager);
    expect(String(emails()[0]!.DESCRIPTION)).toContain(`href="${String(invoice.qr_invoice_url)}"`);

    // Another click is another letter.
    const b = await action(h, token, 'POST', `/deal/documents/${invoiceId}/resend`, { clickId: CLICK_B });
    expect(b.body).toMatchObject({ duplicate: false, sent: true });
    expect(emails()).toHaveLength(2);
    expect(h.sandbox.crm.sentEmails).toHaveLength(2);

    // Not without a click id, not for the head who is not responsible.
    expect((await action(h, token, 'POST', `/deal/documents/${invoiceId}/resend`, {})).status).toBe(400);
    const head = await openTab(h.seed.users.head);
    expect(head.html).not.toContain('data-resend');
    expect((await action(h, head.token, 'POST', `/deal/documents/${invoiceId}/resend`, { clickId: CLICK_B.replace('6', '7') })).status).toBe(403);
    expect(h.sandbox.crm.sentEmails).toHaveLength(2);

    // Each click is also a job, the safety net for a request that died mid-way; due later, it finds the letter sent.
    h.clock.set(new Date(h.clock.now().getTime() + 11 * 60_000));
    await h.server.worker!.runDue();
    await settle(h);
    expect(await h.server.deps.jobs.counts()).toMatchObject({ pending: 0, running: 0, failed: 0 });
    expect(h.sandbox.crm.sentEmails).toHaveLength(2);
  });

  it('sends an act again with the act letter, and the act counts as sent', async () => {
    await start();
    await runRobot(h, 'generate_invoice', deal());
    h.clock.set('2026-12-31T10:00:00+03:00');
    const act = (await runRobot(h, 'generate_act', deal())).answer;
    const { token } = await openTab(h.seed.users.admin);
    const r = await action(h, token, 'POST', `/deal/documents/${String(act.act_id)}/resend`, { clickId: CLICK_A });
    expect(r.status).toBe(200);
    const mail = h.sandbox.crm.sentEmails.at(-1)!;
    expect(mail.subject).toContain('Акт');
    expect(mail.attachments.map((f) => f.name)).toEqual(['Акт №1 от 31.12.2026.pdf']);
    expect((await openTab(h.seed.users.manager)).text).toContain('Отправлен клиенту');
  });

  it('explains an empty deal, shows the lease of a contract deal and of its period deal', async () => {
    await start('2026-12-20T10:00:00+03:00');
    const empty = await openTab(h.seed.users.manager, h.seed.deals.soleTrader);
    expect(empty.text).toContain('По этой сделке ещё нет счетов и актов');
    expect(empty.text).toContain('«QR-биллинг: выставить счёт» — на стадию, где пора выставить счёт');
    expect(empty.text).toContain('«QR-биллинг: выставить акт» — на стадию «Оплачено»');
    expect(empty.text).toContain('«QR-биллинг: начать выставление по договору аренды»');

    const contract = deal();
    await runRobot(h, 'start_lease_billing', contract, {
      lease_start: '2027-01-15', lease_end: '31.03.2027', period: 'month', anchor_day: '1', bill_days_before: '5', contract_number: 'А-17', contract_date: '2026-12-15',
    });
    let tab = await openTab(h.seed.users.manager, contract);
    expect(tab.text).toContain('Эта сделка — договор аренды «Аренда офиса 301 — ООО «Арендатор»»');
    expect(tab.text).toMatch(/Периодов выставлено 0 из 3/);
    expect(tab.text).toContain('Следующая сделка 10.01.2027 — за период 15.01.2027 — 31.01.2027');

    await atMoscow(h, '2027-01-10T00:05:00');
    await settle(h);
    tab = await openTab(h.seed.users.manager, contract);
    expect(tab.text).toMatch(/Периодов выставлено 1 из 3/);
    expect(tab.text).toContain('Следующая сделка 27.01.2027 — за период 01.02.2027 — 28.02.2027');
    const periodDeal = [...h.sandbox.crm.deals.values()].find((d) => d.UF['UF_CRM_QRB_CONTRACT'] === String(contract))!;
    expect(tab.html).toContain(`/crm/deal/details/${periodDeal.ID}/`);

    const period = await openTab(h.seed.users.manager, periodDeal.ID);
    expect(period.text).toContain('Эта сделка создана по договору аренды «Аренда офиса 301 — ООО «Арендатор»» за период 15.01.2027 — 31.01.2027');
    expect(period.html).toContain(`/crm/deal/details/${contract}/`);
    expect(period.text).toContain('Открыть сделку-договор');
  });

  it('shows nothing to a forged frame POST, and nothing of another portal for a deal id', async () => {
    await start();
    const invoice = (await runRobot(h, 'generate_invoice', deal())).answer;
    const forged = await openFrame(h, { placement: DEAL_TAB, options: { ID: deal() } }, (p) => (p.body.AUTH_ID = 'f'.repeat(32)));
    expect(forged.status).toBe(403);
    expect(forged.token).toBe('');
    expect(forged.html).not.toContain(String(invoice.invoice_url));
    expect(textOf(forged.html)).not.toContain('25 000,00');
    const noSession = await page(h, 'forged', `deal?id=${deal()}`);
    expect(noSession.status).toBe(401);
    expect(textOf(noSession.html)).not.toContain('25 000,00');

    // Another portal's invoice on a deal with the same id as one of ours: the tab shows only this portal's.
    const row = await h.database.db.selectFrom('documents').selectAll().where('id', '=', Number(invoice.invoice_id)).executeTakeFirstOrThrow();
    const { id: _id, ...copy } = row;
    const portal = await h.database.db.selectFrom('portals').selectAll().where('member_id', '=', h.sandbox.memberId).executeTakeFirstOrThrow();
    await h.database.db.insertInto('portals').values({ ...portal, member_id: 'another-portal', domain: 'another.bitrix24.ru' }).execute();
    await h.database.db
      .insertInto('documents')
      .values({ ...copy, member_id: 'another-portal', deal_id: h.seed.deals.soleTrader, number: 'ЧУЖОЙ-7', idempotency_key: 'another-portal:1' })
      .execute();
    const other = await openTab(h.seed.users.manager, h.seed.deals.soleTrader);
    expect(other.text).toContain('По этой сделке ещё нет счетов и актов');
    expect(other.text).not.toContain('ЧУЖОЙ-7');
    // A deal id this portal does not have at all.
    const missing = await openTab(h.seed.users.manager, 987654);
    expect(missing.text).toContain('Сделка 987654 не найдена в этом портале');
    expect(missing.text).not.toContain('ЧУЖОЙ-7');
  });
});

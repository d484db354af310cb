/**
 * The rest of a rental month as the client and the accountant see it: the invoice e-mailed from the
 * deal (one letter, whatever the deliveries), then after payment the act, with the same amount, the
 * parties and the closing sentence, e-mailed too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { pdfText } from '../helpers/pdfTools.js';
import { ufName } from '../../src/crm/dealFields.js';
import { RENT, STAGE, answersFor, callTokens, dispositionName, flat, moveIfOk, onlyAnswer, pdfAt, robot, runRobot } from './invoicing-kit.js';

/** The e-mail activities (TYPE_ID 4, outgoing) in a deal's timeline. */
const emailsOf = (h: Harness, dealId: number) =>
  h.sandbox.crm.activitiesOf(2, dealId).filter((a) => a.TYPE_ID === 4 && a.DIRECTION === 2);

/** The robot_call entry automation made for a robot on a deal (its payload can be delivered again). */
function callOf(h: Harness, dealId: number, code: string) {
  const e = h.sandbox.workflowLog().find((x) => x.type === 'robot_call' && x.dealId === dealId && x.robot === code);
  expect(e, `${code} called`).toBeDefined();
  return e!;
}

describe.each(databaseEngines())('e-mail and act on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('send_documents after generate_invoice on the same stage: one e-mail in the timeline with the template, the links and the PDFs; delivered twice, still one', async () => {
    h = await startHarness(engine);
    await h.install();
    h.sandbox.setStageAutomation(RENT, STAGE.issue, [
      robot('generate_invoice'),
      robot('send_documents', { documents: ['invoice', 'qr_invoice'] }),
      moveIfOk('send_documents', STAGE.sent),
    ]);
    const dealId = h.seed.deals.tenant;
    await h.sandbox.moveDeal(dealId, STAGE.issue);
    await h.sandbox.runUntilIdle();

    const invoice = onlyAnswer(h, callTokens(h, dealId, 'generate_invoice')[0]!);
    expect(invoice.status).toBe('ok');
    const send = callOf(h, dealId, 'send_documents');
    const sent = onlyAnswer(h, send.eventToken!);
    // The company has its own work e-mail: that is where the letter goes.
    expect(sent).toMatchObject({ status: 'ok', error_text: '', sent_to: 'office@arendator.example' });
    expect(h.sandbox.crm.deals.get(dealId)!.STAGE_ID).toBe(STAGE.sent);

    const activities = emailsOf(h, dealId);
    expect(activities).toHaveLength(1);
    expect(activities[0]!.ID).toBe(sent.activity_id);
    expect(activities[0]!.SUBJECT).toBe('Счёт на оплату № 1 от 25.11.2026 — ООО «Арендодатель»');
    expect(activities[0]!.RESPONSIBLE_ID).toBe(h.seed.users.manager);
    const body = activities[0]!.DESCRIPTION;
    expect(activities[0]!.DESCRIPTION_TYPE).toBe(3);
    expect(body).toContain('Направляем счёт на оплату № <strong>1</strong> от 25.11.2026');
    expect(body).toContain('ООО «Арендатор»');
    expect(flat(body)).toContain('25 000,00 руб.');
    expect(body).toContain('30.11.2026');
    expect(body).toContain('декабрь 2026');
    expect(body).toContain(`href="${String(invoice.invoice_url)}"`);
    expect(body).toContain(`href="${String(invoice.qr_invoice_url)}"`);
    expect(body).toContain('Пётр Петров');

    expect(h.sandbox.crm.sentEmails).toHaveLength(1);
    const mail = h.sandbox.crm.sentEmails[0]!;
    expect(mail.to).toEqual(['office@arendator.example']);
    expect(mail.attachments.map((f) => f.name)).toEqual(['Счет №1 от 25.11.2026.pdf', 'Счет №1 от 25.11.2026 (с QR-кодом).pdf']);
    const attached = flat(await pdfText(mail.attachments[1]!.content));
    expect(attached).toContain('Счет на оплату № 1 от 25 ноября 2026 г.');
    expect(attached).toContain('Всего к оплате: 25 000,00');
    expect(attached).toContain('Отсканируйте код');
    // The attachment is the very document behind the link.
    const linked = await pdfAt(String(invoice.qr_invoice_url));
    expect(attached).toBe(flat(linked.text));

    // The platform delivers the same call again (a proxy retry): no second letter, no second answer.
    expect((await h.sandbox.redeliverRobotCall(send.payload!)).status).toBe(200);
    await h.sandbox.runUntilIdle();
    await h.server.worker!.runDue();
    expect(emailsOf(h, dealId)).toHaveLength(1);
    expect(h.sandbox.crm.sentEmails).toHaveLength(1);
    expect(answersFor(h, send.eventToken!)).toHaveLength(1);
  });

  it('after payment the act repeats the invoice: «Акт № 1», both parties, the same amount, the closing sentence; act fields on the deal; the act e-mailed', async () => {
    h = await startHarness(engine);
    await h.install();
    h.sandbox.setStageAutomation(RENT, STAGE.issue, [robot('generate_invoice'), moveIfOk('generate_invoice', STAGE.sent)]);
    h.sandbox.setStageAutomation(RENT, STAGE.paid, [
      robot('generate_act'),
      robot('send_documents', { documents: 'act' }),
      moveIfOk('send_documents', STAGE.actSent),
    ]);
    const dealId = h.seed.deals.tenant;
    await h.sandbox.moveDeal(dealId, STAGE.issue);
    await h.sandbox.runUntilIdle();
    const invoice = onlyAnswer(h, callTokens(h, dealId, 'generate_invoice')[0]!);
    expect(invoice).toMatchObject({ status: 'ok', invoice_number: '1' });

    // December has passed and the tenant paid: the manager moves the deal to «Оплачено».
    h.clock.set('2026-12-31T09:00:00Z');
    await h.sandbox.moveDeal(dealId, STAGE.paid);
    await h.sandbox.runUntilIdle();

    const act = onlyAnswer(h, callTokens(h, dealId, 'generate_act')[0]!);
    expect(act).toMatchObject({ status: 'ok', error_text: '', act_number: '1', act_date: '2026-12-31', act_state: 'issued' });
    const deal = h.sandbox.crm.deals.get(dealId)!;
    expect(deal.UF).toMatchObject({
      [ufName('QRB_ACT_NO')]: '1',
      [ufName('QRB_ACT_DATE')]: '2026-12-31',
      [ufName('QRB_ACT_URL')]: act.act_url,
      // The invoice fields stay as they were.
      [ufName('QRB_INV_NO')]: '1',
    });
    const comments = h.sandbox.crm.commentsOf('deal', dealId).map((c) => flat(c.COMMENT));
    expect(comments).toHaveLength(2);
    expect(comments.find((c) => c.includes('Акт № 1'))).toContain('По счёту № 1 от 25.11.2026');

    const { text, file } = await pdfAt(String(act.act_url));
    expect(dispositionName(file.disposition)).toBe('Акт №1 от 31.12.2026.pdf');
    const t = flat(text);
    expect(t).toMatch(/Акт № 1 от 31 декабря 2026 г\./);
    expect(t).toContain('Исполнитель: ООО «Арендодатель», ИНН 7704123450');
    expect(t).toContain('Заказчик: ООО «Арендатор», ИНН 5027123457');
    expect(t).toContain('Аренда нежилого помещения № 301');
    expect(t).toMatch(/Итого: 25 000,00/);
    expect(t).toMatch(/В том числе НДС \(22%\): 4 508,20/);
    expect(t).toContain('Двадцать пять тысяч рублей 00 копеек');
    expect(t).toContain('Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объему, качеству и срокам');
    expect(t).not.toContain('Отсканируйте код');

    const sent = onlyAnswer(h, callTokens(h, dealId, 'send_documents')[0]!);
    expect(sent.status).toBe('ok');
    expect(h.sandbox.crm.deals.get(dealId)!.STAGE_ID).toBe(STAGE.actSent);
    const mail = h.sandbox.crm.sentEmails.at(-1)!;
    expect(mail.subject).toContain('Акт');
    expect(mail.subject).toContain('№ 1');
    expect(mail.attachments.map((f) => f.name)).toEqual(['Акт №1 от 31.12.2026.pdf']);
    expect(flat(await pdfText(mail.attachments[0]!.content))).toBe(t);
  });
  it('the act letter asked for an invoice: status=error naming the template and what to choose, no letter sent', async () => {
    h = await startHarness(engine);
    await h.install();
    const dealId = h.seed.deals.tenant;
    expect((await runRobot(h, 'generate_invoice', dealId)).answer.status).toBe('ok');
    const sent = (await runRobot(h, 'send_documents', dealId, { documents: ['qr_invoice'], template: 'act' })).answer;
    expect(sent.status).toBe('error');
    expect(sent.error_text).toContain('Шаблон письма «act» рассчитан на акт');
    expect(sent.error_text).toContain('«Документы»');
    expect(h.sandbox.crm.sentEmails).toHaveLength(0);
    expect(emailsOf(h, dealId)).toHaveLength(0);
    const unknown = (await runRobot(h, 'send_documents', dealId, { template: 'dogovor' })).answer;
    expect(unknown.error_text).toContain('Шаблон письма «dogovor» не найден. Встроенные шаблоны: invoice, act, payment_reminder');
  });

  it('the signed original comes back after the next invoice: signed_original_received marks the act already issued, never issues one', async () => {
    h = await startHarness(engine);
    await h.install();
    const dealId = h.seed.deals.tenant;
    // Nothing issued yet: nothing to mark, and no number spent.
    const early = (await runRobot(h, 'generate_act', dealId, { signed_original_received: 'Y' })).answer;
    expect(early.status).toBe('error');
    expect(early.error_text).toContain('акт за');
    expect(early.error_text).toContain('не выставлен');
    expect(await h.database.db.selectFrom('documents').select('id').execute()).toHaveLength(0);

    expect((await runRobot(h, 'generate_invoice', dealId)).answer).toMatchObject({ status: 'ok', invoice_number: '1' });
    h.clock.set('2026-12-31T09:00:00Z');
    const act = (await runRobot(h, 'generate_act', dealId)).answer;
    expect(act).toMatchObject({ status: 'ok', act_number: '1', act_state: 'issued' });
    expect((await runRobot(h, 'send_documents', dealId, { documents: 'act' })).answer.status).toBe('ok');
    // January's invoice is out before the client returns December's act.
    expect((await runRobot(h, 'generate_invoice', dealId, { period_from: '01.01.2027', period_to: '31.01.2027' })).answer.status).toBe('ok');
    h.clock.set('2027-01-15T09:00:00Z');
    const signed = (await runRobot(h, 'generate_act', dealId, { signed_original_received: 'Y' })).answer;
    expect(signed).toMatchObject({ status: 'ok', act_id: act.act_id, act_number: '1', act_state: 'signed_original_received' });
    const acts = await h.database.db.selectFrom('documents').select(['number', 'state']).where('kind', '=', 'act').execute();
    expect(acts).toEqual([{ number: '1', state: 'signed_original_received' }]);
  });
  it('an act run before its period ends answers status=error with the day it can be issued; «Выставить досрочно» issues it', async () => {
    h = await startHarness(engine, { now: '2026-12-10T09:00:00Z' });
    await h.install();
    const dealId = h.seed.deals.tenant;
    const period = { period_from: '01.12.2026', period_to: '31.12.2026' };
    expect((await runRobot(h, 'generate_invoice', dealId, period)).answer).toMatchObject({ status: 'ok', invoice_number: '1' });
    const early = (await runRobot(h, 'generate_act', dealId)).answer;
    expect(early.status).toBe('error');
    expect(early.error_text).toContain('Акт за декабрь 2026 г. можно выставить не раньше 31.12.2026');
    expect(early.error_text).toContain('«Выставить досрочно» = Да');
    const acts = () => h.database.db.selectFrom('documents').select(['number', 'doc_date']).where('kind', '=', 'act').execute();
    expect(await acts()).toEqual([]);

    const issued = (await runRobot(h, 'generate_act', dealId, { allow_early: 'Y' })).answer;
    expect(issued).toMatchObject({ status: 'ok', error_text: '', act_number: '1', act_date: '2026-12-10' });
    const { text } = await pdfAt(String(issued.act_url));
    expect(flat(text)).toContain('Акт № 1 от 10 декабря 2026 г.');
    expect(flat(text)).toContain('декабрь 2026 г.');
    // A later run for the same period returns that act, early or not.
    const again = (await runRobot(h, 'generate_act', dealId)).answer;
    expect(again, String(again.error_text)).toMatchObject({ status: 'ok', act_id: issued.act_id, act_number: '1' });
    expect(await acts()).toHaveLength(1);
  });
});

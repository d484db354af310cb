/**
 * Invoice numbers as an accountant checks them: one sequence without gaps or duplicates, the same
 * invoice when the robot runs again for the same deal and period, and a manager told what to fix
 * when the client has no requisites — without a number being spent on the failure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { listRobotCalls } from '../../src/storage/robotCalls.js';
import { parseGostPayload } from '../../src/qr/payload.js';
import { scanPdfQr } from '../helpers/pdfTools.js';
import { STAGE, answersFor, callTokens, flat, invoiceOnIssueStage, onlyAnswer, pdfAt, runRobot } from './invoicing-kit.js';

/** Every document number the portal's documents table holds, in issue order. */
async function issuedNumbers(h: Harness): Promise<string[]> {
  const rows = await h.database.db.selectFrom('documents').select(['number']).orderBy('id').execute();
  return rows.map((r) => r.number);
}

describe.each(databaseEngines())('invoice numbering on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('numbers deals 1, 2; the same deal and period returns the same invoice; force_new issues the next; a duplicate delivery is answered once; a failure spends no number', async () => {
    h = await startHarness(engine);
    await h.install();
    const { tenant, soleTrader, noRequisites } = h.seed.deals;

    const first = (await runRobot(h, 'generate_invoice', tenant)).answer;
    const second = (await runRobot(h, 'generate_invoice', soleTrader)).answer;
    expect([first.status, first.invoice_number, second.status, second.invoice_number]).toEqual(['ok', '1', 'ok', '2']);

    // The process runs again for the same December: the client gets the same invoice, not a new number.
    const again = (await runRobot(h, 'generate_invoice', tenant)).answer;
    expect(again).toMatchObject({
      status: 'ok',
      invoice_id: first.invoice_id,
      invoice_number: '1',
      invoice_url: first.invoice_url,
    });
    expect(h.sandbox.crm.commentsOf('deal', tenant)).toHaveLength(1);

    const forced = await runRobot(h, 'generate_invoice', tenant, { force_new: 'Y' });
    expect(forced.answer).toMatchObject({ status: 'ok', invoice_number: '3' });
    expect(forced.answer.invoice_id).not.toBe(first.invoice_id);
    // The same call delivered again (a proxy retry) is answered once and issues nothing.
    expect((await h.sandbox.redeliverRobotCall(forced.payload)).status).toBe(200);
    await h.sandbox.runUntilIdle();
    await h.server.worker!.runDue();
    expect(answersFor(h, String(forced.payload.event_token))).toHaveLength(1);
    const calls = await listRobotCalls(h.database.db, { limit: 50 });
    expect(calls.filter((c) => c.event_token === forced.payload.event_token)).toHaveLength(1);

    const failed = (await runRobot(h, 'generate_invoice', noRequisites)).answer;
    expect(failed.status).toBe('error');
    const next = (await runRobot(h, 'generate_invoice', soleTrader, { force_new: 'Y' })).answer;
    expect(next).toMatchObject({ status: 'ok', invoice_number: '4' });
    expect(await issuedNumbers(h)).toEqual(['1', '2', '3', '4']);
    expect(h.sandbox.crm.deals.get(tenant)!.UF.UF_CRM_QRB_INV_NO).toBe('3');
    expect(flat((await pdfAt(String(forced.answer.invoice_url))).text)).toContain('Счет на оплату № 3 от 25 ноября 2026 г.');
  });

  it('the deal changed after its invoice: a rerun returns the same invoice and says so; after force_new a rerun returns the new one, and the deal fields keep it', async () => {
    h = await startHarness(engine);
    await h.install();
    const dealId = h.seed.deals.tenant;
    const first = (await runRobot(h, 'generate_invoice', dealId)).answer;
    expect(first).toMatchObject({ status: 'ok', invoice_number: '1', amount_due: 25000, warnings: '' });

    const portal = h.server.deps.bitrix.forPortal(h.sandbox.memberId);
    await portal.call('crm.deal.productrows.set', {
      id: dealId,
      rows: [{ PRODUCT_NAME: 'Аренда нежилого помещения № 301', PRICE: 27500, QUANTITY: 1, TAX_RATE: 22, TAX_INCLUDED: 'Y' }],
    });
    const again = (await runRobot(h, 'generate_invoice', dealId)).answer;
    expect(again).toMatchObject({ status: 'ok', invoice_id: first.invoice_id, invoice_number: '1', amount_due: 25000 });
    const warnings = flat(String(again.warnings));
    expect(warnings).toContain('Счёт за декабрь 2026 г. уже выставлен, возвращён прежний счёт № 1 от 25.11.2026');
    expect(warnings).toContain('«Всегда новый счёт»');
    expect(warnings).toContain('по сделке сейчас 27 500,00 руб., в счёте 25 000,00 руб.');

    const forced = (await runRobot(h, 'generate_invoice', dealId, { force_new: 'Y' })).answer;
    expect(forced).toMatchObject({ status: 'ok', invoice_number: '2', amount_due: 27500, warnings: '' });
    // The process runs once more for December: the client's latest invoice comes back, not the first one.
    const latest = (await runRobot(h, 'generate_invoice', dealId)).answer;
    expect(latest).toMatchObject({ status: 'ok', invoice_id: forced.invoice_id, invoice_number: '2', invoice_url: forced.invoice_url });
    expect(flat(String(latest.warnings))).not.toContain('изменились');
    expect(h.sandbox.crm.deals.get(dealId)!.UF).toMatchObject({ UF_CRM_QRB_INV_NO: '2', UF_CRM_QRB_INV_SUM: '27500.00|RUB' });
    expect(await issuedNumbers(h)).toEqual(['1', '2']);
    // One comment per issued invoice, none for the runs that returned one.
    expect(h.sandbox.crm.commentsOf('deal', dealId)).toHaveLength(2);
  });

  it('a client company whose requisite has a wrong or no INN: status=error naming the INN, no number spent', async () => {
    h = await startHarness(engine);
    await h.install();
    const portal = h.server.deps.bitrix.forPortal(h.sandbox.memberId);
    const setInn = (inn: string) => portal.call('crm.requisite.update', { id: h.seed.tenant.requisiteId, fields: { RQ_INN: inn } });
    await setInn('5027123458');
    const wrong = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    expect(wrong.status).toBe('error');
    expect(wrong.error_text).toContain('В реквизитах клиента «ООО «Арендатор»» неверный ИНН 5027123458 (не сходится контрольное число)');
    expect(wrong.error_text).toContain('карточке компании → «Реквизиты»');
    // all zeros pass the weighted sum, but no tax office issues such an INN
    await setInn('0000000000');
    const zeros = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    expect(zeros.status).toBe('error');
    expect(zeros.error_text).toContain('неверный ИНН 0000000000 (ИНН не может состоять из одних нулей)');
    await setInn('');
    const none = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    expect(none.status).toBe('error');
    expect(none.error_text).toContain('не указан ИНН');
    expect(h.sandbox.crm.notificationsFor(h.seed.users.manager).length).toBeGreaterThan(0);
    expect(await issuedNumbers(h)).toEqual([]);

    await setInn('5027123457');
    expect((await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer).toMatchObject({ status: 'ok', invoice_number: '1' });
  });

  it('a client without requisites: status=error saying what to fill in, the responsible manager notified, the deal stays, no number spent', async () => {
    h = await startHarness(engine);
    await h.install();
    invoiceOnIssueStage(h);
    const dealId = h.seed.deals.noRequisites;
    await h.sandbox.moveDeal(dealId, STAGE.issue);
    await h.sandbox.runUntilIdle();

    const a = onlyAnswer(h, callTokens(h, dealId, 'generate_invoice')[0]!);
    expect(a.status).toBe('error');
    expect(a.error_text).toContain('ООО «Новый арендатор»');
    expect(a.error_text).toMatch(/реквизит/i);
    expect(a.error_text).toContain('ИНН');
    const deal = h.sandbox.crm.deals.get(dealId)!;
    expect(deal.STAGE_ID).toBe(STAGE.issue);
    expect(deal.UF.UF_CRM_QRB_INV_NO ?? '').toBe('');
    expect(h.sandbox.crm.commentsOf('deal', dealId)).toHaveLength(0);

    const notes = h.sandbox.crm.notificationsFor(h.seed.users.manager);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toContain('реквизиты');
    expect(notes[0]!.message).toContain(`/crm/deal/details/${dealId}/`);
    expect(await issuedNumbers(h)).toEqual([]);

    // Once the requisites are there, the next invoice of the portal is № 1.
    const ok = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    expect(ok).toMatchObject({ status: 'ok', invoice_number: '1' });
  });

  it('two calls for the same deal and period at once: one invoice, both answered with it, one comment; the next deal gets № 2', async () => {
    h = await startHarness(engine);
    await h.install();
    const { tenant, soleTrader } = h.seed.deals;
    const payloads = await Promise.all([
      h.sandbox.deliverRobotCall('generate_invoice', tenant),
      h.sandbox.deliverRobotCall('generate_invoice', tenant),
    ]);
    await h.sandbox.runUntilIdle();
    const answers = payloads.map((p) => onlyAnswer(h, String(p.event_token)));
    expect(answers.map((a) => [a.status, a.invoice_number])).toEqual([
      ['ok', '1'],
      ['ok', '1'],
    ]);
    expect(answers[0]!.invoice_id).toBe(answers[1]!.invoice_id);
    expect(h.sandbox.crm.commentsOf('deal', tenant)).toHaveLength(1);
    expect((await runRobot(h, 'generate_invoice', soleTrader)).answer.invoice_number).toBe('2');
    expect(await issuedNumbers(h)).toEqual(['1', '2']);
  });

  it('dates and numbers follow the portal’s clock (Moscow): 23:00 on 31 December is still 2026, 00:30 is 2027 and starts at № 1', async () => {
    h = await startHarness(engine, { now: '2026-12-31T20:00:00Z' });
    await h.install();
    const late = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    expect(late).toMatchObject({ status: 'ok', invoice_number: '1', invoice_date: '2026-12-31', due_date: '2027-01-05' });
    expect(h.sandbox.crm.deals.get(h.seed.deals.tenant)!.UF.UF_CRM_QRB_PER_FROM).toBe('2027-01-01');
    h.clock.set('2026-12-31T21:30:00Z');
    const next = (await runRobot(h, 'generate_invoice', h.seed.deals.soleTrader)).answer;
    expect(next).toMatchObject({ status: 'ok', invoice_number: '1', invoice_date: '2027-01-01', due_date: '2027-01-06' });
    expect(h.sandbox.crm.deals.get(h.seed.deals.soleTrader)!.UF.UF_CRM_QRB_PER_FROM).toBe('2027-02-01');
    expect(flat((await pdfAt(String(next.invoice_url))).text)).toContain('Счет на оплату № 1 от 1 января 2027 г.');
  });

  it('own company name too long for the documents: an error saying where to fix it, no number spent; fixed, the next run issues № 1', async () => {
    h = await startHarness(engine);
    await h.install();
    const portal = h.server.deps.bitrix.forPortal(h.sandbox.memberId);
    const rename = (name: string) =>
      portal.call('crm.requisite.update', { id: h.seed.myCompany.requisiteId, fields: { RQ_COMPANY_NAME: name } });
    await rename(`ООО «${'Арендодатель недвижимости и земельных участков '.repeat(4).trim()}»`);
    const failed = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    expect(failed.status).toBe('error');
    expect(failed.error_text).toContain('«Мои компании» → «Реквизиты»');
    expect(failed.error_text).toContain('не длиннее 160 символов');
    expect(h.sandbox.crm.notificationsFor(h.seed.users.manager)[0]?.message).toContain('«Мои компании»');
    expect(await issuedNumbers(h)).toEqual([]);

    // The accountant shortens the name; the robot sees it at once, not when a cache expires.
    await rename('ООО «Арендодатель»');
    const ok = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    expect(ok).toMatchObject({ status: 'ok', invoice_number: '1' });
  });

  it('payee and bank names too long for a UTF-8 QR: the robot issues № 1 with a Windows-1251 QR (ST00011) carrying the full name', async () => {
    h = await startHarness(engine);
    await h.install();
    const portal = h.server.deps.bitrix.forPortal(h.sandbox.memberId);
    const name = 'ООО «Управляющая компания «Бизнес-центр на Садовой-Кудринской и Новинском бульваре»»';
    await portal.call('crm.requisite.update', { id: h.seed.myCompany.requisiteId, fields: { RQ_COMPANY_NAME: name } });
    await portal.call('crm.requisite.bankdetail.update', {
      id: h.seed.myCompany.bankDetailId,
      fields: { RQ_BANK_NAME: 'ФИЛИАЛ «ЦЕНТРАЛЬНЫЙ» ПАО «СОВКОМБАНК» (г. Москва)' },
    });
    const ok = (await runRobot(h, 'generate_invoice', h.seed.deals.tenant)).answer;
    expect(ok, String(ok.error_text)).toMatchObject({ status: 'ok', invoice_number: '1' });
    const { text, file } = await pdfAt(String(ok.qr_invoice_url));
    expect(flat(text)).toContain(`Получатель: ${name}`);
    const scanned = await scanPdfQr(file.body);
    expect(scanned.subarray(0, 8).toString('latin1')).toBe('ST00011|');
    expect(parseGostPayload(scanned).fields.Name).toBe(name);
  });
});

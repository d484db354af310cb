/**
 * generate_invoice end to end, as a landlord sees it: the deal moves into «Выставить счет», the
 * process gets its answer, the deal card shows the number and links, the links open the PDFs a
 * client pays from, and a banking app reads the right payment from the QR.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { pdfInfo } from '../helpers/pdfTools.js';
import { addCategory } from '../../src/sandbox/crm/index.js';
import { ufName } from '../../src/crm/dealFields.js';
import {
  STAGE,
  callTokens,
  dispositionName,
  fetchFile,
  flat,
  httpRequests,
  invoiceOnIssueStage,
  moveIfOk,
  onlyAnswer,
  pdfAt,
  qrFieldsInPdf,
  qrFieldsInPng,
  robot,
  runRobot,
} from './invoicing-kit.js';

const SELLER = { inn: '7704123450', kpp: '770401001', account: '40702810138250123017', bic: '044525225' };

describe.each(databaseEngines())('generate_invoice on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('a lease deal moved into «Выставить счет» gets one answer, deal fields, a timeline comment, and moves on; the links open the invoice PDFs and the QR pays it', async () => {
    h = await startHarness(engine);
    await h.install();
    invoiceOnIssueStage(h);
    const dealId = h.seed.deals.tenant;
    await h.sandbox.moveDeal(dealId, STAGE.issue);
    await h.sandbox.runUntilIdle();

    const [token] = callTokens(h, dealId, 'generate_invoice');
    const a = onlyAnswer(h, token!);
    // 25.11.2026 (Moscow): next month is billed, due in the portal's default 5 days.
    expect(a).toMatchObject({
      status: 'ok',
      error_text: '',
      invoice_id: expect.any(Number),
      invoice_number: '1',
      invoice_date: '2026-11-25',
      amount_due: 25000,
      due_date: '2026-11-30',
      smart_invoice_id: 0,
      warnings: '',
    });
    for (const key of ['invoice_url', 'qr_invoice_url', 'qr_image_url']) {
      expect(String(a[key]), key).toMatch(new RegExp(`^${h.url}/d/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{22}$`));
    }
    expect(a.payment_purpose).toContain('№ 1 от 25.11.2026');
    expect(a.payment_purpose).toContain('НДС (22%) 4 508,20');

    const deal = h.sandbox.crm.deals.get(dealId)!;
    expect(deal.STAGE_ID).toBe(STAGE.sent);
    expect(deal.UF).toMatchObject({
      [ufName('QRB_INV_NO')]: '1',
      [ufName('QRB_INV_DATE')]: '2026-11-25',
      [ufName('QRB_INV_SUM')]: '25000.00|RUB',
      [ufName('QRB_INV_DUE')]: '2026-11-30',
      [ufName('QRB_INV_URL')]: a.invoice_url,
      [ufName('QRB_QRINV_URL')]: a.qr_invoice_url,
      [ufName('QRB_QR_PNG')]: a.qr_image_url,
      [ufName('QRB_PER_FROM')]: '2026-12-01',
      [ufName('QRB_PER_TO')]: '2026-12-31',
    });
    const comments = h.sandbox.crm.commentsOf('deal', dealId);
    expect(comments).toHaveLength(1);
    const comment = flat(comments[0]!.COMMENT);
    expect(comment).toContain('Счёт № 1 от 25.11.2026');
    expect(comment).toContain('на 25 000,00 руб. за декабрь 2026 г., оплатить до 30.11.2026');
    expect(comments[0]!.COMMENT).toContain(String(a.invoice_url));
    expect(comments[0]!.COMMENT).toContain(String(a.qr_invoice_url));

    // The plain invoice and the QR-invoice, as the client downloads them.
    for (const [url, name] of [
      [a.invoice_url, 'Счет №1 от 25.11.2026.pdf'],
      [a.qr_invoice_url, 'Счет №1 от 25.11.2026 (с QR-кодом).pdf'],
    ] as const) {
      const { text, file } = await pdfAt(String(url));
      expect(dispositionName(file.disposition)).toBe(name);
      const t = flat(text);
      expect(t).toContain('Счет на оплату № 1 от 25 ноября 2026 г.');
      expect(t).toContain('Аренда нежилого помещения № 301');
      expect(t).toMatch(/Итого: 25 000,00/);
      expect(t).toMatch(/В том числе НДС \(22%\): 4 508,20/);
      expect(t).toMatch(/Всего к оплате: 25 000,00/);
      expect(t).toContain('Двадцать пять тысяч рублей 00 копеек');
      expect(t).toContain(`ИНН ${SELLER.inn}`);
      expect(t).toContain(SELLER.account);
      expect(t).toContain(SELLER.bic);
      expect(t).toContain('ООО «Арендатор», ИНН 5027123457');
      // Addresses come from crm.address.list (the legal address of each requisite), not the requisite record.
      expect(t.replace(/\s+/g, ' ')).toContain('119019, г. Москва, ул. Арбат, д. 1, офис 10');
      expect(t.replace(/\s+/g, ' ')).toContain('Московская обл., г. Люберцы');
      expect(t).toContain('Оплатить не позднее 30.11.2026');
    }

    const qrPdf = await fetchFile(String(a.qr_invoice_url));
    const printed = await qrFieldsInPdf(qrPdf.body);
    expect(printed).toMatchObject({
      Name: 'ООО «Арендодатель»',
      PersonalAcc: SELLER.account,
      BIC: SELLER.bic,
      CorrespAcc: '30101810400000000225',
      Sum: '2500000',
      PayeeINN: SELLER.inn,
      KPP: SELLER.kpp,
    });
    expect(printed.Purpose).toContain('№ 1 от 25.11.2026');
    // The plain invoice has no QR: the client who pays by bank details gets no second code.
    expect(flat((await pdfAt(String(a.invoice_url))).text)).not.toContain('Отсканируйте код');

    const png = await fetchFile(String(a.qr_image_url));
    expect(png.status).toBe(200);
    expect(png.type).toBe('image/png');
    expect(dispositionName(png.disposition)).toBe('QR-код для оплаты счета №1.png');
    expect(await qrFieldsInPng(png.body)).toEqual(printed);

    // A link with one character changed, or without its signature, is a bare 404.
    const url = String(a.qr_invoice_url);
    const sig = url.slice(url.lastIndexOf('.') + 1);
    const flipped = `${url.slice(0, url.lastIndexOf('.') + 1)}${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    for (const bad of [flipped, url.slice(0, url.lastIndexOf('.')), url.replace('/d/', '/d/x')]) {
      const r = await fetchFile(bad);
      expect(r.status, bad).toBe(404);
      expect(r.type).not.toBe('application/pdf');
    }
  });

  it('40 product rows give a multi-page invoice with every line and the right total, for a handful of REST requests', async () => {
    h = await startHarness(engine);
    await h.install();
    const dealId = h.seed.deals.tenant;
    const rows = Array.from({ length: 40 }, (_, i) => ({
      PRODUCT_NAME: `Эксплуатационные расходы, позиция ${String(i + 1).padStart(2, '0')}`,
      PRICE: 1234.56 + i + 1,
      QUANTITY: 1,
      TAX_RATE: 22,
      TAX_INCLUDED: 'Y',
      MEASURE_CODE: 796,
    }));
    await h.server.deps.bitrix.forPortal(h.sandbox.memberId).call('crm.deal.productrows.set', { id: dealId, rows });
    invoiceOnIssueStage(h);

    const before = httpRequests(h).length;
    await h.sandbox.moveDeal(dealId, STAGE.issue);
    await h.sandbox.runUntilIdle();
    const spent = httpRequests(h).slice(before);
    // batch (deal, rows, client, requisites) + batch (seller, cold cache) + batch (deal fields,
    // comment) + bizproc.event.send.
    expect(spent.map((r) => r.method)).toEqual(['batch', 'batch', 'batch', 'bizproc.event.send']);

    const a = onlyAnswer(h, callTokens(h, dealId, 'generate_invoice')[0]!);
    expect(a.status).toBe('ok');
    // 40 × 1 234,56 + (1 + … + 40) = 49 382,40 + 820 = 50 202,40
    expect(a.amount_due).toBe(50202.4);
    const { text, file } = await pdfAt(String(a.qr_invoice_url));
    expect(Number((await pdfInfo(file.body)).Pages)).toBeGreaterThanOrEqual(2);
    for (let i = 1; i <= 40; i++) expect(text).toContain(`позиция ${String(i).padStart(2, '0')}`);
    const t = flat(text);
    expect(t).toMatch(/Всего к оплате: 50 202,40/);
    expect(t).toContain('Всего наименований 40, на сумму 50 202,40 руб.');
    expect(t).toContain('Пятьдесят тысяч двести два рубля 40 копеек');
    expect((await qrFieldsInPdf(file.body, Number((await pdfInfo(file.body)).Pages))).Sum).toBe('5020240');

    // With the seller cached (per portal and «my company» requisite), the next invoice costs one request less.
    const warm = httpRequests(h).length;
    const next = await runRobot(h, 'generate_invoice', dealId, { force_new: 'Y' });
    expect(next.answer).toMatchObject({ status: 'ok', invoice_number: '2' });
    expect(httpRequests(h).slice(warm).map((r) => r.method)).toEqual(['batch', 'batch', 'bizproc.event.send']);
  });

  it('a deal in another pipeline is invoiced by the robot set on that pipeline’s stage', async () => {
    h = await startHarness(engine);
    await h.install();
    const sublease = addCategory(h.sandbox.crm, 2, { name: 'Субаренда', sort: 200 });
    const dealId = h.seed.deals.soleTrader;
    await h.server.deps.bitrix
      .forPortal(h.sandbox.memberId)
      .call('crm.item.update', { entityTypeId: 2, id: dealId, fields: { categoryId: sublease.id } });
    const from = `C${sublease.id}:PREPARATION`;
    const to = `C${sublease.id}:PREPAYMENT_INVOICE`;
    h.sandbox.setStageAutomation(sublease.id, from, [robot('generate_invoice'), moveIfOk('generate_invoice', to)]);
    // The rental pipeline's robots must not fire for it.
    invoiceOnIssueStage(h);

    await h.sandbox.moveDeal(dealId, from);
    await h.sandbox.runUntilIdle();
    const tokens = callTokens(h, dealId, 'generate_invoice');
    expect(tokens).toHaveLength(1);
    const a = onlyAnswer(h, tokens[0]!);
    expect(a).toMatchObject({ status: 'ok', invoice_number: '1', amount_due: 25000 });
    expect(h.sandbox.crm.deals.get(dealId)!.STAGE_ID).toBe(to);
    // No requisite link on this deal: the client's company requisites are used.
    const t = flat((await pdfAt(String(a.qr_invoice_url))).text);
    expect(t).toContain('ИНН 771234567859');
    expect(t).toContain('Аренда складского помещения № 12');
  });
  it('own company with two requisites and no «my company» on the deal: the QR pays the account of the requisite whose INN it prints', async () => {
    h = await startHarness(engine);
    await h.install();
    const portal = h.server.deps.bitrix.forPortal(h.sandbox.memberId);
    // A newer requisite sorted first, marked inactive (Bitrix24 ignores the flag), with its own bank account.
    const rqId = Number(
      await portal.call('crm.requisite.add', {
        fields: {
          ENTITY_TYPE_ID: 4, ENTITY_ID: h.seed.myCompany.companyId, PRESET_ID: 1, NAME: 'Новые реквизиты', ACTIVE: 'N', SORT: 10,
          RQ_COMPANY_NAME: 'ООО «Арендодатель»', RQ_INN: '7725088527', RQ_KPP: '772501001',
        },
      }),
    );
    await portal.call('crm.requisite.bankdetail.add', {
      fields: {
        ENTITY_ID: rqId, NAME: 'Альфа', RQ_BANK_NAME: 'АО «АЛЬФА-БАНК»', RQ_BIK: '044525593',
        RQ_COR_ACC_NUM: '30101810200000000593', RQ_ACC_NUM: '40702810801300012345',
      },
    });
    const a = (await runRobot(h, 'generate_invoice', h.seed.deals.soleTrader)).answer;
    expect(a.status, String(a.error_text)).toBe('ok');
    const qr = await qrFieldsInPng((await fetchFile(String(a.qr_image_url))).body);
    expect({ PayeeINN: qr.PayeeINN, PersonalAcc: qr.PersonalAcc, BIC: qr.BIC }).toEqual({
      PayeeINN: '7725088527',
      PersonalAcc: '40702810801300012345',
      BIC: '044525593',
    });
  });
});

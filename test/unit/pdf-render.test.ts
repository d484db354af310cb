import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DocumentModel } from '../../src/documents/model.js';
import { parseDocumentModel } from '../../src/documents/schema.js';
import { renderDocument, renderQrPng } from '../../src/documents/pdf/render.js';
import { ACT_CLOSING } from '../../src/documents/pdf/act.js';
import { GOST_QR_CAPTION, LINK_QR_CAPTION } from '../../src/documents/pdf/qrBlock.js';
import { documentTotals, gostFieldsFor } from '../../src/documents/purpose.js';
import { parseGostPayload } from '../../src/qr/payload.js';
import {
  flat,
  loadFixture,
  pdfFonts,
  pdfImagesList,
  pdfInfo,
  pdfText,
  qpdfCheck,
  rasterize,
  scanPdfQr,
  scanQr,
} from '../helpers/pdfTools.js';

const model = (name: string) => parseDocumentModel(loadFixture(name));

describe('QR-invoice of an OOO with VAT 22 % included', () => {
  it('prints title, requisites, table, totals, VAT line, words and due date', async () => {
    const text = await pdfText(await renderDocument(model('ooo-vat22-qr')));
    const f = flat(text);
    expect(f).toContain('Счет на оплату № 15 от 1 декабря 2026 г.');
    for (const requisite of ['ПАО СБЕРБАНК г. Москва', 'БИК', '044525225', '30101810400000000225', '40702810138250123017',
      'ИНН 7725088527', 'КПП 772501001', 'Банк получателя', 'Получатель']) {
      expect(f).toContain(requisite);
    }
    expect(f).toContain('Поставщик');
    expect(f).toContain('(Исполнитель):');
    expect(f).toContain('ООО «Арендатор», ИНН 7715034360, КПП 771501001');
    expect(f).toContain('Основание: Договор аренды № 7 от 01.02.2025');
    expect(f).toMatch(/№ Товары \(работы, услуги\) Кол-во Ед\. Цена Сумма/);
    expect(f).toMatch(/1 Арендная плата за декабрь 2026 г\. \(пом\. 12, 45,5 кв\. м\) 1 мес\. 25 000,00 25 000,00/);
    expect(f).toContain('Итого: 25 000,00');
    expect(f).toContain('В том числе НДС (22%): 4 508,20');
    expect(f).toContain('Всего к оплате: 25 000,00');
    expect(f).toContain('Всего наименований 1, на сумму 25 000,00 руб.');
    expect(f).toContain('Двадцать пять тысяч рублей 00 копеек');
    expect(f).toContain('Оплатить не позднее 05.12.2026');
    expect(f).toContain(GOST_QR_CAPTION);
    expect(f).not.toMatch(/СБП|УПК/);
    expect(f).toMatch(/Руководитель\s+Иванов И\.И\.\s+Бухгалтер\s+Петрова П\.П\./);
    expect(f).not.toContain('Страница');
  });

  it('carries a vector QR that a scanner reads back as the GOST payload of the invoice', async () => {
    const m = model('ooo-vat22-qr');
    const pdf = await renderDocument(m);
    const scanned = parseGostPayload(await scanPdfQr(pdf), { strict: true });
    expect(scanned.encoding).toBe('utf8');
    const expected = gostFieldsFor(m, documentTotals(m));
    expect(scanned.fields).toEqual(Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, String(v)])));
    expect(scanned.fields.Sum).toBe('2500000');
    expect(scanned.fields.Purpose).toContain('№ 15 от 01.12.2026');
    expect(scanned.fields.Purpose).toContain('НДС (22%) 4 508,20 руб.');
    expect(await pdfImagesCount(pdf)).toBe(0);
  });

  it('encodes the payload in Windows-1251 when asked', async () => {
    const m = model('ooo-vat22-qr');
    const raw = await scanPdfQr(await renderDocument(m, { qrEncoding: 'win1251' }));
    expect(raw.subarray(0, 8).toString('latin1')).toBe('ST00011|');
    const scanned = parseGostPayload(raw, { strict: true });
    expect(scanned.encoding).toBe('win1251');
    expect(scanned.fields.Name).toBe('ООО «Арендодатель»');
    expect(scanned.fields.Sum).toBe('2500000');
  });

  it('is a clean PDF: qpdf finds nothing, fonts are embedded subsets, fixed metadata', async () => {
    const pdf = await renderDocument(model('ooo-vat22-qr'));
    expect(await qpdfCheck(pdf)).toContain('No syntax or stream encoding errors found');
    const fonts = await pdfFonts(pdf);
    expect(fonts).toMatch(/[A-Z]{6}\+PTSans-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).toMatch(/[A-Z]{6}\+PTSans-Bold\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    const info = await pdfInfo(pdf);
    expect(info.Pages).toBe('1');
    expect(info['Page size']).toContain('(A4)');
    expect(info.Title).toBe('Счет на оплату № 15 от 1 декабря 2026 г.');
    expect(info.Producer).toBe('b24-qr-billing');
    expect(info.CreationDate).toContain('Dec  1 00:00:00 2026');
    expect(pdf.length).toBeLessThan(80 * 1024);
  });

  it('renders byte-identical output for the same input and a different file for another one', async () => {
    const a = await renderDocument(model('ooo-vat22-qr'));
    const b = await renderDocument(model('ooo-vat22-qr'));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const other = await renderDocument({ ...model('ooo-vat22-qr'), number: '16' });
    expect(Buffer.from(a).equals(Buffer.from(other))).toBe(false);
    const act1 = await renderDocument(model('act-ooo'));
    const act2 = await renderDocument(model('act-ooo'));
    expect(Buffer.from(act1).equals(Buffer.from(act2))).toBe(true);
  });

  it('renders the same bytes in a fresh process, whatever the caches of this one hold', async () => {
    const here = createHash('sha256').update(await renderDocument(model('many-lines'))).digest('hex');
    const script = fileURLToPath(new URL('../helpers/renderFixtureHash.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, 'many-lines']);
    expect(stdout).toBe(here);
  });

  it('gives the same QR as a PNG for the CRM', async () => {
    const m = model('ooo-vat22-qr');
    const png = await renderQrPng(m);
    expect(png).not.toBeNull();
    const fields = parseGostPayload(await scanQr(png as Buffer)).fields;
    expect(fields.Sum).toBe('2500000');
    expect(fields.DocNo).toBe('15');
  });
});

async function pdfImagesCount(pdf: Uint8Array): Promise<number> {
  return (await pdfImagesList(pdf)).split('\n').filter((l) => /^\s*\d+\s+\d+\s+(image|smask)/.test(l)).length;
}

describe('logo, signature and stamp', () => {
  it('embeds PNG and JPEG images given as data URLs or bare base64', async () => {
    const m = model('ooo-vat22-qr');
    const png = (await renderQrPng(m)) as Buffer;
    const jpeg = await rasterize(await renderDocument(model('ooo-ontop10')), { dpi: 20, format: 'jpeg' });
    const withImages = {
      ...m,
      images: {
        logo: `data:image/png;base64,${png.toString('base64')}`,
        signature: png.toString('base64'),
        stamp: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
      },
    };
    const pdf = await renderDocument(parseDocumentModel(withImages));
    const list = await pdfImagesList(pdf);
    expect(list).toMatch(/\bpng\b|\bimage\b/);
    expect(list).toMatch(/jpeg/);
    // logo + signature are the same PNG but embedded per slot; the stamp is the JPEG
    expect(await pdfImagesCount(pdf)).toBe(3);
    expect(await qpdfCheck(pdf)).toContain('No syntax or stream encoding errors found');
    // the QR still scans with the images around it
    expect(parseGostPayload(await scanPdfQr(pdf)).fields.Sum).toBe('2500000');
  });

  it('refuses an image that is neither PNG nor JPEG, naming the field', async () => {
    const m = { ...model('act-ooo'), images: { stamp: Buffer.from('GIF89a-not-really').toString('base64') } };
    await expect(renderDocument(m)).rejects.toMatchObject({ issues: [{ path: 'images.stamp' }] });
  });
});

describe('invoice of an individual entrepreneur without VAT', () => {
  it('prints «Без налога (НДС)» with a dash, the ИП signature and no accountant', async () => {
    const pdf = await renderDocument(model('ip-no-vat'));
    const f = flat(await pdfText(pdf));
    expect(f).toContain('Счет на оплату № 2026-031 от 25 марта 2026 г.');
    expect(f).toContain('Итого: 48 817,45');
    expect(f).toContain('Без налога (НДС) -');
    expect(f).toContain('Всего к оплате: 48 817,45');
    expect(f).toContain('Сорок восемь тысяч восемьсот семнадцать рублей 45 копеек');
    expect(f).toMatch(/Индивидуальный предприниматель\s+Смирнова А\.В\./);
    expect(f).not.toContain('Бухгалтер');
    expect(f).not.toContain('НДС (');
    const fields = parseGostPayload(await scanPdfQr(pdf)).fields;
    expect(fields.KPP).toBeUndefined();
    expect(fields.PayeeINN).toBe('773370857141');
    expect(fields.Sum).toBe('4881745');
    expect(fields.Purpose).toContain('Без налога (НДС)');
  });
});

describe('invoice with VAT 10 % on top', () => {
  it('adds VAT to the subtotal and has no QR block', async () => {
    const pdf = await renderDocument(model('ooo-ontop10'));
    const f = flat(await pdfText(pdf));
    expect(f).toContain('Счет на оплату № 118 от 2 февраля 2026 г.');
    expect(f).toMatch(/2 Погрузо-разгрузочные работы 12,25 т 1 333,33 16 333,29/);
    expect(f).toContain('Итого: 32 008,26');
    expect(f).toContain('НДС (10%): 3 200,83');
    expect(f).toContain('Всего к оплате: 35 209,09');
    expect(f).toContain('Всего наименований 3, на сумму 35 209,09 руб.');
    expect(f).toContain('Тридцать пять тысяч двести девять рублей 09 копеек');
    expect(f).toMatch(/Генеральный директор\s+Кравцов Д\.А\./);
    expect(f).not.toContain('QR');
    expect(f).not.toContain('Оплатить не позднее');
  });
});

describe('QR-invoice with a bank link', () => {
  it('prints the link as is under its own caption and encodes exactly the link', async () => {
    const m = model('link-qr');
    const pdf = await renderDocument(m);
    const f = flat(await pdfText(pdf));
    expect(f).toContain(LINK_QR_CAPTION);
    expect(f).toContain(m.qr?.link);
    expect(f).not.toContain(GOST_QR_CAPTION);
    expect((await scanPdfQr(pdf)).toString('utf8')).toBe(m.qr?.link);
  });

  it('has no QR block with qr.mode none', async () => {
    const m = { ...model('link-qr'), qr: { mode: 'none' as const } };
    const f = flat(await pdfText(await renderDocument(m)));
    expect(f).not.toContain(LINK_QR_CAPTION);
    expect(f).not.toContain(GOST_QR_CAPTION);
    expect(await renderQrPng(m)).toBeNull();
  });
});

describe('act', () => {
  it('follows the 1C act layout with both signature columns', async () => {
    const pdf = await renderDocument(model('act-ooo'));
    const text = await pdfText(pdf);
    const f = flat(text);
    expect(f).toContain('Акт № 42 от 30 апреля 2026 г.');
    expect(f).toContain('Исполнитель: ООО «Арендодатель», ИНН 7725088527, КПП 772501001');
    expect(f).toContain('Заказчик: ООО «Арендатор», ИНН 7715034360, КПП 771501001');
    expect(f).toContain('Период: апрель 2026 г.');
    expect(f).toMatch(/№ Наименование работ, услуг Кол-во Ед\. Цена Сумма/);
    expect(f).toContain('Итого: 25 000,00');
    expect(f).toContain('В том числе НДС (22%): 4 508,20');
    expect(f).toContain('Всего оказано услуг 1, на сумму 25 000,00 руб.');
    expect(f).toContain('Двадцать пять тысяч рублей 00 копеек');
    expect(f).toContain(ACT_CLOSING);
    expect(text).toMatch(/ИСПОЛНИТЕЛЬ\s+ЗАКАЗЧИК/);
    expect(text).toMatch(/Генеральный директор\s+Директор/);
    expect(text).toMatch(/\/ Иванов И\.И\. \/\s+\/ Сидоров С\.С\. \//);
    expect(text).toMatch(/М\.П\.\s+М\.П\./);
    expect(f).not.toContain('Всего к оплате');
    expect(f).not.toContain('QR');
    expect(await qpdfCheck(pdf)).toContain('No syntax or stream encoding errors found');
  });
});

describe('45 lines with long names', () => {
  it('wraps names in their cells and continues over pages with the header repeated and page numbers', async () => {
    const m = model('many-lines');
    const pdf = await renderDocument(m);
    const info = await pdfInfo(pdf);
    const pages = Number(info.Pages);
    expect(pages).toBeGreaterThanOrEqual(2);
    const text = await pdfText(pdf);
    const pageTexts = text.split('\f').filter((p) => p.trim() !== '');
    expect(pageTexts).toHaveLength(pages);
    pageTexts.forEach((p, i) => {
      expect(p).toMatch(/Товары \(работы, услуги\)\s+Кол-во\s+Ед\.\s+Цена\s+Сумма/);
      expect(p).toContain(`Страница ${i + 1} из ${pages}`);
      if (i > 0) expect(p).toContain('Счет на оплату № 2026-1201 от 30 ноября 2026 г. (продолжение)');
    });
    // Every row is printed once, in order; a long name wraps over several lines of its cell.
    const rowNumbers = [...text.matchAll(/^\s{0,6}(\d{1,2})\s{2,}(?:Арендная|Парковка)/gm)].map((r) => Number(r[1]));
    expect(rowNumbers).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(flat(text)).toContain('уборку мест общего пользования');
    const last = flat(pageTexts[pages - 1] ?? '');
    const totals = documentTotals(m);
    expect(totals.total).toBe(560173854);
    expect(last).toContain('Всего к оплате: 5 601 738,54');
    expect(last).toContain('Всего наименований 45, на сумму 5 601 738,54 руб.');
    expect(last).toContain('Пять миллионов шестьсот одна тысяча семьсот тридцать восемь рублей 54 копейки');
    const fields = parseGostPayload(await scanPdfQr(pdf, pages)).fields;
    expect(fields.Sum).toBe('560173854');
    expect((fields.Purpose ?? '').length).toBeLessThanOrEqual(210);
    expect(await qpdfCheck(pdf)).toContain('No syntax or stream encoding errors found');
  });
});

describe('amounts in the billions', () => {
  it('keeps every amount on one line of its column, and the purpose amount whole under the QR', async () => {
    const m = { ...model('ooo-vat22-qr'), lines: [{ name: 'Продажа здания', quantity: 1, unit: 'шт', price: '1234567890.12' }] };
    const pdf = await renderDocument(m);
    const text = await pdfText(pdf);
    expect(text).toMatch(/^\s*1\s+Продажа здания\s+1\s+шт\s+1 234 567 890,12\s+1 234 567 890,12\s*$/m);
    expect(text).toMatch(/^\s*Итого:\s+1 234 567 890,12\s*$/m);
    expect(text).toMatch(/^\s*В том числе НДС \(22%\):\s+222 626 996,58\s*$/m);
    expect(text).toMatch(/^\s*Всего к оплате:\s+1 234 567 890,12\s*$/m);
    expect(text).toContain('В т.ч. НДС (22%) 222 626 996,58 руб.');
    expect(flat(text)).toContain(
      'Один миллиард двести тридцать четыре миллиона пятьсот шестьдесят семь тысяч восемьсот девяносто рублей 12 копеек',
    );
    expect(parseGostPayload(await scanPdfQr(pdf)).fields.Sum).toBe('123456789012');
  });
});

describe('what follows the items table stays together with its last row', () => {
  const lines = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      name: i % 9 === 0 ? `Арендная плата за помещение № ${i + 1}, ${'эксплуатационные расходы, '.repeat(6)}охрана` : `Услуга ${i + 1}`,
      quantity: 1 + (i % 3) * 0.5,
      unit: 'усл.',
      price: `${1000 + i * 11}.${String(i % 100).padStart(2, '0')}`,
    }));
  const lastPage = async (m: DocumentModel) => {
    const pages = (await pdfText(await renderDocument(m))).split('\f').filter((p) => p.trim() !== '');
    return { count: pages.length, last: flat(pages[pages.length - 1] ?? '') };
  };

  // Whatever the number of rows, the page with the signatures also carries the last row and the totals:
  // a page of bare signatures (or an act's signatures without its closing sentence) is not a document.
  it('in an act: the closing sentence and both signatures never open a page of their own', async () => {
    let multiPage = 0;
    for (let n = 40; n <= 70; n += 2) {
      const { count, last } = await lastPage({ ...model('act-ooo'), lines: lines(n) });
      if (count > 1) multiPage++;
      expect(last, `${n} lines`).toContain(flat(ACT_CLOSING));
      expect(last, `${n} lines`).toContain(`Всего оказано услуг ${n}`);
      expect(last, `${n} lines`).toMatch(new RegExp(`(^| )${n} (Услуга ${n} |Арендная плата за помещение № ${n},)`));
      expect(last, `${n} lines`).toMatch(/ИСПОЛНИТЕЛЬ ЗАКАЗЧИК/);
    }
    expect(multiPage).toBeGreaterThan(10);
  });

  it('in a QR-invoice: the QR and the signatures stay with the totals', async () => {
    for (let n = 40; n <= 70; n += 2) {
      const { last } = await lastPage({ ...model('ooo-vat22-qr'), lines: lines(n) });
      expect(last, `${n} lines`).toContain(`Всего наименований ${n}`);
      expect(last, `${n} lines`).toContain(GOST_QR_CAPTION);
      expect(last, `${n} lines`).toMatch(/Руководитель .*Бухгалтер/);
    }
  });
});

describe('a one-row invoice whose QR and signatures do not fit on the first page', () => {
  it('keeps its row and totals on the first page and moves the QR and signatures over together', async () => {
    const base = model('ooo-vat22-qr');
    const png = ((await renderQrPng(base)) as Buffer).toString('base64');
    const long = (s: string, n: number) => `${s} ${'строение 1, помещение 17-Н, комната 4, '.repeat(20)}`.slice(0, n);
    let twoPages = 0;
    for (let chars = 200; chars <= 1000; chars += 200) {
      const m: DocumentModel = {
        ...base,
        seller: { ...base.seller, address: long('115054, г. Москва, ул. Дубининская, д. 57', 300) },
        buyer: { ...base.buyer, name: long('ООО «Арендатор»', 300), address: long('127018, г. Москва', 300) },
        basis: long('Договор аренды № 7 от 01.02.2025', 300),
        lines: [{ ...base.lines[0]!, name: long('Арендная плата за декабрь 2026 г.', chars) }],
        images: { logo: png, stamp: png },
      };
      const pages = (await pdfText(await renderDocument(m))).split('\f').filter((p) => p.trim() !== '').map(flat);
      if (pages.length > 1) twoPages++;
      expect(pages[0], `${chars} characters`).toContain('Всего наименований 1, на сумму 25 000,00 руб.');
      const signed = pages.find((p) => p.includes('Руководитель')) ?? '';
      expect(signed, `${chars} characters`).toContain(GOST_QR_CAPTION);
    }
    expect(twoPages).toBeGreaterThan(0);
  });
});

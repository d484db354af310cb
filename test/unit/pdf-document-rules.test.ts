/**
 * Documents refused or drawn as issue 7 asks, read back the way a person would: pdftotext for the words,
 * pdftoppm + zbarimg for the QR code.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { DocumentModel } from '../../src/documents/model.js';
import { parseDocumentModel } from '../../src/documents/schema.js';
import { renderDocument } from '../../src/documents/pdf/render.js';
import { parseGostPayload } from '../../src/qr/payload.js';
import { checkRendersBeforeNumbering } from '../../src/robots/shared/modelCheck.js';
import { flat, loadFixture, pdfText, scanPdfQr } from '../helpers/pdfTools.js';

const fixture = (name: string) => loadFixture(name);

/** Paths and messages of the ValidationError `fn` throws (sync or async). */
async function issuesOf(fn: () => unknown): Promise<{ path: string; message: string }[]> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map(({ path, message }) => ({ path, message }));
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('a payable document for 0,00', () => {
  const zero = (kind: DocumentModel['kind']): DocumentModel => {
    const doc = fixture('ooo-vat22-qr');
    return { ...doc, kind, lines: doc.lines.map((l) => ({ ...l, price: '0.00' })) };
  };

  it.each(['invoice', 'qr_invoice'] as const)('%s is refused by the schema and by the renderer', async (kind) => {
    for (const issues of [await issuesOf(() => parseDocumentModel(zero(kind))), await issuesOf(() => renderDocument(zero(kind)))]) {
      expect(issues).toEqual([{ path: 'lines', message: expect.stringContaining('Сумма к оплате 0,00 руб.') }]);
    }
  });

  it('an invoice of a kopeck is still an invoice', async () => {
    const doc = zero('qr_invoice');
    doc.lines = [{ ...doc.lines[0]!, price: '0.01' }];
    expect(parseGostPayload(await scanPdfQr(await renderDocument(parseDocumentModel(doc)))).fields.Sum).toBe('1');
  });
});

describe('an act before its period ends', () => {
  const early = (): DocumentModel => ({ ...fixture('act-ooo'), date: '2026-04-29' });

  it('is refused, naming the day it can be issued', async () => {
    for (const issues of [await issuesOf(() => parseDocumentModel(early())), await issuesOf(() => renderDocument(early()))]) {
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe('date');
      expect(issues[0]?.message).toContain('не раньше 30.04.2026');
    }
  });

  it('is drawn with allowEarly, and on the last day of the period without it', async () => {
    const allowed = flat(await pdfText(await renderDocument(parseDocumentModel({ ...early(), allowEarly: true }))));
    expect(allowed).toContain('Акт № 42 от 29 апреля 2026 г.');
    const onTime = flat(await pdfText(await renderDocument(parseDocumentModel(fixture('act-ooo')))));
    expect(onTime).toContain('Акт № 42 от 30 апреля 2026 г.');
  });
});

describe('text the document font cannot print', () => {
  it.each([
    ['seller.name', (d: DocumentModel) => (d.seller.name = 'ООО «Арендодатель» 🏠')],
    ['buyer.name', (d: DocumentModel) => (d.buyer.name = 'ООО «租户»')],
    ['lines[0].name', (d: DocumentModel) => (d.lines[0]!.name = 'Аренда ☕ за декабрь')],
    ['purpose', (d: DocumentModel) => (d.purpose = 'Аренда 🙂')],
  ])('is refused in %s, naming the field', async (path, patch) => {
    const doc = fixture('ooo-vat22-qr');
    patch(doc);
    for (const issues of [await issuesOf(() => parseDocumentModel(doc)), await issuesOf(() => renderDocument(doc))]) {
      expect(issues).toEqual([{ path, message: expect.stringMatching(/^Символы «.+» \(U\+[0-9A-F]{4,}\) не печатаются шрифтом/) }]);
    }
  });

  it('accepts CRLF from the CRM like LF: same PDF text, one space in the QR purpose', async () => {
    const doc = fixture('ooo-vat22-qr');
    doc.seller.address = '115054, г. Москва,\r\nул. Дубининская, д. 57';
    doc.purpose = 'Аренда склада\r\nза декабрь';
    const pdf = await renderDocument(parseDocumentModel(doc));
    const text = flat(await pdfText(pdf));
    expect(text).toContain('115054, г. Москва,');
    expect(text).toContain('ул. Дубининская, д. 57, тел.');
    expect(text).not.toContain('?');
    const lf = await renderDocument(parseDocumentModel({ ...doc, seller: { ...doc.seller, address: doc.seller.address.replace('\r\n', '\n') } }));
    expect(flat(await pdfText(lf))).toBe(text);
    expect(parseGostPayload(await scanPdfQr(pdf)).fields.Purpose).toBe(
      'Оплата по счету № 15 от 01.12.2026. Аренда склада за декабрь. В т.ч. НДС (22%) 4 508,20 руб.',
    );
  });
});

describe('the QR purpose on paper and in the code', () => {
  it('keeps the invoice number and VAT around a custom purpose; VAT on top reads «В т.ч. НДС»', async () => {
    const doc = { ...fixture('ooo-ontop10'), purpose: 'Аренда офиса 5 за февраль' };
    const pdf = await renderDocument(parseDocumentModel({ ...doc, kind: 'qr_invoice' }));
    const purpose = parseGostPayload(await scanPdfQr(pdf)).fields.Purpose;
    expect(purpose).toBe('Оплата по счету № 118 от 02.02.2026. Аренда офиса 5 за февраль. В т.ч. НДС (10%) 3 200,83 руб.');
    expect(flat(await pdfText(pdf))).toContain(`Назначение платежа: ${purpose}`);
  });

  it('encodes a long legal name in Windows-1251 instead of failing', async () => {
    const doc = fixture('ooo-vat22-qr');
    doc.seller.name = 'Общество с ограниченной ответственностью «Управляющая компания «Северо-Западный ' +
      'торгово-логистический комплекс «Шушары-Индустриальный парк»';
    const pdf = await renderDocument(parseDocumentModel(doc));
    const bytes = await scanPdfQr(pdf);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('ST00011|');
    const fields = parseGostPayload(bytes, { strict: true }).fields;
    expect(fields.Name).toBe(doc.seller.name);
    expect(fields.Sum).toBe('2500000');
    // the robots draw the document before spending a number: no more refusal for the name's length
    await expect(checkRendersBeforeNumbering(doc, '1')).resolves.toBeUndefined();
    // a name that fits stays UTF-8
    expect((await scanPdfQr(await renderDocument(parseDocumentModel(fixture('ooo-vat22-qr'))))).subarray(0, 8).toString('latin1')).toBe(
      'ST00012|',
    );
  });
});

/** The invoice as an act for April 2026, dated its last day. */
function asAct(doc: DocumentModel): DocumentModel {
  const { dueDate: _due, qr: _qr, ...rest } = doc;
  return { ...rest, kind: 'act', date: '2026-04-30', period: { from: '2026-04-01', to: '2026-04-30' } };
}

describe('signatures', () => {
  it('an ИП seller (12-digit INN) signs as «Индивидуальный предприниматель» whatever the position says', async () => {
    const doc = fixture('ip-no-vat');
    doc.seller.directorTitle = 'Генеральный директор';
    const invoice = flat(await pdfText(await renderDocument(parseDocumentModel(doc))));
    expect(invoice).toMatch(/Индивидуальный предприниматель\s+Смирнова А\.В\./);
    expect(invoice).not.toContain('Генеральный директор');
    expect(invoice).not.toContain('Бухгалтер');
    const act = flat(await pdfText(await renderDocument(parseDocumentModel(asAct(doc)))));
    expect(act).toMatch(/ИСПОЛНИТЕЛЬ.*Индивидуальный предприниматель/);
    expect(act).not.toContain('Генеральный директор');
  });

  it('an organisation (10-digit INN) never signs as an ИП', async () => {
    const doc = fixture('ooo-vat22-qr');
    doc.seller.directorTitle = 'Индивидуальный предприниматель';
    const text = flat(await pdfText(await renderDocument(parseDocumentModel(doc))));
    expect(text).not.toContain('Индивидуальный предприниматель');
    expect(text).toMatch(/Руководитель\s+Иванов И\.И\.\s+Бухгалтер\s+Петрова П\.П\./);
    // a 10-digit INN without a KPP is still an organisation with an accountant line
    const act = { ...fixture('act-ooo') };
    act.seller = { ...act.seller, directorTitle: 'ИП' };
    const actText = flat(await pdfText(await renderDocument(parseDocumentModel(act))));
    expect(actText).toMatch(/ИСПОЛНИТЕЛЬ ЗАКАЗЧИК ООО «Арендодатель» ООО «Арендатор» Руководитель Директор/);
  });

  it('a private-person buyer gets his name under his signature line and no «М.П.»', async () => {
    const doc = asAct(fixture('ip-no-vat'));
    const text = await pdfText(await renderDocument(parseDocumentModel(doc)));
    const lines = text.split('\n');
    const signLine = lines.findIndex((l) => /_{3,}|\/ Смирнова А\.В\. \//.test(l) || l.includes('/ Смирнова А.В. /'));
    expect(signLine).toBeGreaterThan(0);
    const below = lines.slice(signLine + 1).join('\n');
    expect(below).toContain('Кузнецов Олег Петрович');
    // one «М.П.»: the seller's
    expect(text.match(/М\.П\./g)).toHaveLength(1);
    // an organisation buyer keeps its seal line
    const org = await pdfText(await renderDocument(parseDocumentModel(fixture('act-ooo'))));
    expect(org.match(/М\.П\./g)).toHaveLength(2);
  });
});

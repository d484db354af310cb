import { describe, expect, it } from 'vitest';
import { parseDocumentModel } from '../../src/documents/schema.js';
import { documentTotals, gostFieldsFor, paymentPurpose, PURPOSE_MAX, shortBankName } from '../../src/documents/purpose.js';
import type { DocumentModel } from '../../src/documents/model.js';
import { buildGostPayload, parseGostPayload } from '../../src/qr/payload.js';
import { loadFixture } from '../helpers/pdfTools.js';

const model = (name: string): DocumentModel => parseDocumentModel(loadFixture(name));
const purposeOf = (m: DocumentModel) => paymentPurpose(m, documentTotals(m));

describe('paymentPurpose', () => {
  it('names the invoice, its date, the items and the VAT', () => {
    expect(purposeOf(model('ooo-vat22-qr'))).toBe(
      'Оплата по счету № 15 от 01.12.2026. Арендная плата за декабрь 2026 г. (пом. 12, 45,5 кв. м). ' +
        'В т.ч. НДС (22%) 4 508,20 руб.',
    );
    expect(purposeOf(model('ip-no-vat'))).toBe(
      'Оплата по счету № 2026-031 от 25.03.2026. Аренда квартиры по адресу г. Москва, ул. Лесная, д. 5, кв. 12 ' +
        'за апрель 2026 г.; Возмещение коммунальных платежей за март 2026 г. Без налога (НДС)',
    );
    expect(purposeOf(model('ooo-ontop10'))).toMatch(/^Оплата по счету № 118 от 02\.02\.2026\. .* НДС \(10%\) 3 200,83 руб\.$/);
  });

  it('uses plain spaces only, so bank systems accept it', () => {
    expect(purposeOf(model('ooo-vat22-qr'))).not.toMatch(/[\u00a0\u202f\n]/);
  });

  it('shortens the item names, never the number, date or VAT, to fit 210 characters', () => {
    const m = model('many-lines');
    const p = purposeOf(m);
    expect(p.length).toBeLessThanOrEqual(PURPOSE_MAX);
    expect(p.length).toBeGreaterThan(PURPOSE_MAX - 30);
    expect(p.startsWith('Оплата по счету № 2026-1201 от 30.11.2026. Арендная плата за офисное помещение № 100')).toBe(true);
    expect(p.endsWith('… В т.ч. НДС (22%) 1 010 149,57 руб.')).toBe(true);
    // the cut falls between words
    expect(p).not.toMatch(/\s…/);
  });

  it('cuts a single over-long word inside it', () => {
    const m = model('ooo-vat22-qr');
    const p = purposeOf({ ...m, lines: [{ ...m.lines[0]!, name: 'Щ'.repeat(400) }] });
    expect(p).toMatch(/^Оплата по счету № 15 от 01\.12\.2026\. Щ+… В т\.ч\. НДС \(22%\) 4 508,20 руб\.$/);
    expect(p.length).toBeLessThanOrEqual(PURPOSE_MAX);
  });

  it('puts an explicit purpose between the invoice number and the VAT clause, which always stay', () => {
    const m = { ...model('ooo-vat22-qr'), purpose: 'Аренда склада № 4 за декабрь по договору 7' };
    expect(purposeOf(m)).toBe(
      'Оплата по счету № 15 от 01.12.2026. Аренда склада № 4 за декабрь по договору 7. В т.ч. НДС (22%) 4 508,20 руб.',
    );
    const long = purposeOf({ ...m, purpose: 'Аренда '.repeat(30).trim() });
    expect(long.length).toBeLessThanOrEqual(PURPOSE_MAX);
    expect(long).toMatch(/^Оплата по счету № 15 от 01\.12\.2026\. (Аренда )+Аренда… В т\.ч\. НДС \(22%\) 4 508,20 руб\.$/);
    // a purpose that already says it all is not repeated
    const full = 'Оплата по счету № 15 от 01.12.2026. Аренда за декабрь. В т.ч. НДС (22%) 4 508,20 руб.';
    expect(purposeOf({ ...m, purpose: full })).toBe(full);
    expect(purposeOf({ ...model('ip-no-vat'), purpose: 'Аренда квартиры' })).toBe(
      'Оплата по счету № 2026-031 от 25.03.2026. Аренда квартиры. Без налога (НДС)',
    );
  });

  it('says «В т.ч. НДС» for VAT added on top too: the payment includes it', () => {
    expect(purposeOf(model('ooo-ontop10'))).toMatch(/^Оплата по счету № 118 от 02\.02\.2026\. .*\. В т\.ч\. НДС \(10%\) 3 200,83 руб\.$/);
  });
});

describe('shortBankName', () => {
  it('keeps names up to 45 characters and cuts longer ones between words with quotes closed', () => {
    expect(shortBankName('ПАО СБЕРБАНК г. Москва')).toBe('ПАО СБЕРБАНК г. Москва');
    const cut = shortBankName('ПАО «БАНК «САНКТ-ПЕТЕРБУРГ» Филиал Северо-Западный г. Санкт-Петербург');
    expect(cut.length).toBeLessThanOrEqual(45);
    expect(cut).toBe('ПАО «БАНК «САНКТ-ПЕТЕРБУРГ» Филиал');
    const quoted = shortBankName('Филиал "Центральный" ПАО "Совкомбанк" в городе Бердск Новосибирской области');
    expect(quoted).toBe('Филиал "Центральный" ПАО "Совкомбанк"');
    const open = shortBankName('АО "Банк Развития Промышленности и Торговли Северного региона" г. Архангельск');
    expect(open).toBe('АО "Банк Развития Промышленности и Торговли"');
  });
});

describe('gostFieldsFor', () => {
  it('builds the GOST field set in payload order with the sum in kopecks', () => {
    const m = model('ooo-vat22-qr');
    const fields = gostFieldsFor(m, documentTotals(m));
    expect(Object.keys(fields)).toEqual([
      'Name', 'PersonalAcc', 'BankName', 'BIC', 'CorrespAcc', 'Sum', 'Purpose', 'PayeeINN', 'KPP', 'PayerINN',
      'Contract', 'DocNo', 'DocDate',
    ]);
    expect(fields).toMatchObject({
      Name: 'ООО «Арендодатель»',
      PersonalAcc: '40702810138250123017',
      BankName: 'ПАО СБЕРБАНК г. Москва',
      BIC: '044525225',
      CorrespAcc: '30101810400000000225',
      Sum: 2500000,
      PayeeINN: '7725088527',
      KPP: '772501001',
      PayerINN: '7715034360',
      Contract: '7',
      DocNo: '15',
      DocDate: '01.12.2026',
    });
  });

  it('omits KPP for an ИП, PayerINN when the buyer has none or a wrong one, DocNo when it is too long', () => {
    const ip = model('ip-no-vat');
    const f = gostFieldsFor(ip, documentTotals(ip));
    expect(f.KPP).toBeUndefined();
    expect(f.PayeeINN).toBe('773370857141');
    expect(f.PayerINN).toBe('344809916052');
    const noInn = { ...ip, buyer: { name: 'Кузнецов О.П.', inn: '12345' }, number: 'INV-2026-000000031' };
    const g = gostFieldsFor(noInn, documentTotals(noInn));
    expect(g.PayerINN).toBeUndefined();
    expect(g.DocNo).toBeUndefined();
    // a buyer INN with wrong check digits only warns on the document, but is not pre-filled for the payer
    const typo = { ...ip, buyer: { ...ip.buyer, inn: '344809916053' } };
    expect(gostFieldsFor(typo, documentTotals(typo)).PayerINN).toBeUndefined();
    expect(g.Purpose).toContain('№ INV-2026-000000031');
  });

  it('gives fields every sample invoice can be encoded with and parsed back', () => {
    for (const name of ['ooo-vat22-qr', 'ip-no-vat', 'ooo-ontop10', 'many-lines']) {
      const m = model(name);
      const fields = gostFieldsFor(m, documentTotals(m));
      for (const encoding of ['utf8', 'win1251'] as const) {
        const parsed = parseGostPayload(buildGostPayload(fields, { encoding }).bytes, { strict: true });
        expect(parsed.fields.Sum).toBe(String(documentTotals(m).total));
        expect(parsed.fields.Purpose).toBe(fields.Purpose);
        expect(parsed.fields.BankName).toBe(fields.BankName);
      }
    }
  });
});

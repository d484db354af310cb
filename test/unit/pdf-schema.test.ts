import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { formatIssuePath, parseDocumentModel, validateForIssue } from '../../src/documents/schema.js';
import { loadFixture } from '../helpers/pdfTools.js';

/** Paths of the issues parseDocumentModel reports for `input`. */
function issuePaths(input: unknown): string[] {
  try {
    parseDocumentModel(input);
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => i.path);
    throw err;
  }
  return [];
}

const base = () => loadFixture('ooo-vat22-qr') as unknown as Record<string, any>;

describe('parseDocumentModel', () => {
  it('accepts every sample document unchanged', () => {
    for (const name of ['ooo-vat22-qr', 'ip-no-vat', 'ooo-ontop10', 'act-ooo', 'link-qr', 'many-lines']) {
      const input = loadFixture(name);
      expect(parseDocumentModel(input)).toEqual(input);
    }
  });

  it('names the exact line and field of a bad price', () => {
    const doc = base();
    doc.lines = [doc.lines[0], { ...doc.lines[0] }, { ...doc.lines[0], price: '12.345' }];
    expect(issuePaths(doc)).toEqual(['lines[2].price']);
    doc.lines[2].price = 12.5;
    expect(issuePaths(doc)).toEqual(['lines[2].price']);
    for (const bad of ['-5.00', '1,5', '1e3', '', ' 100']) {
      doc.lines[2].price = bad;
      expect(issuePaths(doc)).toEqual(['lines[2].price']);
    }
    for (const good of ['0', '25000', '25000.5', '25000.50']) {
      doc.lines[2].price = good;
      expect(issuePaths(doc)).toEqual([]);
    }
  });

  it('wants quantities above zero with at most three decimals', () => {
    const doc = base();
    for (const bad of [0, -1, 1.2345, Number.NaN, '1']) {
      doc.lines[0].quantity = bad;
      expect(issuePaths(doc)).toEqual(['lines[0].quantity']);
    }
    for (const good of [1, 0.001, 2.5, 12.125]) {
      doc.lines[0].quantity = good;
      expect(issuePaths(doc)).toEqual([]);
    }
  });

  it('rejects unknown fields at any depth, one issue per field', () => {
    const doc = base();
    doc.colour = 'red';
    doc.seller.bank.swift = 'SABRRUMM';
    doc.lines[0].discount = '10';
    expect(issuePaths(doc).sort()).toEqual(['colour', 'lines[0].discount', 'seller.bank.swift']);
  });

  it('accepts only real calendar dates in YYYY-MM-DD', () => {
    for (const [field, value] of [['date', '2026-02-29'], ['date', '01.12.2026'], ['dueDate', '2026-13-01'], ['date', '2026-1-5']]) {
      const doc = base();
      doc[field as string] = value;
      expect(issuePaths(doc)).toEqual([field]);
    }
    const leap = base();
    leap.date = '2028-02-29';
    leap.dueDate = '2028-03-01';
    expect(issuePaths(leap)).toEqual([]);
  });

  it('refuses a due date before the invoice date', () => {
    const doc = base();
    doc.dueDate = '2026-11-30';
    expect(issuePaths(doc)).toEqual(['dueDate']);
  });

  it('requires the VAT rate unless VAT is off', () => {
    const doc = base();
    doc.vat = { mode: 'included' };
    expect(issuePaths(doc)).toEqual(['vat.rate']);
    doc.vat = { mode: 'on_top', rate: 20 };
    expect(issuePaths(doc)).toEqual(['vat.rate']);
    doc.vat = { mode: 'none' };
    expect(issuePaths(doc)).toEqual([]);
    doc.vat = { mode: 'sometimes', rate: 22 };
    expect(issuePaths(doc)).toEqual(['vat.mode']);
  });

  it('requires an https link in link mode', () => {
    const doc = base();
    doc.qr = { mode: 'link' };
    expect(issuePaths(doc)).toEqual(['qr.link']);
    doc.qr = { mode: 'link', link: 'http://qr.nspk.ru/AS1' };
    expect(issuePaths(doc)).toEqual(['qr.link']);
    doc.qr = { mode: 'link', link: 'javascript:alert(1)' };
    expect(issuePaths(doc)).toEqual(['qr.link']);
    doc.qr = { mode: 'link', link: 'https://qr.nspk.ru/AS1000670LSS7DN18SJQDNP4B05KLJL2' };
    expect(issuePaths(doc)).toEqual([]);
    doc.qr = { mode: 'gost', link: 'https://qr.nspk.ru/AS1' };
    expect(issuePaths(doc)).toEqual(['qr.link']);
  });

  it('needs a period on an act, not on an invoice', () => {
    const act = loadFixture('act-ooo') as unknown as Record<string, any>;
    delete act.period;
    expect(issuePaths(act)).toEqual(['period']);
    act.period = { from: '2026-04-30', to: '2026-04-01' };
    expect(issuePaths(act)).toEqual(['period.to']);
    const invoice = base();
    delete invoice.dueDate;
    expect(issuePaths(invoice)).toEqual([]);
  });

  it('reports missing and empty required fields by path', () => {
    const doc = base();
    delete doc.seller.bank.bic;
    doc.buyer.name = '   ';
    doc.lines = [];
    expect(issuePaths(doc).sort()).toEqual(['buyer.name', 'lines', 'seller.bank.bic']);
    expect(issuePaths(null)).toEqual(['(document)']);
    expect(issuePaths({ ...base(), kind: 'receipt' })).toEqual(['kind']);
  });

  it('says in Russian that a required part is missing or has the wrong type, not in zod\'s English', () => {
    const issues = (input: unknown) => {
      try {
        parseDocumentModel(input);
      } catch (err) {
        return (err as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    const doc = base();
    delete doc.seller.bank;
    delete doc.seller.inn;
    doc.period = 5;
    expect(issues(doc).sort()).toEqual([
      'period: Ожидался объект { … }',
      'seller.bank: Обязательное поле не заполнено',
      'seller.inn: ИНН: поле не заполнено',
    ]);
    expect(issues([])).toEqual(['(document): Ожидался объект { … }']);
  });

  it('says a huge quantity is too large rather than blaming its decimals', () => {
    const doc = base();
    doc.lines[0].quantity = 1e10;
    expect(() => parseDocumentModel(doc)).toThrow(/lines\[0\]\.quantity: Количество: не больше 1 000 000 000/);
  });

  it('keeps the purpose override within the 210 characters of a payment order', () => {
    const doc = base();
    doc.purpose = 'я'.repeat(211);
    expect(issuePaths(doc)).toEqual(['purpose']);
  });

  it('formats paths the way a manager reads them', () => {
    expect(formatIssuePath(['lines', 2, 'price'])).toBe('lines[2].price');
    expect(formatIssuePath(['seller', 'bank', 'bic'])).toBe('seller.bank.bic');
    expect(formatIssuePath([])).toBe('');
  });

  it('puts every path into the error message', () => {
    const doc = base();
    doc.lines[0].price = 'abc';
    doc.date = 'yesterday';
    expect(() => parseDocumentModel(doc)).toThrow(/date: .*lines\[0\]\.price: /s);
  });
});

describe('validateForIssue', () => {
  it('refuses invalid seller requisites with the offending field', () => {
    const doc = parseDocumentModel(loadFixture('ooo-vat22-qr'));
    const paths = (seller: object) => {
      try {
        validateForIssue({ ...doc, seller: { ...doc.seller, ...seller } });
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as ValidationError).issues.map((i) => i.path);
      }
      return [];
    };
    expect(paths({ bank: { ...doc.seller.bank, bic: '04452522' } })).toEqual(['seller.bank.bic']);
    // the settlement account's control key is computed with the BIC: another bank's BIC breaks it
    expect(paths({ bank: { ...doc.seller.bank, bic: '044525226' } })).toEqual(['seller.bank.account']);
    expect(paths({ bank: { ...doc.seller.bank, corrAccount: '30101810500000000225' } })).toEqual(['seller.bank.corrAccount']);
    expect(paths({})).toEqual([]);
    const badInn = { ...doc, seller: { ...doc.seller, inn: '7725088528' } };
    expect(() => validateForIssue(badInn)).toThrow(/seller\.inn/);
  });

  it('only warns about the buyer', () => {
    const doc = parseDocumentModel(loadFixture('ooo-vat22-qr'));
    expect(validateForIssue(doc)).toEqual([]);
    const warnings = validateForIssue({ ...doc, buyer: { ...doc.buyer, inn: '7715034361' } });
    expect(warnings.map((w) => w.path)).toEqual(['buyer.inn']);
  });
});

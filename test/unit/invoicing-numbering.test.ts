import { describe, expect, it } from 'vitest';
import { formatDocumentNumber, validateNumberTemplate } from '../../src/invoicing/numbering.js';
import { errorOf } from '../helpers/errors.js';

describe('formatDocumentNumber', () => {
  it.each([
    { template: '{seq}', seq: 42, date: '2026-12-01', number: '42' },
    { template: '{seq:4}', seq: 42, date: '2026-12-01', number: '0042' },
    { template: '{seq:4}', seq: 123456, date: '2026-12-01', number: '123456' },
    { template: 'СЧ-{yy}{mm}-{seq:4}', seq: 7, date: '2026-03-05', number: 'СЧ-2603-0007' },
    { template: '{yyyy}/{seq}', seq: 1, date: '2027-01-01', number: '2027/1' },
    { template: 'A{mm}.{seq:3}', seq: 15, date: '2026-11-30', number: 'A11.015' },
    { template: '{seq}-{seq:2}', seq: 5, date: '2026-11-30', number: '5-05' },
  ])('$template with seq $seq on $date → $number', ({ template, seq, date, number }) => {
    expect(formatDocumentNumber(template, { seq, date })).toBe(number);
  });

  it('refuses a number longer than the 15 characters of the QR DocNo field', () => {
    const e = errorOf(() => formatDocumentNumber('{yyyy}-{mm}-{seq:6}', { seq: 12345678, date: '2026-12-01' }));
    expect(e.code).toBe('DOCUMENT_NUMBER_TOO_LONG');
    expect(e.message).toContain('2026-12-12345678');
  });

  it.each([
    { seq: 0, date: '2026-12-01', code: 'INVALID_DOCUMENT_SEQ' },
    { seq: 1.5, date: '2026-12-01', code: 'INVALID_DOCUMENT_SEQ' },
    { seq: 1, date: '01.12.2026', code: 'INVALID_DATE' },
  ])('seq $seq, date $date → $code', ({ seq, date, code }) => {
    expect(errorOf(() => formatDocumentNumber('{seq}', { seq, date })).code).toBe(code);
  });
});

describe('validateNumberTemplate', () => {
  it.each(['{seq}', '{seq:6}', 'СЧ-{yy}{mm}-{seq:4}', '{yyyy}-{seq:6}', 'INV/{yy}/{seq}'])('accepts %s', (template) => {
    expect(() => validateNumberTemplate(template)).not.toThrow();
  });

  it.each([
    { template: '', re: /пуст/ },
    { template: 'СЧ-{yyyy}', re: /нет порядкового номера \{seq\}/ },
    { template: '{seq}-{dd}', re: /неизвестная подстановка \{dd\}/ },
    { template: '{seq:0}', re: /от 1 до 10/ },
    { template: 'A|{seq}', re: /недопустимые символы/ },
    { template: 'A {seq}', re: /недопустимые символы/ },
    { template: '{seq', re: /недопустимые символы/ },
    { template: 'СЧЕТ-{yyyy}-{mm}-{seq}', re: /длиной 19 символов \(например «СЧЕТ-2026-12-999999»\).*не больше 15/ },
  ])('refuses «$template»', ({ template, re }) => {
    const e = errorOf(() => validateNumberTemplate(template));
    expect(e.code).toBe('INVALID_NUMBER_TEMPLATE');
    expect(e.message).toMatch(re);
  });
});

import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { buildGostPayload, parseGostPayload, parseGostSum, type GostFields } from '../../src/qr/payload.js';

const SELLER = {
  Name: 'ООО «Три кита»',
  PersonalAcc: '40702810138250123017',
  BankName: 'ОАО "БАНК"',
  BIC: '044525225',
  CorrespAcc: '30101810400000000225',
} as const;

const FULL: GostFields = {
  ...SELLER,
  PersAcc: 'T-7',
  Sum: 2_500_000,
  DocDate: '01.12.2026',
  Purpose: 'Оплата по счёту № 15 от 01.12.2026, в т.ч. НДС (22%) 4\u00A0508,20 руб.',
  PayeeINN: '7725088527',
  KPP: '772501001',
  PayerINN: '7707083893',
  Contract: '7',
  DocNo: '15',
};

function codeOf(fn: () => unknown): { code: string; field: unknown } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    return { code: e.code, field: e.details?.field };
  }
  throw new Error('expected an error');
}

const stringified = (f: GostFields) =>
  Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));

describe('buildGostPayload', () => {
  it('emits header, mandatory block, fixed optional order, then extras', () => {
    const { text, bytes } = buildGostPayload(FULL);
    expect(text).toBe(
      'ST00012|Name=ООО «Три кита»|PersonalAcc=40702810138250123017|BankName=ОАО "БАНК"|BIC=044525225|' +
        'CorrespAcc=30101810400000000225|Sum=2500000|' +
        'Purpose=Оплата по счёту № 15 от 01.12.2026, в т.ч. НДС (22%) 4\u00A0508,20 руб.|PayeeINN=7725088527|' +
        'KPP=772501001|PayerINN=7707083893|Contract=7|DocNo=15|DocDate=01.12.2026|PersAcc=T-7',
    );
    expect(Buffer.from(bytes).toString('utf8')).toBe(text);
  });

  it('encodes Windows-1251 with header ST00011', () => {
    const { text, bytes } = buildGostPayload(FULL, { encoding: 'win1251' });
    expect(text.startsWith('ST00011|Name=')).toBe(true);
    expect(iconv.decode(Buffer.from(bytes), 'win1251')).toBe(text);
    expect(bytes.length).toBe([...text].length); // one byte per character
  });

  it.each(['utf8', 'win1251'] as const)('round-trips through the parser (%s)', (encoding) => {
    const { bytes, text } = buildGostPayload(FULL, { encoding });
    const parsed = parseGostPayload(bytes);
    expect(parsed.encoding).toBe(encoding);
    expect(parsed.separator).toBe('|');
    expect(parsed.fields).toEqual(stringified(FULL));
    expect(parseGostPayload(text).fields).toEqual(stringified(FULL));
    expect(parseGostSum(parsed.fields)).toBe(2_500_000);
  });

  it('replaces CR/LF so a value cannot start a new pair', () => {
    const { text } = buildGostPayload({ ...SELLER, Purpose: 'Аренда\r\nза декабрь\n' });
    expect(text.endsWith('|Purpose=Аренда за декабрь')).toBe(true);
  });

  it('skips empty optional fields', () => {
    const { text } = buildGostPayload({ ...SELLER, Purpose: '  ', KPP: undefined });
    expect(text).not.toContain('Purpose');
    expect(text).not.toContain('KPP');
  });

  it('switches the separator when a value contains |', () => {
    const p = buildGostPayload({ ...SELLER, BankName: 'ОАО | "БАНК"' });
    expect(p.text).toBe(
      'ST00012#Name=ООО «Три кита»#PersonalAcc=40702810138250123017#BankName=ОАО | "БАНК"#BIC=044525225#CorrespAcc=30101810400000000225',
    );
    expect(parseGostPayload(p.bytes).fields.BankName).toBe('ОАО | "БАНК"');
    const q = buildGostPayload({ ...SELLER, BankName: 'ОАО | "БАНК" #1', Purpose: 'a;b' });
    expect(q.text.charAt(7)).toBe(':');
    expect(parseGostPayload(q.bytes).fields).toMatchObject({ BankName: 'ОАО | "БАНК" #1', Purpose: 'a;b' });
  });

  describe('300-byte mandatory block', () => {
    const blockBytes = (f: GostFields, encoding: 'utf8' | 'win1251') => {
      const { text } = buildGostPayload(f, { encoding });
      const enc = (s: string) => (encoding === 'utf8' ? Buffer.byteLength(s) : iconv.encode(s, 'win1251').length);
      return enc(text.slice(8, text.indexOf(f.CorrespAcc) + f.CorrespAcc.length));
    };

    it('allows exactly 300 bytes and refuses 301, naming the longest field', () => {
      const base = blockBytes({ ...SELLER, Name: 'Я' }, 'utf8');
      const pad = 300 - base;
      const name = 'Я' + 'Ж'.repeat(Math.floor(pad / 2)) + 'a'.repeat(pad % 2);
      expect(blockBytes({ ...SELLER, Name: name }, 'utf8')).toBe(300);
      expect(codeOf(() => buildGostPayload({ ...SELLER, Name: name + 'a' }))).toEqual({
        code: 'QR_MANDATORY_TOO_LONG',
        field: 'Name',
      });
    });

    it('counts bytes of the chosen encoding', () => {
      const name = 'Ж'.repeat(150);
      expect(codeOf(() => buildGostPayload({ ...SELLER, Name: name })).code).toBe('QR_MANDATORY_TOO_LONG');
      expect(blockBytes({ ...SELLER, Name: name }, 'win1251')).toBeLessThanOrEqual(300);
    });

    it('auto: UTF-8 while the block fits, Windows-1251 when only that fits, else a clear error', () => {
      const fits = buildGostPayload({ ...SELLER, Name: 'Ж'.repeat(60) }, { encoding: 'auto' });
      expect(fits.text.startsWith('ST00012|')).toBe(true);
      expect(fits.encoding).toBe('utf8');
      const long = { ...SELLER, Name: `ООО «${'Ж'.repeat(153)}»` };
      const p = buildGostPayload(long, { encoding: 'auto' });
      expect(p.encoding).toBe('win1251');
      expect(Buffer.from(p.bytes.subarray(0, 8)).toString('latin1')).toBe('ST00011|');
      expect(parseGostPayload(p.bytes).fields.Name).toBe(long.Name);
      // 160 characters outside Windows-1251 (Greek) fit in neither charset
      const err = codeOf(() => buildGostPayload({ ...SELLER, Name: 'Ω'.repeat(160) }, { encoding: 'auto' }));
      expect(err).toEqual({ code: 'QR_MANDATORY_TOO_LONG', field: 'Name' });
      expect(() => buildGostPayload({ ...SELLER, Name: 'Ω'.repeat(160) }, { encoding: 'auto' })).toThrow(
        /в UTF-8, допустимо 300 \(в Windows-1251 не записать: .*Windows-1251\); сократите наименование/,
      );
    });

    it('does not count long optional fields', () => {
      const p = buildGostPayload({ ...SELLER, Purpose: 'П'.repeat(210), PayerAddress: 'Адрес '.repeat(60) });
      expect(p.bytes.length).toBeGreaterThan(600);
    });
  });

  it.each([
    [{ Name: 'Я'.repeat(161) }, 'QR_FIELD_TOO_LONG', 'Name'],
    [{ BankName: 'Б'.repeat(46) }, 'QR_FIELD_TOO_LONG', 'BankName'],
    [{ PersonalAcc: '407028101382501230170' }, 'QR_FIELD_TOO_LONG', 'PersonalAcc'],
    [{ PersonalAcc: '4070281013825012301O' }, 'QR_FIELD_INVALID', 'PersonalAcc'],
    [{ BIC: '04452522X' }, 'QR_FIELD_INVALID', 'BIC'],
    [{ BIC: '0445252250' }, 'QR_FIELD_TOO_LONG', 'BIC'],
    [{ CorrespAcc: '3010 1810' }, 'QR_FIELD_INVALID', 'CorrespAcc'],
    [{ BankName: '' }, 'QR_FIELD_INVALID', 'BankName'],
    [{ Purpose: 'П'.repeat(211) }, 'QR_FIELD_TOO_LONG', 'Purpose'],
    [{ PayeeINN: '7725088527000' }, 'QR_FIELD_TOO_LONG', 'PayeeINN'],
    [{ PayeeINN: '77250885-7' }, 'QR_FIELD_INVALID', 'PayeeINN'],
    [{ PayerINN: 'x' }, 'QR_FIELD_INVALID', 'PayerINN'],
    [{ KPP: '7725010010' }, 'QR_FIELD_TOO_LONG', 'KPP'],
    [{ KPP: '7725ab001' }, 'QR_FIELD_INVALID', 'KPP'],
    [{ DocNo: '1234567890123456' }, 'QR_FIELD_TOO_LONG', 'DocNo'],
    [{ DocDate: '2026-12-01' }, 'QR_FIELD_INVALID', 'DocDate'],
    [{ DocDate: '01.12.20260' }, 'QR_FIELD_TOO_LONG', 'DocDate'],
    [{ DocDate: '31.02.2026' }, 'QR_FIELD_INVALID', 'DocDate'],
    [{ Sum: -1 }, 'QR_FIELD_INVALID', 'Sum'],
    [{ Sum: 10.5 }, 'QR_FIELD_INVALID', 'Sum'],
    [{ OKTMO: '123456789012' }, 'QR_FIELD_TOO_LONG', 'OKTMO'],
    [{ sum: '100' }, 'QR_FIELD_INVALID', 'sum'],
    [{ 'Pers Acc': '1' }, 'QR_FIELD_INVALID', 'Pers Acc'],
  ] as [Partial<GostFields>, string, string][])('%j → %s', (patch, code, field) => {
    expect(codeOf(() => buildGostPayload({ ...SELLER, ...patch } as GostFields))).toEqual({ code, field });
  });

  it('accepts values at their maximum length', () => {
    const p = buildGostPayload({ ...SELLER, Purpose: 'П'.repeat(210), DocNo: 'N'.repeat(15), Sum: 0 });
    expect(parseGostPayload(p.bytes).fields.Purpose).toHaveLength(210);
  });

  it('refuses characters Windows-1251 cannot carry, but keeps a literal «?»', () => {
    expect(codeOf(() => buildGostPayload({ ...SELLER, Purpose: 'Аренда 🏠' }, { encoding: 'win1251' }))).toEqual({
      code: 'QR_FIELD_INVALID',
      field: 'Purpose',
    });
    const p = buildGostPayload({ ...SELLER, Purpose: 'Аренда?' }, { encoding: 'win1251' });
    expect(parseGostPayload(p.bytes).fields.Purpose).toBe('Аренда?');
    expect(buildGostPayload({ ...SELLER, Purpose: 'Аренда 🏠' }).text).toContain('🏠');
  });
});

const GOST_EXAMPLE =
  'ST00012|Name=ООО «Три кита»|PersonalAcc=40702810138250123017|BankName=ОАО "БАНК"|BIC=044525225|' +
  'CorrespAcc=30101810400000000225|PayeeINN=6200098765|LastName=Иванов|FirstName=Иван|MiddleName=Иванович|' +
  'Purpose=Оплата членского взноса|PayerAddress=г.Рязань ул.Ленина д.10 кв.15|Sum=100000';

describe('parseGostPayload', () => {
  it('reads the standard example', () => {
    const p = parseGostPayload(GOST_EXAMPLE);
    expect(p).toEqual({
      encoding: 'utf8',
      separator: '|',
      fields: {
        Name: 'ООО «Три кита»',
        PersonalAcc: '40702810138250123017',
        BankName: 'ОАО "БАНК"',
        BIC: '044525225',
        CorrespAcc: '30101810400000000225',
        PayeeINN: '6200098765',
        LastName: 'Иванов',
        FirstName: 'Иван',
        MiddleName: 'Иванович',
        Purpose: 'Оплата членского взноса',
        PayerAddress: 'г.Рязань ул.Ленина д.10 кв.15',
        Sum: '100000',
      },
    });
    expect(parseGostSum(p.fields)).toBe(100_000);
  });

  it('decodes Windows-1251 and KOI8-R bytes by header digit', () => {
    const win = parseGostPayload(iconv.encode('ST00011' + GOST_EXAMPLE.slice(7), 'win1251'));
    expect(win.encoding).toBe('win1251');
    expect(win.fields).toEqual(parseGostPayload(GOST_EXAMPLE).fields);
    // KOI8-R has no «», so that vector uses plain quotes.
    const plain = GOST_EXAMPLE.replace('«Три кита»', '"Три кита"');
    const koi = parseGostPayload(iconv.encode('ST00013' + plain.slice(7), 'koi8-r'));
    expect(koi.encoding).toBe('koi8r');
    expect(koi.fields).toEqual(parseGostPayload(plain).fields);
    expect(koi.fields.Name).toBe('ООО "Три кита"');
  });

  it.each([
    ['SA00012|Name=x', 'формат'],
    ['ST00022|Name=x', 'версия'],
    ['ST00010|Name=x', 'кодировка'],
    ['ST00014|Name=x', 'кодировка'],
    ['ST0001', 'короткая'],
    ['ST00012=Name=x', 'разделитель'],
  ])('rejects %j', (input, fragment) => {
    expect(() => parseGostPayload(input)).toThrow(fragment);
    expect(codeOf(() => parseGostPayload(input)).code).toBe('QR_PAYLOAD_INVALID');
  });

  it('uses the separator from byte 8 and tolerates a trailing one', () => {
    const p = parseGostPayload(
      'ST00012#Name=ООО «Три кита»#PersonalAcc=40702810138250123017#BankName=ОАО | "БАНК"#BIC=044525225#CorrespAcc=30101810965770000413#',
    );
    expect(p.separator).toBe('#');
    expect(p.fields.BankName).toBe('ОАО | "БАНК"');
    expect(p.fields.CorrespAcc).toBe('30101810965770000413');
  });

  it('splits on the first =, normalises known keys, keeps custom keys, drops empty and Null', () => {
    const p = parseGostPayload(
      'ST00012|name=Ромашка|PERSONALACC=40702810138250123017|BankName==ОАО "БАНК"|bic=044525225|correspacc=1|' +
        'KaznPersonalAcc=03100643000000018500|calc=a=b|Purpose=|Contract= |DocNo=Null|payerinn=NULL||Sum=5|',
    );
    expect(p.fields).toEqual({
      Name: 'Ромашка',
      PersonalAcc: '40702810138250123017',
      BankName: '=ОАО "БАНК"',
      BIC: '044525225',
      CorrespAcc: '1',
      KaznPersonalAcc: '03100643000000018500',
      calc: 'a=b',
      Sum: '5',
    });
  });

  it('strict mode requires the mandatory keys', () => {
    expect(() => parseGostPayload('ST00012|Name=x|BIC=044525225', { strict: true })).toThrow(/PersonalAcc, BankName, CorrespAcc/);
    expect(parseGostPayload(GOST_EXAMPLE, { strict: true }).fields.Name).toBe('ООО «Три кита»');
  });

  it('treats hostile keys as plain data', () => {
    const p = parseGostPayload('ST00012|__proto__=x|constructor=y|Name=z');
    expect(Object.getPrototypeOf(p.fields)).toBe(Object.prototype);
    expect(p.fields.Name).toBe('z');
    expect(parseGostSum(p.fields)).toBeUndefined();
  });

  it('parseGostSum refuses a decimal Sum', () => {
    expect(codeOf(() => parseGostSum({ Sum: '1000.00' }))).toEqual({ code: 'QR_FIELD_INVALID', field: 'Sum' });
    expect(parseGostSum({})).toBeUndefined();
  });
});

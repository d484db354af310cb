import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { parseStatement } from '../../src/payments/statement/parse.js';
import { encodeStatement, writeStatement, type StatementDocumentInput } from '../../src/payments/statement/write.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/1c/${name}`, import.meta.url));

function refusal(input: Uint8Array | string): AppError {
  try {
    parseStatement(input);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('the statement was accepted');
}

const TENANT = { name: 'ООО "Ромашка"', inn: '7701234567', kpp: '770101001', account: '40702810100000000001', bank: { name: 'ПАО СБЕРБАНК', city: 'г. Москва', bic: '044525225', corrAccount: '30101810400000000225' } };
const LANDLORD = { name: 'ООО "Арендодатель"', inn: '7709876543', kpp: '770901001', account: '40702810900000000009', bank: { name: 'АО "АЛЬФА-БАНК"', city: 'г. Москва', bic: '044525593', corrAccount: '30101810200000000593' } };

const payment = (over: Partial<StatementDocumentInput> = {}): StatementDocumentInput => ({
  number: '588',
  date: '2026-12-02',
  creditedOn: '2026-12-03',
  amountKopecks: 2_500_000,
  payer: TENANT,
  payee: LANDLORD,
  purpose: 'Оплата по счету № 15 от 01.12.2026 за аренду. В т.ч. НДС 22% 4508.20',
  ...over,
});

const statementText = (documents: StatementDocumentInput[] = [payment()], declaredEncoding?: string) =>
  writeStatement({ account: LANDLORD.account, dateFrom: '2026-12-01', dateTo: '2026-12-07', documents, ...(declaredEncoding ? { declaredEncoding } : {}) });

describe('1C statement parser on the public samples', () => {
  it('reads the Windows-1251 statement: header, balance section and all 13 documents', () => {
    const s = parseStatement(fixture('kilylabs_one_day_cp1251_crlf.txt'));
    expect(s.encoding).toBe('windows-1251');
    expect(s.header).toMatchObject({ version: '1.02', sender: 'Банк Клиент Онлайн', receiver: '1С:Предприятие', createdOn: '2016-01-12', dateFrom: '2016-01-11', dateTo: '2016-01-11', accounts: ['40702810200000000001'] });
    expect(s.accountSections).toEqual([
      { line: 11, account: '40702810200000000001', dateFrom: '2016-01-11', dateTo: '2016-01-11', openingKopecks: 4_532_991, totalInKopecks: 4_000_000, totalOutKopecks: 4_118_400, closingKopecks: 4_414_591 },
    ]);
    expect(s.transactions).toHaveLength(13);
    expect(s.transactions.filter((t) => t.kind === 'Банковский ордер')).toHaveLength(6);
    const incoming = s.transactions.filter((t) => t.creditedOn !== null);
    const outgoing = s.transactions.filter((t) => t.debitedOn !== null);
    expect(incoming.map((t) => t.amountKopecks)).toEqual([600_000, 1_400_000, 2_000_000]);
    // the balance check of the format: opening + in − out = closing, to the kopeck
    const sum = (ts: typeof incoming) => ts.reduce((a, t) => a + t.amountKopecks, 0);
    expect(sum(incoming)).toBe(4_000_000);
    expect(sum(outgoing)).toBe(4_118_400);
    expect(4_532_991 + sum(incoming) - sum(outgoing)).toBe(4_414_591);
    const last = s.transactions[12]!;
    expect(last).toMatchObject({ number: '1', date: '2016-01-11', amountKopecks: 2_000_000, creditedOn: '2016-01-11', debitedOn: null, purpose: 'Some random string', operationCode: '01' });
    expect(last.payer).toEqual({ name: 'Some random payer', inn: '123123123123', kpp: '123123123', account: '12312312312312312', bank: { name: 'ПАО СБЕРБАНК', city: 'Г МОСКВА', bic: '044525225', corrAccount: '30101810400000000225' } });
    expect(last.payee.account).toBe('40702810200000000001');
    expect(s.transactions[6]).toMatchObject({ kind: 'Платежное поручение', number: '1', amountKopecks: 276_280 });
  });

  it('reads the UTF-8 copy whose header still says Windows exactly like the Windows-1251 original', () => {
    const utf8 = parseStatement(fixture('kilylabs_one_day_utf8_crlf.txt'));
    const cp1251 = parseStatement(fixture('kilylabs_one_day_cp1251_crlf.txt'));
    expect(utf8.encoding).toBe('utf-8');
    expect(utf8.header.declaredEncoding).toBe('Windows');
    expect(utf8.transactions).toEqual(cp1251.transactions);
    expect(utf8.transactions[0]!.payer.bank.name).toBe('ВТБ 24 (ПАО)');
  });

  it('reads the 1.03 sample with every key, LF line ends and no final newline', () => {
    const s = parseStatement(fixture('xini1_sample1_all_fields_utf8_lf.txt'));
    expect(s.header).toMatchObject({ version: '1.03', documentKinds: ['Платежное поручение', 'Платежное требование'] });
    expect(s.accountSections.map((a) => [a.account, a.openingKopecks, a.closingKopecks])).toEqual([
      ['12345678901234567890', 1010, 1010],
      ['12345678901234567891', 1010, 1010],
    ]);
    expect(s.transactions.map((t) => [t.kind, t.number, t.date, t.amountKopecks, t.creditedOn, t.debitedOn])).toEqual([
      ['Платежное поручение', '1', '2020-01-01', 1010, '2020-01-01', '2020-01-01'],
      ['Платежное требование', '1', '2020-01-01', 1010, '2020-01-01', '2020-01-01'],
    ]);
    expect(s.transactions[0]!.payer).toMatchObject({ name: 'Плательщик1', inn: '1234567890', kpp: '123456789', bank: { bic: '123456789', name: 'ПлательщикБанк1' } });
    // НазначениеПлатежа1..6 say more than НазначениеПлатежа, so they are appended
    expect(s.transactions[0]!.purpose).toBe('НазначениеПлатежа НазначениеПлатежа1 НазначениеПлатежа2 НазначениеПлатежа3 НазначениеПлатежа4 НазначениеПлатежа5 НазначениеПлатежа6');
  });

  it('reads the treasury payment orders with blank lines between documents', () => {
    const s = parseStatement(fixture('xini1_sample5_payment_orders_treasury_utf8.txt'));
    expect(s.header).toMatchObject({ declaredEncoding: 'windows', sender: 'OEBS R12', accounts: ['40702810800030005413'] });
    expect(s.accountSections).toEqual([]);
    expect(s.transactions).toHaveLength(6);
    expect(s.transactions.every((t) => t.amountKopecks === 1 && t.payer.inn === '7707049388')).toBe(true);
    expect(s.transactions.map((t) => t.payee.bank.bic)).toEqual(['010702101', '012520101', '017501500', '012520101', '014030106', '044525232']);
    expect(s.transactions[0]).toMatchObject({ number: '2335', purpose: 'НДФЛ Август 2021 Не облагается НДС', creditedOn: null, debitedOn: null });
    expect(s.transactions[0]!.payee).toMatchObject({ inn: '2635028348', kpp: '263501001', account: '03100643000000012100' });
    expect(s.transactions[5]!.payee.name).toBe('ПАО "МОБИЛЬНЫЕ ТЕЛЕСИСТЕМЫ"');
  });
});

describe('1C statement parser on odd files', () => {
  const expected = {
    number: '588',
    date: '2026-12-02',
    creditedOn: '2026-12-03',
    amountKopecks: 2_500_000,
    purpose: 'Оплата по счету № 15 от 01.12.2026 за аренду. В т.ч. НДС 22% 4508.20',
    payer: TENANT,
    payee: LANDLORD,
  };

  it('decodes Windows-1251 bytes', () => {
    const s = parseStatement(encodeStatement(statementText(), 'windows-1251'));
    expect(s.encoding).toBe('windows-1251');
    expect(s.transactions[0]).toMatchObject(expected);
  });

  it('decodes CP866 bytes of a file that says Кодировка=DOS', () => {
    const bytes = encodeStatement(statementText([payment()], 'DOS'), 'cp866');
    const s = parseStatement(bytes);
    expect(s.encoding).toBe('cp866');
    expect(s.header.declaredEncoding).toBe('DOS');
    expect(s.transactions[0]).toMatchObject(expected);
  });

  it('trusts the bytes over a header that says DOS', () => {
    const s = parseStatement(encodeStatement(statementText([payment()], 'DOS'), 'windows-1251'));
    expect(s.encoding).toBe('windows-1251');
    expect(s.transactions[0]!.payer.name).toBe('ООО "Ромашка"');
  });

  it('accepts LF line ends, blank lines, no final newline and a UTF-8 BOM', () => {
    const text = '\uFEFF' + statementText().replace(/\r\n/g, '\n').replace(/КонецДокумента\n/g, 'КонецДокумента\n\n\n').replace(/\n$/, '');
    const s = parseStatement(new TextEncoder().encode(text));
    expect(s.transactions).toHaveLength(1);
    expect(s.transactions[0]).toMatchObject(expected);
  });

  it('accepts bare CR line ends', () => {
    const s = parseStatement(encodeStatement(statementText().replace(/\r\n/g, '\r'), 'windows-1251'));
    expect(s.transactions[0]).toMatchObject(expected);
  });

  it('keeps «=» inside values, ignores unknown keys and keeps letters in Номер', () => {
    const text = statementText([payment({ number: 'БА8170433', purpose: 'Оплата по счету № 15; формула a=b=c' })])
      .replace('Очередность=5', 'Очередность=5\r\nНовыйКлючБанка=что-то=ещё\r\nПлательщикБанк3=')
      .replace('ВремяСоздания=10:00:00', 'ВремяСоздания=10:00:00\r\nНеизвестныйЗаголовок=1');
    const s = parseStatement(text);
    expect(s.transactions[0]).toMatchObject({ number: 'БА8170433', purpose: 'Оплата по счету № 15; формула a=b=c' });
  });

  it('reads a 1.02 file with integer amounts, trailing spaces and a document without a kind', () => {
    const text = [
      '1CClientBankExchange',
      'ВерсияФормата=1.02',
      'Кодировка=Windows',
      'РасчСчет=40702810900000000009',
      'СекцияДокумент',
      'Номер=7 ',
      'Дата=2.12.2026',
      'Сумма=1000',
      'ПлательщикСчет=40702810100000000001',
      'Плательщик=ИНН 7701234567 ООО "Ромашка"',
      'ПолучательСчет=40702810900000000009',
      'ДатаПоступило=03.12.2026',
      'НазначениеПлатежа1=Оплата по счету',
      'НазначениеПлатежа2=№ 16 аренда',
      'КонецДокумента',
      'КонецФайла',
    ].join('\r\n');
    const s = parseStatement(iconv.encode(text, 'win1251'));
    expect(s.header.version).toBe('1.02');
    expect(s.transactions[0]).toMatchObject({
      kind: '',
      number: '7',
      date: '2026-12-02',
      amountKopecks: 100_000,
      creditedOn: '2026-12-03',
      purpose: 'Оплата по счету № 16 аренда',
      payer: { name: 'ООО "Ромашка"', inn: '7701234567', account: '40702810100000000001' },
    });
  });

  it('parses amounts exactly, digit by digit', () => {
    const amounts = ['0.01', '0.1', '1234567.89', '19.99', '10.100', '999999999.99'];
    const text = statementText(amounts.map((_, i) => payment({ number: String(i + 1) })))
      .split('Сумма=25000.00')
      .map((part, i) => (i === 0 ? part : `Сумма=${amounts[i - 1]}${part}`))
      .join('');
    expect(parseStatement(text).transactions.map((t) => t.amountKopecks)).toEqual([1, 10, 123_456_789, 1999, 1010, 99_999_999_999]);
  });
});

describe('1C statement parser refusals', () => {
  const good = statementText();
  const lineOf = (text: string, start: string) => text.split(/\r\n/).findIndex((l) => l.startsWith(start)) + 1;

  it('refuses a file that is not a statement, naming line 1', () => {
    const err = refusal('{"payments": []}');
    expect(err.code).toBe('STATEMENT_INVALID');
    expect(err.message).toContain('строка 1');
    expect(err.message).toContain('1CClientBankExchange');
    expect(err.details).toEqual({ line: 1 });
  });

  it('refuses a bad amount naming its line', () => {
    const text = good.replace('Сумма=25000.00', 'Сумма=25 000,00 руб');
    const err = refusal(text);
    expect(err.details).toEqual({ line: lineOf(text, 'Сумма=') });
    expect(err.message).toMatch(/строка \d+: Сумма: сумма «25 000,00 руб»/);
  });

  it('refuses a negative amount and more than two decimals', () => {
    expect(refusal(good.replace('Сумма=25000.00', 'Сумма=-5.00')).message).toContain('-5.00');
    expect(refusal(good.replace('Сумма=25000.00', 'Сумма=25000.005')).message).toContain('больше двух знаков');
  });

  it('refuses a two-digit year or an impossible date naming the line', () => {
    const text = good.replace('Дата=02.12.2026', 'Дата=2.12.26');
    expect(refusal(text).details).toEqual({ line: lineOf(text, 'Дата=') });
    expect(refusal(good.replace('Дата=02.12.2026', 'Дата=31.02.2026')).message).toContain('31.02.2026');
  });

  it('refuses an unterminated document, naming where it began', () => {
    const text = good.replace('КонецДокумента\r\n', '');
    const err = refusal(text);
    expect(err.message).toContain(`строка ${lineOf(text, 'КонецФайла')}`);
    expect(err.message).toContain(`документ со строки ${lineOf(text, 'СекцияДокумент')} не закрыт`);
  });

  it('refuses a document that starts before the previous one ended', () => {
    const two = statementText([payment(), payment({ number: '589' })]);
    const text = two.replace('КонецДокумента\r\n', '');
    const starts = text.split('\r\n').flatMap((l, i) => (l.startsWith('СекцияДокумент') ? [i + 1] : []));
    const err = refusal(text);
    expect(err.details).toEqual({ line: starts[1] });
    expect(err.message).toContain(`документ со строки ${starts[0]} не закрыт`);
  });

  it('refuses a cut-off file without КонецФайла', () => {
    const cut = good.slice(0, good.indexOf('КонецФайла'));
    expect(refusal(cut).message).toContain('нет строки КонецФайла');
    const mid = good.slice(0, good.indexOf('НазначениеПлатежа'));
    expect(refusal(mid).message).toMatch(/документ не закрыт строкой КонецДокумента до конца файла/);
  });

  it('refuses a document without an amount, a stray line and two glued statements', () => {
    const noAmount = good.replace('Сумма=25000.00\r\n', '');
    expect(refusal(noAmount).message).toContain('нет суммы');
    expect(refusal(noAmount).details).toEqual({ line: lineOf(noAmount, 'СекцияДокумент') });
    const stray = good.replace('Очередность=5', 'Очередность 5');
    expect(refusal(stray).details).toEqual({ line: lineOf(stray, 'Очередность') });
    expect(refusal(good + good).message).toContain('после КонецФайла');
  });

  it('refuses an unsupported format version', () => {
    expect(refusal(good.replace('ВерсияФормата=1.03', 'ВерсияФормата=2.00')).message).toContain('версия формата «2.00» не поддерживается');
  });
});

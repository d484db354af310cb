import { describe, expect, it } from 'vitest';
import type { BuyerParty, SellerParty } from '../../src/documents/model.js';
import {
  isValidAccountForBic,
  isValidBic,
  isValidCorrAccountForBic,
  isValidInn,
  isValidKpp,
  isValidOgrn,
  isValidOgrnip,
} from '../../src/requisites/checks.js';
import { validateBuyer, validateSeller } from '../../src/requisites/validate.js';

describe('checks (reference §3.7)', () => {
  it.each([
    ['7725088527', true], ['7715034360', true], ['7707083893', true], ['7707049388', true],
    ['1234567894', true], ['0108003670', true], ['123456789047', true], ['773370857141', true], ['344809916052', true],
    ['7725088528', false], ['7715034361', false], ['6200098765', false], ['1234567895', false],
    ['123456789037', false], ['773370857142', false], ['344809916053', false],
    ['772508852', false], ['77250885270', false], ['77250885a7', false], ['', false], [' 7725088527', false],
  ])('INN %j → %s', (inn, ok) => {
    expect(isValidInn(inn)).toBe(ok);
  });

  it.each([
    ['123456789', true], ['0000AZ000', true], ['772501001', true],
    ['12345', false], ['1234567890', false], ['111111111', false], ['0000az000', false], ['7725О1001', false],
  ])('KPP %j → %s', (kpp, ok) => {
    expect(isValidKpp(kpp)).toBe(ok);
  });

  it.each([
    ['1027812400868', true], ['1022200525819', true], ['1022500001325', true], ['1027739552642', true],
    ['1022500001328', false], ['102781240086', false], ['307760324100018', false], ['0027812400868', false],
  ])('OGRN %j → %s', (ogrn, ok) => {
    expect(isValidOgrn(ogrn)).toBe(ok);
  });

  it.each([
    ['307760324100018', true], ['385768585948949', true],
    ['307760324100019', false], ['385768585948948', false], ['1027812400868', false],
  ])('OGRNIP %j → %s', (ogrnip, ok) => {
    expect(isValidOgrnip(ogrnip)).toBe(ok);
  });

  it('OGRNIP uses the last digit of a remainder of 10–12', () => {
    // Find a prefix whose remainder mod 13 is ≥ 10: the check digit is that remainder's last digit.
    let prefix = 30776032410001n;
    while (prefix % 13n < 10n) prefix += 1n;
    const check = (prefix % 13n) % 10n;
    expect(isValidOgrnip(`${prefix}${check}`)).toBe(true);
    expect(isValidOgrnip(`${prefix}${(check + 1n) % 10n}`)).toBe(false);
  });

  it.each([
    ['044525225', true], ['010702101', true], ['044106001', true],
    ['144525225', false], ['04452522', false], ['04452522a', false],
  ])('BIC %j → %s', (bic, ok) => {
    expect(isValidBic(bic)).toBe(ok);
  });

  it('settlement account against BIC', () => {
    expect(isValidAccountForBic('40702810138250123017', '044525225')).toBe(true);
    expect(isValidAccountForBic('40702810900000002851', '044030827')).toBe(true);
    for (const d of '012345678') expect(isValidAccountForBic(`40702810${d}00000002851`, '044030827')).toBe(false);
    expect(isValidAccountForBic('40701810000001002118', '044106001')).toBe(true); // РКЦ rule
    expect(isValidAccountForBic('40701810100001002118', '044106001')).toBe(false);
    expect(isValidAccountForBic('03100643000000018500', '010702101')).toBe(true); // treasury, no key
    expect(isValidAccountForBic('4070281013825012301', '044525225')).toBe(false);
  });

  it('correspondent account against BIC', () => {
    expect(isValidCorrAccountForBic('30101810400000000225', '044525225')).toBe(true);
    expect(isValidCorrAccountForBic('30101810200000000827', '044030827')).toBe(true);
    expect(isValidCorrAccountForBic('30101810500000000225', '044525225')).toBe(false);
    expect(isValidCorrAccountForBic('30101810300000000827', '044030827')).toBe(false);
    expect(isValidCorrAccountForBic('30101810965770000413', '044525225')).toBe(false);
  });
});

const COMPANY: SellerParty = {
  name: 'ООО «Три кита»',
  inn: '7725088527',
  kpp: '772501001',
  ogrn: '1027739552642',
  bank: { name: 'ОАО "БАНК"', bic: '044525225', corrAccount: '30101810400000000225', account: '40702810138250123017' },
};

const IP: SellerParty = {
  name: 'ИП Иванов Иван Иванович',
  inn: '773370857141',
  ogrn: '307760324100018',
  bank: { name: 'Банк', bic: '044030827', corrAccount: '30101810200000000827', account: '40702810900000002851' },
};

const paths = (issues: { path: string }[]) => issues.map((i) => i.path);

describe('validateSeller', () => {
  it('accepts valid company and ИП requisites, including a leading-zero INN', () => {
    expect(validateSeller(COMPANY)).toEqual([]);
    expect(validateSeller(IP)).toEqual([]);
    expect(validateSeller({ ...COMPANY, inn: '0108003670', ogrn: undefined })).toEqual([]);
  });

  it.each([
    [{ inn: '772508852' }, 'seller.inn', 'ИНН должен состоять из 10 или 12 цифр'],
    [{ inn: '7725088528' }, 'seller.inn', 'Контрольное число ИНН не сходится'],
    [{ inn: '6200098765' }, 'seller.inn', 'Контрольное число ИНН не сходится'],
    [{ inn: '' }, 'seller.inn', 'Укажите ИНН продавца'],
    [{ name: '  ' }, 'seller.name', 'Укажите наименование продавца'],
    [{ kpp: undefined }, 'seller.kpp', 'Для организации (ИНН из 10 цифр) укажите КПП'],
    [{ kpp: '111111111' }, 'seller.kpp', 'КПП должен состоять из 9 символов'],
    [{ ogrn: '1022500001328' }, 'seller.ogrn', 'Контрольное число ОГРН не сходится'],
    [{ ogrn: '307760324100018' }, 'seller.ogrn', 'ОГРН организации должен состоять из 13 цифр'],
  ] as [Partial<SellerParty>, string, string][])('company %j', (patch, path, message) => {
    const issues = validateSeller({ ...COMPANY, ...patch });
    expect(paths(issues)).toEqual([path]);
    expect(issues[0]?.message).toContain(message);
    expect(issues[0]?.messageEn).toBeTruthy();
  });

  it.each([
    [{ kpp: '772501001' }, 'seller.kpp', 'У ИП (ИНН из 12 цифр) нет КПП'],
    [{ ogrn: '1027739552642' }, 'seller.ogrn', 'ОГРНИП должен состоять из 15 цифр'],
    [{ ogrn: '307760324100019' }, 'seller.ogrn', 'Контрольное число ОГРНИП не сходится'],
    [{ inn: '773370857142' }, 'seller.inn', 'Контрольное число ИНН не сходится'],
  ] as [Partial<SellerParty>, string, string][])('ИП %j', (patch, path, message) => {
    const issues = validateSeller({ ...IP, ...patch });
    expect(paths(issues)).toEqual([path]);
    expect(issues[0]?.message).toContain(message);
  });

  it.each([
    [{ account: '40702810000000002851' }, 'seller.bank.account', 'Расчётный счёт не соответствует БИК (неверный контрольный ключ)'],
    [{ account: '4070281090000000285' }, 'seller.bank.account', 'Расчётный счёт должен состоять из 20 цифр'],
    [{ account: '' }, 'seller.bank.account', 'Укажите расчётный счёт'],
    [{ corrAccount: '30101810300000000827' }, 'seller.bank.corrAccount', 'Корреспондентский счёт не соответствует БИК'],
    [{ corrAccount: '' }, 'seller.bank.corrAccount', 'Укажите корреспондентский счёт банка'],
    [{ name: '' }, 'seller.bank.name', 'Укажите название банка'],
    [{ bic: '44030827' }, 'seller.bank.bic', 'БИК должен состоять из 9 цифр'],
    [{ bic: '' }, 'seller.bank.bic', 'Укажите БИК банка'],
  ] as [Partial<SellerParty['bank']>, string, string][])('bank %j', (patch, path, message) => {
    const issues = validateSeller({ ...IP, bank: { ...IP.bank, ...patch } });
    expect(paths(issues)).toEqual([path]);
    expect(issues[0]?.message).toContain(message);
  });

  it('keys the settlement account on BIC digits 7–9 and the corr. account on digits 5–6', () => {
    const withBic = (bic: string) => paths(validateSeller({ ...COMPANY, bank: { ...COMPANY.bank, bic } }));
    expect(withBic('044525226')).toEqual(['seller.bank.account']);
    expect(withBic('044535225')).toEqual(['seller.bank.corrAccount']);
  });

  it('refuses an all-zero INN, which passes the weighted sum', () => {
    expect(isValidInn('0000000000')).toBe(false);
    expect(isValidInn('000000000000')).toBe(false);
    for (const inn of ['0000000000', '000000000000']) {
      const issues = validateSeller({ ...(inn.length === 10 ? COMPANY : IP), inn, ogrn: undefined });
      expect(paths(issues)).toEqual(['seller.inn']);
      expect(issues[0]?.message).toBe('ИНН не может состоять из одних нулей');
    }
    // a buyer's zero INN is a warning, as any other bad buyer INN
    expect(paths(validateBuyer({ name: 'ООО «Ромашка»', inn: '0000000000', kpp: '773601001' }))).toEqual(['buyer.inn']);
  });

  it('refuses a corr. account that is not 30101… (40102… for a treasury BIC 01…) even with a matching key', () => {
    // 40702810200000000225 has the right control key for 044525225, but it is a client account, not a corr. account.
    const bank = (patch: Partial<SellerParty['bank']>) => validateSeller({ ...COMPANY, bank: { ...COMPANY.bank, ...patch } });
    const wrong = bank({ corrAccount: '40702810200000000225' });
    expect(paths(wrong)).toEqual(['seller.bank.corrAccount']);
    expect(wrong[0]?.message).toContain('начинается с 30101');
    expect(isValidCorrAccountForBic('40702810200000000225', '044525225')).toBe(false);
    // Treasury payee (reference fixture sample5): ЕКС 40102… with the ТОФК BIC; 30101… with the same key is refused.
    const treasury = { bic: '010702101', corrAccount: '40102810345370000013', account: '03100643000000012100' };
    expect(bank(treasury)).toEqual([]);
    expect(paths(bank({ ...treasury, corrAccount: '30101810445370000013' }))).toEqual(['seller.bank.corrAccount']);
  });

  it('does not pile key errors on top of a broken BIC', () => {
    const broken = validateSeller({ ...COMPANY, bank: { ...COMPANY.bank, bic: 'x' } });
    expect(paths(broken)).toEqual(['seller.bank.bic']);
  });

  it('reports every problem at once', () => {
    const issues = validateSeller({ name: '', inn: '123', bank: { name: '', bic: '', corrAccount: '', account: '' } });
    expect(paths(issues)).toEqual([
      'seller.name', 'seller.inn', 'seller.bank.name', 'seller.bank.bic', 'seller.bank.corrAccount', 'seller.bank.account',
    ]);
  });
});

describe('validateBuyer', () => {
  it('has nothing to say about a complete buyer or an individual without INN', () => {
    const buyer: BuyerParty = { name: 'ООО «Ромашка»', inn: '7707083893', kpp: '773601001' };
    expect(validateBuyer(buyer)).toEqual([]);
    expect(validateBuyer({ name: 'Петров П.П.' })).toEqual([]);
    expect(validateBuyer({ name: 'ИП Петров', inn: '773370857141' })).toEqual([]);
  });

  it('warns about bad INN/KPP', () => {
    expect(paths(validateBuyer({ name: 'X', inn: '7707083894', kpp: '773601001' }))).toEqual(['buyer.inn']);
    expect(paths(validateBuyer({ name: 'X', inn: '7707083893', kpp: '77360100' }))).toEqual(['buyer.kpp']);
    expect(paths(validateBuyer({ name: 'X', inn: '7707083893' }))).toEqual(['buyer.kpp']);
    expect(paths(validateBuyer({ name: 'X', inn: '773370857141', kpp: '773601001' }))).toEqual(['buyer.kpp']);
    expect(paths(validateBuyer({ name: '', inn: '12' }))).toEqual(['buyer.name', 'buyer.inn']);
    expect(validateBuyer({ name: 'X', inn: '12' })[0]?.message).toBe('ИНН должен состоять из 10 или 12 цифр');
  });
});

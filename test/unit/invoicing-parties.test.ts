import { describe, expect, it } from 'vitest';
import type { BitrixBankDetail, BitrixRequisite } from '../../src/invoicing/bitrixTypes.js';
import {
  buyerFromRequisite,
  formatAddress,
  pickBankDetail,
  pickRequisite,
  requisiteKind,
  sellerFromRequisite,
  shortPersonName,
} from '../../src/invoicing/parties.js';
import { errorOf } from '../helpers/errors.js';

const legalAddress = {
  TYPE_ID: '6',
  POSTAL_CODE: '101000',
  COUNTRY: 'Россия',
  REGION: 'Москва',
  CITY: 'Москва',
  ADDRESS_1: 'ул. Мясницкая, д. 1',
  ADDRESS_2: 'оф. 5',
};

const companyRq: BitrixRequisite = {
  ID: '11',
  ENTITY_TYPE_ID: '4',
  ENTITY_ID: '1',
  PRESET_ID: '1',
  NAME: 'Организация',
  ACTIVE: 'Y',
  RQ_COMPANY_NAME: 'ООО «Арендодатель»',
  RQ_COMPANY_FULL_NAME: 'Общество с ограниченной ответственностью «Арендодатель»',
  RQ_INN: '7707083893',
  RQ_KPP: '773601001',
  RQ_OGRN: '1027700132195',
  RQ_DIRECTOR: 'Иванов Иван Иванович',
  RQ_ACCOUNTANT: 'Петрова Мария Сергеевна',
  RQ_ADDR: {
    '1': { TYPE_ID: '1', CITY: 'Москва', ADDRESS_1: 'ул. Складская, д. 9' },
    '6': legalAddress,
  },
};

const ipRq: BitrixRequisite = {
  ID: '12',
  ENTITY_TYPE_ID: '4',
  ENTITY_ID: '2',
  PRESET_ID: '2',
  NAME: 'ИП',
  ACTIVE: 'Y',
  RQ_LAST_NAME: 'Сидоров',
  RQ_FIRST_NAME: 'Пётр',
  RQ_SECOND_NAME: 'Алексеевич',
  RQ_INN: '500100732259',
  RQ_KPP: '',
  RQ_OGRNIP: '304500116000157',
  RQ_ADDR: { '4': { TYPE_ID: '4', POSTAL_CODE: '141400', REGION: 'Московская обл.', CITY: 'Химки', ADDRESS_1: 'ул. Ленина, д. 3' } },
};

const bank: BitrixBankDetail = {
  ID: '21',
  ENTITY_ID: '11',
  NAME: 'Основной счёт',
  ACTIVE: 'Y',
  RQ_BANK_NAME: 'ПАО СБЕРБАНК',
  RQ_BIK: '044525225',
  RQ_COR_ACC_NUM: '30101810400000000225',
  RQ_ACC_NUM: '4070 2810 9380 0000 0001',
};

const bankDetails = {
  name: 'ПАО СБЕРБАНК',
  bic: '044525225',
  corrAccount: '30101810400000000225',
  account: '40702810938000000001',
};

describe('sellerFromRequisite', () => {
  it('organisation: short name, KPP, OGRN, legal address, director and accountant with initials, work phone', () => {
    const seller = sellerFromRequisite(companyRq, bank, {
      TITLE: 'Арендодатель',
      PHONE: [
        { VALUE: '+7 999 000-00-00', VALUE_TYPE: 'MOBILE' },
        { VALUE: '+7 495 123-45-67', VALUE_TYPE: 'WORK' },
      ],
    });
    expect(seller).toEqual({
      name: 'ООО «Арендодатель»',
      inn: '7707083893',
      kpp: '773601001',
      ogrn: '1027700132195',
      address: '101000, Москва, ул. Мясницкая, д. 1, оф. 5',
      phone: '+7 495 123-45-67',
      director: 'Иванов И.И.',
      accountant: 'Петрова М.С.',
      bank: bankDetails,
    });
  });

  it('ИП: «ИП Фамилия Имя Отчество», no KPP, OGRNIP, signs as the entrepreneur', () => {
    const seller = sellerFromRequisite(ipRq, bank);
    expect(seller).toEqual({
      name: 'ИП Сидоров Пётр Алексеевич',
      inn: '500100732259',
      ogrn: '304500116000157',
      address: '141400, Московская обл., Химки, ул. Ленина, д. 3',
      director: 'Сидоров П.А.',
      directorTitle: 'Индивидуальный предприниматель',
      bank: bankDetails,
    });
  });

  it('a passed formatted address and the full name when the short one is empty', () => {
    const seller = sellerFromRequisite({ ...companyRq, RQ_COMPANY_NAME: '' }, bank, { address: 'г. Казань, ул. Баумана, 1' });
    expect(seller.name).toBe('Общество с ограниченной ответственностью «Арендодатель»');
    expect(seller.address).toBe('г. Казань, ул. Баумана, 1');
  });

  it.each([
    { rq: undefined, b: bank, code: 'SELLER_REQUISITES_MISSING' },
    { rq: { ...companyRq, RQ_INN: '' }, b: bank, code: 'SELLER_REQUISITES_INCOMPLETE' },
    { rq: companyRq, b: undefined, code: 'SELLER_BANK_DETAILS_MISSING' },
    { rq: companyRq, b: { ...bank, RQ_BIK: '' }, code: 'SELLER_BANK_DETAILS_INCOMPLETE' },
  ])('$code', ({ rq, b, code }) => {
    const e = errorOf(() => sellerFromRequisite(rq, b));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/реквизит/);
  });

  it('names the missing bank fields', () => {
    const e = errorOf(() => sellerFromRequisite(companyRq, { ...bank, RQ_BIK: '', RQ_COR_ACC_NUM: null }));
    expect(e.message).toContain('БИК, корр. счёт');
  });
});

describe('buyerFromRequisite', () => {
  it('company client with requisites', () => {
    expect(buyerFromRequisite(companyRq, { kind: 'company', title: 'Арендодатель' })).toEqual({
      name: 'ООО «Арендодатель»',
      inn: '7707083893',
      kpp: '773601001',
      address: '101000, Москва, ул. Мясницкая, д. 1, оф. 5',
      director: 'Иванов И.И.',
    });
  });

  it('ИП client', () => {
    expect(buyerFromRequisite(ipRq, { kind: 'company', title: 'Сидоров' })).toMatchObject({
      name: 'ИП Сидоров Пётр Алексеевич',
      inn: '500100732259',
      director: 'Сидоров П.А.',
      directorTitle: 'Индивидуальный предприниматель',
    });
    expect(buyerFromRequisite(ipRq, { kind: 'company', title: 'Сидоров' }).kpp).toBeUndefined();
  });

  it('private person with «Физ. лицо» requisites', () => {
    const rq: BitrixRequisite = {
      ID: '30',
      PRESET_ID: '3',
      RQ_LAST_NAME: 'Смирнова',
      RQ_FIRST_NAME: 'Ольга',
      RQ_SECOND_NAME: 'Николаевна',
    };
    expect(buyerFromRequisite(rq, { kind: 'contact', title: 'Ольга Смирнова' })).toEqual({
      name: 'Смирнова Ольга Николаевна',
      director: 'Смирнова О.Н.',
    });
  });

  it.each([
    { kind: 'contact' as const, title: 'Ольга Смирнова' },
    { kind: 'company' as const, title: 'ООО «Без реквизитов»' },
  ])('$kind without requisites → the card title', (client) => {
    expect(buyerFromRequisite(undefined, client)).toEqual({ name: client.title });
  });

  it('ИП detected by OGRNIP under a custom preset; no «ИП ИП» doubling', () => {
    const rq: BitrixRequisite = { PRESET_ID: '17', RQ_NAME: 'ИП Кузнецов Олег', RQ_INN: '500100732259', RQ_OGRNIP: '304500116000157' };
    expect(requisiteKind(rq)).toBe('ip');
    expect(buyerFromRequisite(rq, { kind: 'contact', title: 'x' }).name).toBe('ИП Кузнецов Олег');
  });
});

describe('shortPersonName', () => {
  it.each([
    ['Иванов Иван Иванович', 'Иванов И.И.'],
    ['  Иванов   Иван ', 'Иванов И.'],
    ['Иванов И.И.', 'Иванов И.И.'],
    ['Иванов И. И.', 'Иванов И.И.'],
    ['И.И. Иванов', 'Иванов И.И.'],
    ['Салтыков-Щедрин Михаил Евграфович', 'Салтыков-Щедрин М.Е.'],
    ['Петрова Анна-Мария Сергеевна', 'Петрова А.-М.С.'],
    ['Мамедов Эльдар Ахмед оглы', 'Мамедов Э.А.'],
    ['Иванов', 'Иванов'],
    ['', ''],
  ])('%s → %s', (full, short) => {
    expect(shortPersonName(full)).toBe(short);
  });
});

describe('formatAddress', () => {
  it('leaves Russia out, keeps a foreign country, drops a repeated region/city', () => {
    expect(formatAddress(legalAddress)).toBe('101000, Москва, ул. Мясницкая, д. 1, оф. 5');
    expect(formatAddress({ COUNTRY: 'Беларусь', CITY: 'Минск', ADDRESS_1: 'пр. Независимости, 1' })).toBe(
      'Беларусь, Минск, пр. Независимости, 1',
    );
  });
});

describe('pickRequisite / pickBankDetail', () => {
  const list: BitrixRequisite[] = [
    { ID: '1', ACTIVE: 'N', RQ_COMPANY_NAME: 'Старые' },
    { ID: '2', ACTIVE: 'Y', ADDRESS_ONLY: 'Y' },
    { ID: '3', ACTIVE: 'Y', RQ_COMPANY_NAME: 'Основные' },
    { ID: '4', ACTIVE: 'Y', RQ_COMPANY_NAME: 'Дополнительные' },
  ];

  it.each([
    { linked: '4', id: '4' },
    { linked: 4, id: '4' },
    { linked: '1', id: '1' },
    { linked: '0', id: '3' },
    { linked: 0, id: '3' },
    { linked: '', id: '3' },
    { linked: undefined, id: '3' },
    { linked: '99', id: '3' },
    { linked: '2', id: '3' },
  ])('linked $linked → $id', ({ linked, id }) => {
    expect(pickRequisite(list, linked)?.ID).toBe(id);
  });

  it('an empty list gives nothing; an all-inactive list still gives its first item', () => {
    expect(pickRequisite([], '5')).toBeUndefined();
    expect(pickRequisite(undefined, '5')).toBeUndefined();
    expect(pickBankDetail([{ ID: '7', ACTIVE: 'N' }, { ID: '8', ACTIVE: 'N' }], '0')?.ID).toBe('7');
  });

  it('bank details follow the same rule', () => {
    const banks: BitrixBankDetail[] = [
      { ID: '5', ACTIVE: 'N' },
      { ID: '6', ACTIVE: 'Y' },
      { ID: '7', ACTIVE: 'Y' },
    ];
    expect(pickBankDetail(banks, '7')?.ID).toBe('7');
    expect(pickBankDetail(banks, '0')?.ID).toBe('6');
  });
});

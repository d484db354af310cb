/**
 * A rental deal as a Bitrix24 admin would set it up, with values shaped like the docs' response examples:
 * classic CRM fields are strings, product rows carry numbers, requisite link ids are strings.
 */
import type { FakeBitrix } from './fake-bitrix.js';

export interface SeedOptions {
  sellerInn?: string;
}

export const DEAL_ID = '101';
export const DEAL_TITLE = 'Аренда офиса 12 — декабрь';

export function seedRentalDeal(fake: FakeBitrix, opts: SeedOptions = {}): void {
  const { crm } = fake;
  const stamp = '2026-11-20T10:00:00+03:00';
  crm.companies.set('1', { ID: '1', TITLE: 'ООО «Арендодатель»', COMPANY_TYPE: 'CUSTOMER', IS_MY_COMPANY: 'Y', ASSIGNED_BY_ID: '1',
    DATE_CREATE: stamp, OPENED: 'Y', HAS_EMAIL: 'N', HAS_PHONE: 'N' });
  crm.companies.set('7', { ID: '7', TITLE: 'ООО «Арендатор»', COMPANY_TYPE: 'CUSTOMER', IS_MY_COMPANY: 'N', ASSIGNED_BY_ID: '1',
    DATE_CREATE: stamp, OPENED: 'Y', HAS_EMAIL: 'Y', HAS_PHONE: 'N',
    EMAIL: [{ ID: '41', VALUE_TYPE: 'WORK', VALUE: 'buh@arendator.example.ru', TYPE_ID: 'EMAIL' }] });
  crm.contacts.set('15', { ID: '15', NAME: 'Сергей', LAST_NAME: 'Сидоров', SECOND_NAME: 'Сергеевич', COMPANY_ID: '7', ASSIGNED_BY_ID: '1',
    HAS_EMAIL: 'Y', EMAIL: [{ ID: '31', VALUE_TYPE: 'WORK', VALUE: 'tenant@example.ru', TYPE_ID: 'EMAIL' }] });
  crm.requisites.set('11', { ID: '11', ENTITY_TYPE_ID: '4', ENTITY_ID: '1', PRESET_ID: '1', NAME: 'Организация', ACTIVE: 'Y', ADDRESS_ONLY: 'N', SORT: '500',
    DATE_CREATE: stamp, RQ_COMPANY_NAME: 'ООО «Арендодатель»', RQ_COMPANY_FULL_NAME: 'Общество с ограниченной ответственностью «Арендодатель»',
    RQ_INN: opts.sellerInn ?? '7725088527', RQ_KPP: '772501001', RQ_OGRN: '1027739552642', RQ_OKPO: '', RQ_DIRECTOR: 'Иванов Иван Иванович',
    RQ_ACCOUNTANT: 'Петрова Полина Петровна', RQ_PHONE: '+7 495 123-45-67', RQ_EMAIL: '' });
  crm.bankDetails.set('12', { ID: '12', ENTITY_ID: '11', COUNTRY_ID: '1', NAME: 'Основной счёт', ACTIVE: 'Y', SORT: '500',
    RQ_BANK_NAME: 'ПАО СБЕРБАНК', RQ_BANK_ADDR: 'г. Москва', RQ_BIK: '044525225', RQ_ACC_NUM: '40702810138250123017',
    RQ_COR_ACC_NUM: '30101810400000000225', RQ_ACC_CURRENCY: 'RUB', RQ_IBAN: '', RQ_SWIFT: '', COMMENTS: '' });
  crm.requisites.set('21', { ID: '21', ENTITY_TYPE_ID: '4', ENTITY_ID: '7', PRESET_ID: '1', NAME: 'Организация', ACTIVE: 'Y', ADDRESS_ONLY: 'N', SORT: '500',
    DATE_CREATE: stamp, RQ_COMPANY_NAME: 'ООО «Арендатор»', RQ_COMPANY_FULL_NAME: 'Общество с ограниченной ответственностью «Арендатор»',
    RQ_INN: '7715034360', RQ_KPP: '771501001', RQ_OGRN: '', RQ_DIRECTOR: 'Сидоров Сергей Сергеевич', RQ_ACCOUNTANT: '' });
  // Legal addresses (TYPE_ID 6 «Юридический адрес») of both requisites, as crm.address.list returns them.
  const address = (requisiteId: string, companyId: string, postal: string, line1: string) => ({
    TYPE_ID: '6', ENTITY_TYPE_ID: '8', ENTITY_ID: requisiteId, ADDRESS_1: line1, ADDRESS_2: null, CITY: 'Москва', POSTAL_CODE: postal,
    REGION: null, PROVINCE: 'Москва', COUNTRY: 'Россия', COUNTRY_CODE: 'RU', LOC_ADDR_ID: '0', ANCHOR_TYPE_ID: '4', ANCHOR_ID: companyId,
  });
  crm.addresses.push(address('11', '1', '115054', 'ул. Дубининская, д. 57, стр. 1, оф. 204'));
  crm.addresses.push(address('21', '7', '127018', 'ул. Сущёвский Вал, д. 18'));
  crm.deals.set(DEAL_ID, { ID: DEAL_ID, TITLE: DEAL_TITLE, TYPE_ID: 'SALE', STAGE_ID: 'PREPARATION', PROBABILITY: null, CURRENCY_ID: 'RUB',
    OPPORTUNITY: '32001.00', IS_MANUAL_OPPORTUNITY: 'N', TAX_VALUE: '5770.68', LEAD_ID: null, COMPANY_ID: '7', CONTACT_ID: '15', QUOTE_ID: null,
    BEGINDATE: '2026-11-20T03:00:00+03:00', CLOSEDATE: '2026-12-31T03:00:00+03:00', ASSIGNED_BY_ID: '1', CREATED_BY_ID: '1', MODIFY_BY_ID: '1',
    DATE_CREATE: stamp, DATE_MODIFY: stamp, OPENED: 'Y', CLOSED: 'N', COMMENTS: null, ADDITIONAL_INFO: null, CATEGORY_ID: '0',
    STAGE_SEMANTIC_ID: 'P', IS_NEW: 'N', SOURCE_ID: 'CALL', ORIGINATOR_ID: null, ORIGIN_ID: null });
  // crm.deal.productrows.get example: ID/OWNER_ID strings, prices and quantities numbers.
  const row = (id: string, name: string, price: number, quantity: number, sort: number) => ({
    ID: id, OWNER_ID: DEAL_ID, OWNER_TYPE: 'D', PRODUCT_ID: 0, PRODUCT_NAME: name, ORIGINAL_PRODUCT_NAME: name, PRODUCT_DESCRIPTION: null,
    PRICE: price, PRICE_EXCLUSIVE: Math.round((price / 1.22) * 100) / 100, PRICE_NETTO: Math.round((price / 1.22) * 100) / 100, PRICE_BRUTTO: price,
    PRICE_ACCOUNT: price.toFixed(2), QUANTITY: quantity, DISCOUNT_TYPE_ID: 2, DISCOUNT_RATE: 0, DISCOUNT_SUM: 0, TAX_RATE: 22,
    TAX_INCLUDED: 'Y', CUSTOMIZED: 'Y', MEASURE_CODE: 796, MEASURE_NAME: 'шт', SORT: sort, XML_ID: '', TYPE: 7, STORE_ID: 0,
  });
  crm.productRows.set(DEAL_ID, [
    row('51', 'Арендная плата за помещение № 12', 25000, 1, 10),
    row('52', 'Возмещение коммунальных услуг', 3500.5, 2, 20),
  ]);
  crm.links.set(`2:${DEAL_ID}`, { ENTITY_TYPE_ID: 2, ENTITY_ID: Number(DEAL_ID), REQUISITE_ID: '21', BANK_DETAIL_ID: '0', MC_REQUISITE_ID: '11', MC_BANK_DETAIL_ID: '12' });
}

/** 25 000,00 + 2 × 3 500,50 = 32 001,00 (VAT 22 % included). */
export const AMOUNT_DUE = 32001;

/**
 * A realistic landlord portal: staff with a department head, the own company with valid requisites
 * and a bank account, three tenants (an LLC with everything filled in, a sole proprietor with a
 * 12-digit INN, and a company without requisites for error paths), the rental pipeline and rent deals.
 * Every INN/OGRN/OGRNIP/account number below passes its checksum.
 */
import type { SandboxHooks } from '../types.js';
import { COMPANY_DEF, CONTACT_DEF, DEAL_DEF, createEntity, readInput, type EntityDef } from './entities.js';
import { replaceRows } from './productRows.js';
import { addAddress, REQUISITE_ENTITY_TYPE_ID } from './addresses.js';
import { addBankDetail, addRequisite, registerLink } from './requisites.js';
import { DEAL, addCategory } from './stages.js';
import type { CrmState, Department, SandboxUser } from './state.js';

export interface SeedOptions {
  /** Create the rent deals (default true); without them `deals` is null. */
  deals?: boolean;
  /** Monthly rent of the seeded deals in rubles, VAT 22 % included (default 25000). */
  rent?: number;
}

export interface SeedDealIds {
  tenant: number;
  soleTrader: number;
  noRequisites: number;
}

export interface DemoSeed {
  users: { admin: number; manager: number; head: number; accountant: number };
  departments: { root: number; rental: number; accounting: number };
  rentalCategoryId: number;
  myCompany: { companyId: number; requisiteId: number; bankDetailId: number };
  /** ООО «Арендатор»: requisites, bank details and a contact with e-mail. */
  tenant: { companyId: number; contactId: number; requisiteId: number; bankDetailId: number };
  /** ИП Смирнов: 12-digit INN, OGRNIP. */
  soleTrader: { companyId: number; contactId: number; requisiteId: number; bankDetailId: number };
  /** ООО «Новый арендатор»: no requisites at all. */
  noRequisites: { companyId: number };
  /** Rent deals in the rental pipeline (stage C1:NEW), one rent product row each; only `tenant` has a requisite link. */
  deals: SeedDealIds;
}

const quiet: SandboxHooks = { dealStageChanged: () => undefined };

const RENT_STAGES = [
  { code: 'NEW', name: 'Новая', color: '#39A8EF' },
  { code: 'PREPARATION', name: 'Выставить счет', color: '#2FC6F6' },
  { code: 'PREPAYMENT_INVOICE', name: 'Счет отправлен', color: '#55D0E0' },
  { code: 'EXECUTING', name: 'Ожидание оплаты', color: '#47E4C2' },
  { code: 'FINAL_INVOICE', name: 'Оплачено', color: '#FFA900' },
  { code: '1', name: 'Акт отправлен', color: '#FFA900' },
  { code: 'WON', name: 'Закрыта', semantics: 'success' as const, color: '#7BD500' },
  { code: 'LOSE', name: 'Сделка провалена', semantics: 'failure' as const, color: '#FF5752' },
];

function user(state: CrmState, u: SandboxUser): number {
  state.users.set(u.ID, u);
  return u.ID;
}

function department(state: CrmState, d: Department): number {
  state.departments.set(d.ID, d);
  return d.ID;
}

function create(state: CrmState, def: EntityDef, fields: Record<string, unknown>): number {
  return createEntity(state, def, readInput(state, def, fields, 'classic', 1), { userId: 1, hooks: quiet }, 'classic').ID;
}

const LEGAL = 6;
const REGISTERED = 4;

/** A Russian address of a requisite, split into the fields a portal user fills in. */
function address(state: CrmState, requisiteId: number, typeId: number, parts: Record<string, string>): void {
  addAddress(state, { TYPE_ID: typeId, ENTITY_TYPE_ID: REQUISITE_ENTITY_TYPE_ID, ENTITY_ID: requisiteId, COUNTRY: 'Россия', ...parts });
}

function rentRow(title: string, rent: number) {
  return {
    productName: title,
    price: rent,
    quantity: 1,
    taxRate: 22,
    taxIncluded: 'Y' as const,
    measureCode: 362,
    sort: 10,
  };
}

export function seedDemoPortal(state: CrmState, opts?: SeedOptions & { deals?: true }): DemoSeed;
export function seedDemoPortal(
  state: CrmState,
  opts: SeedOptions & { deals: false },
): Omit<DemoSeed, 'deals'> & { deals: null };
export function seedDemoPortal(state: CrmState, opts: SeedOptions = {}): Omit<DemoSeed, 'deals'> & { deals: SeedDealIds | null } {
  const departments = {
    root: department(state, { ID: 1, NAME: 'ООО «Арендодатель»', SORT: 500, PARENT: null, UF_HEAD: 1 }),
    rental: department(state, { ID: 2, NAME: 'Отдел аренды', SORT: 500, PARENT: 1, UF_HEAD: 3 }),
    accounting: department(state, { ID: 3, NAME: 'Бухгалтерия', SORT: 500, PARENT: 1, UF_HEAD: 4 }),
  };
  const base = { ACTIVE: true, SECOND_NAME: '' };
  const users = {
    admin: user(state, { ...base, ID: 1, NAME: 'Иван', LAST_NAME: 'Иванов', EMAIL: 'ivanov@arendodatel.example', WORK_POSITION: 'Генеральный директор', UF_DEPARTMENT: [1], IS_ADMIN: true }),
    manager: user(state, { ...base, ID: 2, NAME: 'Пётр', LAST_NAME: 'Петров', EMAIL: 'petrov@arendodatel.example', WORK_POSITION: 'Менеджер по аренде', UF_DEPARTMENT: [2], IS_ADMIN: false }),
    head: user(state, { ...base, ID: 3, NAME: 'Анна', LAST_NAME: 'Сидорова', EMAIL: 'sidorova@arendodatel.example', WORK_POSITION: 'Руководитель отдела аренды', UF_DEPARTMENT: [2], IS_ADMIN: false }),
    accountant: user(state, { ...base, ID: 4, NAME: 'Мария', LAST_NAME: 'Кузнецова', EMAIL: 'kuznetsova@arendodatel.example', WORK_POSITION: 'Главный бухгалтер', UF_DEPARTMENT: [3], IS_ADMIN: false }),
  };

  const rental = addCategory(state, DEAL, { id: 1, name: 'Аренда', sort: 100, stages: RENT_STAGES });

  const myCompanyId = create(state, COMPANY_DEF, {
    TITLE: 'ООО «Арендодатель»',
    IS_MY_COMPANY: 'Y',
    COMPANY_TYPE: 'OTHER',
    EMAIL: [{ VALUE: 'info@arendodatel.example', VALUE_TYPE: 'WORK' }],
    PHONE: [{ VALUE: '+7 495 123-45-67', VALUE_TYPE: 'WORK' }],
  });
  const myRq = addRequisite(
    state,
    {
      ENTITY_TYPE_ID: 4,
      ENTITY_ID: myCompanyId,
      PRESET_ID: 1,
      NAME: 'Организация',
      RQ_COMPANY_NAME: 'ООО «Арендодатель»',
      RQ_COMPANY_FULL_NAME: 'Общество с ограниченной ответственностью «Арендодатель»',
      RQ_INN: '7704123450',
      RQ_KPP: '770401001',
      RQ_OGRN: '1237700123451',
      RQ_DIRECTOR: 'Иванов Иван Иванович',
      RQ_ACCOUNTANT: 'Кузнецова Мария Сергеевна',
      RQ_VAT_PAYER: 'Y',
    },
    1,
  );
  // «119019, г. Москва, ул. Арбат, д. 1, офис 10»
  address(state, myRq.ID, LEGAL, { POSTAL_CODE: '119019', CITY: 'г. Москва', ADDRESS_1: 'ул. Арбат, д. 1', ADDRESS_2: 'офис 10' });
  const myBank = addBankDetail(
    state,
    {
      ENTITY_ID: myRq.ID,
      NAME: 'Основной счёт',
      RQ_BANK_NAME: 'ПАО СБЕРБАНК',
      RQ_BANK_ADDR: '117312, г. Москва, ул. Вавилова, д. 19',
      RQ_BIK: '044525225',
      RQ_COR_ACC_NUM: '30101810400000000225',
      RQ_ACC_NUM: '40702810138250123017',
    },
    1,
  );

  const tenantCompanyId = create(state, COMPANY_DEF, {
    TITLE: 'ООО «Арендатор»',
    ASSIGNED_BY_ID: users.manager,
    EMAIL: [{ VALUE: 'office@arendator.example', VALUE_TYPE: 'WORK' }],
  });
  const tenantContactId = create(state, CONTACT_DEF, {
    NAME: 'Ольга',
    SECOND_NAME: 'Николаевна',
    LAST_NAME: 'Белова',
    POST: 'Бухгалтер',
    COMPANY_ID: tenantCompanyId,
    ASSIGNED_BY_ID: users.manager,
    EMAIL: [{ VALUE: 'buh@arendator.example', VALUE_TYPE: 'WORK' }],
  });
  const tenantRq = addRequisite(
    state,
    {
      ENTITY_TYPE_ID: 4,
      ENTITY_ID: tenantCompanyId,
      PRESET_ID: 1,
      NAME: 'Организация',
      RQ_COMPANY_NAME: 'ООО «Арендатор»',
      RQ_COMPANY_FULL_NAME: 'Общество с ограниченной ответственностью «Арендатор»',
      RQ_INN: '5027123457',
      RQ_KPP: '502701001',
      RQ_OGRN: '1215000012347',
      RQ_DIRECTOR: 'Белов Сергей Петрович',
    },
    1,
  );
  // «140000, Московская обл., г. Люберцы, ул. Красная, д. 5»
  address(state, tenantRq.ID, LEGAL, { POSTAL_CODE: '140000', PROVINCE: 'Московская обл.', CITY: 'г. Люберцы', ADDRESS_1: 'ул. Красная, д. 5' });
  const tenantBank = addBankDetail(
    state,
    {
      ENTITY_ID: tenantRq.ID,
      NAME: 'Расчётный счёт',
      RQ_BANK_NAME: 'АО «АЛЬФА-БАНК»',
      RQ_BIK: '044525593',
      RQ_COR_ACC_NUM: '30101810200000000593',
      RQ_ACC_NUM: '40702810801300012345',
    },
    1,
  );

  const soleTraderCompanyId = create(state, COMPANY_DEF, {
    TITLE: 'ИП Смирнов Алексей Викторович',
    ASSIGNED_BY_ID: users.manager,
    EMAIL: [{ VALUE: 'smirnov@ip-smirnov.example', VALUE_TYPE: 'WORK' }],
  });
  const soleTraderContactId = create(state, CONTACT_DEF, {
    NAME: 'Алексей',
    SECOND_NAME: 'Викторович',
    LAST_NAME: 'Смирнов',
    COMPANY_ID: soleTraderCompanyId,
    ASSIGNED_BY_ID: users.manager,
    EMAIL: [{ VALUE: 'smirnov@ip-smirnov.example', VALUE_TYPE: 'WORK' }],
  });
  const soleTraderRq = addRequisite(
    state,
    {
      ENTITY_TYPE_ID: 4,
      ENTITY_ID: soleTraderCompanyId,
      PRESET_ID: 2,
      NAME: 'ИП',
      RQ_NAME: 'Смирнов Алексей Викторович',
      RQ_LAST_NAME: 'Смирнов',
      RQ_FIRST_NAME: 'Алексей',
      RQ_SECOND_NAME: 'Викторович',
      RQ_INN: '771234567859',
      RQ_OGRNIP: '320774600012341',
    },
    1,
  );
  // «125009, г. Москва, ул. Тверская, д. 7, кв. 12»: a sole trader's address is where he is registered.
  address(state, soleTraderRq.ID, REGISTERED, { POSTAL_CODE: '125009', CITY: 'г. Москва', ADDRESS_1: 'ул. Тверская, д. 7', ADDRESS_2: 'кв. 12' });
  const soleTraderBank = addBankDetail(
    state,
    {
      ENTITY_ID: soleTraderRq.ID,
      NAME: 'Расчётный счёт',
      RQ_BANK_NAME: 'ПАО СБЕРБАНК',
      RQ_BIK: '044525225',
      RQ_COR_ACC_NUM: '30101810400000000225',
      RQ_ACC_NUM: '40802810838000012345',
    },
    1,
  );

  const noRequisitesCompanyId = create(state, COMPANY_DEF, {
    TITLE: 'ООО «Новый арендатор»',
    ASSIGNED_BY_ID: users.manager,
    EMAIL: [{ VALUE: 'info@novyi-arendator.example', VALUE_TYPE: 'WORK' }],
  });

  const deal = (title: string, companyId: number, contactId: number | null, row: string) => {
    const id = create(state, DEAL_DEF, {
      TITLE: title,
      CATEGORY_ID: rental.id,
      STAGE_ID: 'C1:NEW',
      COMPANY_ID: companyId,
      ...(contactId === null ? {} : { CONTACT_ID: contactId }),
      ASSIGNED_BY_ID: users.manager,
      CURRENCY_ID: 'RUB',
    });
    replaceRows(state, 'D', id, [rentRow(row, opts.rent ?? 25000)]);
    return id;
  };
  let deals: SeedDealIds | null = null;
  if (opts.deals !== false) {
    deals = {
      tenant: deal('Аренда офиса 301 — ООО «Арендатор»', tenantCompanyId, tenantContactId, 'Аренда нежилого помещения № 301'),
      // No requisite link on the next two: the service has to fall back to the company's requisites (or fail).
      soleTrader: deal('Аренда склада 12 — ИП Смирнов', soleTraderCompanyId, soleTraderContactId, 'Аренда складского помещения № 12'),
      noRequisites: deal('Аренда офиса 305 — ООО «Новый арендатор»', noRequisitesCompanyId, null, 'Аренда нежилого помещения № 305'),
    };
    registerLink(state, {
      ENTITY_TYPE_ID: DEAL,
      ENTITY_ID: deals.tenant,
      REQUISITE_ID: tenantRq.ID,
      BANK_DETAIL_ID: tenantBank.ID,
      MC_REQUISITE_ID: myRq.ID,
      MC_BANK_DETAIL_ID: myBank.ID,
    });
  }

  return {
    users,
    departments,
    rentalCategoryId: rental.id,
    myCompany: { companyId: myCompanyId, requisiteId: myRq.ID, bankDetailId: myBank.ID },
    tenant: { companyId: tenantCompanyId, contactId: tenantContactId, requisiteId: tenantRq.ID, bankDetailId: tenantBank.ID },
    soleTrader: {
      companyId: soleTraderCompanyId,
      contactId: soleTraderContactId,
      requisiteId: soleTraderRq.ID,
      bankDetailId: soleTraderBank.ID,
    },
    noRequisites: { companyId: noRequisitesCompanyId },
    deals,
  };
}

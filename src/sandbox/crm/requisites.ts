/**
 * Requisites (company/contact legal details), their bank details, and the requisite links that say
 * which client and own-company ("MC") requisites a deal or invoice uses. Addresses of requisites are
 * a separate entity (addresses.ts).
 */
import { listPage, param, type MethodHandler } from '../types.js';
import { dropAddressesOf, REQUISITE_ENTITY_TYPE_ID } from './addresses.js';
import { describeField, f, type FieldSpec } from './fieldSpec.js';
import { asObject, err, requireId, toInt } from './format.js';
import { filterRecords, type Resolve } from './query.js';
import { readSpecFields, specList, specView } from './specRecords.js';
import type { BankDetailRecord, CrmState, RequisiteLink, RequisiteRecord } from './state.js';

type Table = Record<string, MethodHandler>;

const ro = { readOnly: true };
const s = (name: string, title: string) => f(name, name, 'string', 'string', title);

/** Bookkeeping fields requisites and bank details share, in the platform's order. */
const RECORD_FIELDS: FieldSpec[] = [
  f('DATE_CREATE', 'dateCreate', 'datetime', 'datetime', 'Дата создания', ro),
  f('DATE_MODIFY', 'dateModify', 'datetime', 'datetime', 'Дата изменения', ro),
  f('CREATED_BY_ID', 'createdById', 'int', 'user', 'Кем создан', ro),
  f('MODIFY_BY_ID', 'modifyById', 'int', 'user', 'Кем изменён', ro),
  s('NAME', 'Название реквизита'),
  s('CODE', 'Символьный код'),
  s('XML_ID', 'Внешний ключ'),
  s('ORIGINATOR_ID', 'Идентификатор внешней информационной базы'),
];

export const REQUISITE_FIELDS: FieldSpec[] = [
  f('ID', 'id', 'int', 'integer', 'ID', ro),
  f('ENTITY_TYPE_ID', 'entityTypeId', 'int', 'integer', 'Тип родительской сущности', { immutable: true }),
  f('ENTITY_ID', 'entityId', 'int', 'integer', 'ID родительской сущности', { immutable: true }),
  f('PRESET_ID', 'presetId', 'int', 'integer', 'Шаблон'),
  ...RECORD_FIELDS,
  f('ACTIVE', 'active', 'char', 'char', 'Активен'),
  f('ADDRESS_ONLY', 'addressOnly', 'char', 'char', 'Только адрес'),
  f('SORT', 'sort', 'int', 'integer', 'Сортировка'),
  s('RQ_NAME', 'ФИО'),
  s('RQ_FIRST_NAME', 'Имя'),
  s('RQ_LAST_NAME', 'Фамилия'),
  s('RQ_SECOND_NAME', 'Отчество'),
  s('RQ_COMPANY_NAME', 'Сокращенное наименование организации'),
  s('RQ_COMPANY_FULL_NAME', 'Полное наименование организации'),
  s('RQ_COMPANY_REG_DATE', 'Дата государственной регистрации'),
  s('RQ_DIRECTOR', 'Генеральный директор'),
  s('RQ_ACCOUNTANT', 'Главный бухгалтер'),
  s('RQ_CEO_NAME', 'ФИО руководителя'),
  s('RQ_CEO_WORK_POS', 'Должность руководителя'),
  s('RQ_CONTACT', 'Контактное лицо'),
  s('RQ_EMAIL', 'E-mail'),
  s('RQ_PHONE', 'Телефон'),
  s('RQ_FAX', 'Факс'),
  s('RQ_IDENT_DOC', 'Вид документа'),
  s('RQ_IDENT_DOC_SER', 'Серия'),
  s('RQ_IDENT_DOC_NUM', 'Номер'),
  s('RQ_IDENT_DOC_DATE', 'Дата выдачи'),
  s('RQ_IDENT_DOC_ISSUED_BY', 'Кем выдан'),
  s('RQ_IDENT_DOC_DEP_CODE', 'Код подразделения'),
  s('RQ_INN', 'ИНН'),
  s('RQ_KPP', 'КПП'),
  s('RQ_OGRN', 'ОГРН'),
  s('RQ_OGRNIP', 'ОГРНИП'),
  s('RQ_OKPO', 'ОКПО'),
  s('RQ_OKTMO', 'ОКТМО'),
  s('RQ_OKVED', 'ОКВЭД'),
  f('RQ_VAT_PAYER', 'RQ_VAT_PAYER', 'char', 'char', 'Плательщик НДС'),
  s('RQ_VAT_ID', 'VAT ID'),
  // No RQ_ADDR: a requisite's addresses are their own entity (crm.address.*, see addresses.ts).
];

export const BANK_DETAIL_FIELDS: FieldSpec[] = [
  f('ID', 'id', 'int', 'integer', 'ID', ro),
  f('ENTITY_ID', 'entityId', 'int', 'integer', 'ID реквизита', { immutable: true }),
  f('COUNTRY_ID', 'countryId', 'int', 'integer', 'Страна'),
  ...RECORD_FIELDS,
  f('ACTIVE', 'active', 'char', 'char', 'Активен'),
  f('SORT', 'sort', 'int', 'integer', 'Сортировка'),
  s('RQ_BANK_NAME', 'Наименование банка'),
  s('RQ_BANK_ADDR', 'Адрес банка'),
  s('RQ_BANK_ROUTE_NUM', 'Bank Routing Number'),
  s('RQ_BIK', 'БИК'),
  s('RQ_MFO', 'МФО'),
  s('RQ_ACC_NAME', 'Владелец счёта'),
  s('RQ_ACC_NUM', 'Расчётный счёт'),
  s('RQ_ACC_TYPE', 'Тип счёта'),
  s('RQ_IIK', 'ИИК'),
  s('RQ_ACC_CURRENCY', 'Валюта счёта'),
  s('RQ_COR_ACC_NUM', 'Кор. счёт'),
  s('RQ_IBAN', 'IBAN'),
  s('RQ_SWIFT', 'SWIFT'),
  s('RQ_BIC', 'BIC'),
  s('COMMENTS', 'Комментарий'),
];

/** Templates of the Russian portal: organisation, sole proprietor, individual. */
export const PRESETS = [
  { ID: 1, NAME: 'Организация', XML_ID: '#CRM_REQUISITE_PRESET_DEF_RU_COMPANY#' },
  { ID: 2, NAME: 'ИП', XML_ID: '#CRM_REQUISITE_PRESET_DEF_RU_INDIVIDUAL#' },
  { ID: 3, NAME: 'Физ. лицо', XML_ID: '#CRM_REQUISITE_PRESET_DEF_RU_PERSON#' },
];

type Rec = Record<string, unknown> & { ID: number };

const LINK_FIELDS = [
  'ENTITY_TYPE_ID',
  'ENTITY_ID',
  'REQUISITE_ID',
  'BANK_DETAIL_ID',
  'MC_REQUISITE_ID',
  'MC_BANK_DETAIL_ID',
] as const satisfies ReadonlyArray<keyof RequisiteLink>;

const resolveLink: Resolve = (field) => {
  const key = LINK_FIELDS.find((k) => k === field);
  return key ? { kind: 'int', get: (r: RequisiteLink) => r[key] } : undefined;
};

function linkOwner(state: CrmState, entityTypeId: number, entityId: number) {
  if (entityTypeId === 2) return state.deals.get(entityId);
  if (entityTypeId === 31) return state.invoices.get(entityId);
  return undefined;
}

function linkView(l: RequisiteLink): Record<string, unknown> {
  // As documented: the owner's type and id come back as numbers, the chosen ids as strings.
  return {
    ENTITY_TYPE_ID: l.ENTITY_TYPE_ID,
    ENTITY_ID: l.ENTITY_ID,
    REQUISITE_ID: String(l.REQUISITE_ID),
    BANK_DETAIL_ID: String(l.BANK_DETAIL_ID),
    MC_REQUISITE_ID: String(l.MC_REQUISITE_ID),
    MC_BANK_DETAIL_ID: String(l.MC_BANK_DETAIL_ID),
  };
}

/** The checks crm.requisite.link.register makes, with the platform's messages. */
function checkLink(state: CrmState, l: RequisiteLink): void {
  const owner = linkOwner(state, l.ENTITY_TYPE_ID, l.ENTITY_ID);
  if (!owner) throw err.argument('Entity is not found');
  if (l.REQUISITE_ID > 0) {
    const rq = state.requisites.get(l.REQUISITE_ID);
    if (!rq) throw err.argument(`The Requisite with ID '${l.REQUISITE_ID}' is not found`);
    const companyId = Number(owner.COMPANY_ID ?? 0);
    const contactIds = (owner.CONTACT_IDS as number[] | undefined) ?? [];
    const ok = companyId > 0 ? rq.ENTITY_TYPE_ID === 4 && rq.ENTITY_ID === companyId : rq.ENTITY_TYPE_ID === 3 && contactIds.includes(rq.ENTITY_ID);
    if (!ok) {
      const target = companyId > 0 ? `Company with ID '${companyId}'` : `Contact with ID '${contactIds[0] ?? 0}'`;
      throw err.argument(`The Requisite with ID '${l.REQUISITE_ID}' is not assigned to ${target}`);
    }
  }
  if (l.BANK_DETAIL_ID > 0) {
    const bd = state.bankDetails.get(l.BANK_DETAIL_ID);
    if (!bd) throw err.argument(`The BankDetail with ID '${l.BANK_DETAIL_ID}' is not found`);
    if (bd.ENTITY_ID !== l.REQUISITE_ID) {
      throw err.argument(`The BankDetail with ID '${l.BANK_DETAIL_ID}' is not assigned to Requisite with ID '${l.REQUISITE_ID}'`);
    }
  }
  if (l.MC_REQUISITE_ID > 0) {
    const rq = state.requisites.get(l.MC_REQUISITE_ID);
    if (!rq) throw err.argument(`The Requisite of your company with ID '${l.MC_REQUISITE_ID}' is not found`);
    // Invoices name their own company; deals may use any company marked as "my company".
    const myId = Number(owner.MYCOMPANY_ID ?? 0);
    const company = rq.ENTITY_TYPE_ID === 4 ? state.companies.get(rq.ENTITY_ID) : undefined;
    const ok = company !== undefined && company.IS_MY_COMPANY === 'Y' && (myId === 0 || company.ID === myId);
    if (!ok) {
      throw err.argument(`The Requisite with ID '${l.MC_REQUISITE_ID}' is not assigned to your company with ID '${myId || rq.ENTITY_ID}'`);
    }
  }
  if (l.MC_BANK_DETAIL_ID > 0) {
    const bd = state.bankDetails.get(l.MC_BANK_DETAIL_ID);
    if (!bd) throw err.argument(`The BankDetail of your company with ID '${l.MC_BANK_DETAIL_ID}' is not found`);
    if (bd.ENTITY_ID !== l.MC_REQUISITE_ID) {
      throw err.argument(
        `The BankDetail of your company with ID '${l.MC_BANK_DETAIL_ID}' is not assigned to Requisite of your company with ID '${l.MC_REQUISITE_ID}'`,
      );
    }
  }
}

export function addRequisite(state: CrmState, raw: unknown, userId: number): RequisiteRecord {
  const input = readSpecFields(REQUISITE_FIELDS, raw, false);
  const entityTypeId = toInt(input.ENTITY_TYPE_ID);
  if (entityTypeId !== 3 && entityTypeId !== 4) throw err.invalidId('ENTITY_TYPE_ID');
  const entityId = toInt(input.ENTITY_ID);
  const owner = entityId === null ? undefined : (entityTypeId === 4 ? state.companies : state.contacts).get(entityId);
  if (!owner || entityId === null) throw err.invalidId('ENTITY_ID');
  const presetId = toInt(input.PRESET_ID);
  if (!PRESETS.some((p) => p.ID === presetId)) throw err.invalidId('PRESET_ID');
  if (!input.NAME) throw err.core('The field "Название" is required.');
  const now = state.clock.now().getTime();
  const rec: RequisiteRecord = {
    ACTIVE: 'Y',
    ADDRESS_ONLY: 'N',
    SORT: 500,
    ...input,
    ID: state.nextId('requisite'),
    ENTITY_TYPE_ID: entityTypeId,
    ENTITY_ID: entityId,
    PRESET_ID: presetId ?? 1,
    NAME: String(input.NAME),
    DATE_CREATE: now,
    DATE_MODIFY: now,
    CREATED_BY_ID: userId,
    MODIFY_BY_ID: userId,
  } as RequisiteRecord;
  state.requisites.set(rec.ID, rec);
  return rec;
}

export function addBankDetail(state: CrmState, raw: unknown, userId: number): BankDetailRecord {
  const input = readSpecFields(BANK_DETAIL_FIELDS, raw, false);
  const requisiteId = toInt(input.ENTITY_ID);
  if (requisiteId === null || !state.requisites.has(requisiteId)) throw err.invalidId('ENTITY_ID');
  if (!input.NAME) throw err.core('The field "Название" is required.');
  const now = state.clock.now().getTime();
  const rec: BankDetailRecord = {
    COUNTRY_ID: 1,
    ACTIVE: 'Y',
    SORT: 500,
    RQ_ACC_CURRENCY: 'RUB',
    ...input,
    ID: state.nextId('bankDetail'),
    ENTITY_ID: requisiteId,
    NAME: String(input.NAME),
    DATE_CREATE: now,
    DATE_MODIFY: now,
    CREATED_BY_ID: userId,
    MODIFY_BY_ID: userId,
  } as BankDetailRecord;
  state.bankDetails.set(rec.ID, rec);
  return rec;
}

/** Deletes a requisite with its bank details and addresses, as the platform does. */
export function dropRequisite(state: CrmState, requisiteId: number): void {
  state.requisites.delete(requisiteId);
  for (const bd of [...state.bankDetails.values()]) if (bd.ENTITY_ID === requisiteId) state.bankDetails.delete(bd.ID);
  dropAddressesOf(state, REQUISITE_ENTITY_TYPE_ID, requisiteId);
}

export function registerLink(state: CrmState, link: RequisiteLink): void {
  checkLink(state, link);
  state.requisiteLinks.set(`${link.ENTITY_TYPE_ID}:${link.ENTITY_ID}`, { ...link });
}

export function createRequisiteMethods(state: CrmState): Table {
  const findRq = (params: Record<string, any>) => {
    const rec = state.requisites.get(requireId(param(params, 'id')));
    if (!rec) throw err.notFound();
    return rec;
  };
  const findBd = (params: Record<string, any>) => {
    const rec = state.bankDetails.get(requireId(param(params, 'id')));
    if (!rec) throw err.notFound();
    return rec;
  };
  const touch = (rec: Rec, userId: number) => {
    rec.DATE_MODIFY = state.clock.now().getTime();
    rec.MODIFY_BY_ID = userId;
  };
  const linkKey = (params: Record<string, any>) => {
    const entityTypeId = toInt(param(params, 'entityTypeId'));
    if (entityTypeId === null || entityTypeId <= 0) throw err.argument('entityTypeId is not defined or invalid.');
    const entityId = toInt(param(params, 'entityId'));
    if (entityId === null || entityId <= 0) throw err.argument('entityId is not defined or invalid.');
    return `${entityTypeId}:${entityId}`;
  };
  return {
    'crm.requisite.fields': () => Object.fromEntries(REQUISITE_FIELDS.map((x) => [x.name, describeField(x)])),
    'crm.requisite.preset.list': () =>
      PRESETS.map((p) => ({ ID: String(p.ID), ENTITY_TYPE_ID: '8', COUNTRY_ID: '1', NAME: p.NAME, ACTIVE: 'Y', XML_ID: p.XML_ID, SORT: '500' })),
    'crm.requisite.add': (params, ctx) => addRequisite(state, param(params, 'fields'), ctx.userId).ID,
    'crm.requisite.get': (params) => specView(REQUISITE_FIELDS, findRq(params)),
    'crm.requisite.list': (params) => specList(REQUISITE_FIELDS, [...state.requisites.values()], params),
    'crm.requisite.update': (params, ctx) => {
      const rec = findRq(params);
      Object.assign(rec, readSpecFields(REQUISITE_FIELDS, param(params, 'fields'), true));
      touch(rec, ctx.userId);
      return true;
    },
    'crm.requisite.delete': (params) => {
      dropRequisite(state, findRq(params).ID);
      return true;
    },
    'crm.requisite.bankdetail.fields': () => Object.fromEntries(BANK_DETAIL_FIELDS.map((x) => [x.name, describeField(x)])),
    'crm.requisite.bankdetail.add': (params, ctx) => addBankDetail(state, param(params, 'fields'), ctx.userId).ID,
    'crm.requisite.bankdetail.get': (params) => specView(BANK_DETAIL_FIELDS, findBd(params)),
    'crm.requisite.bankdetail.list': (params) => specList(BANK_DETAIL_FIELDS, [...state.bankDetails.values()], params),
    'crm.requisite.bankdetail.update': (params, ctx) => {
      const rec = findBd(params);
      Object.assign(rec, readSpecFields(BANK_DETAIL_FIELDS, param(params, 'fields'), true));
      touch(rec, ctx.userId);
      return true;
    },
    'crm.requisite.bankdetail.delete': (params) => {
      state.bankDetails.delete(findBd(params).ID);
      return true;
    },
    'crm.requisite.link.get': (params) => {
      const link = state.requisiteLinks.get(linkKey(params));
      if (!link) throw err.notFound();
      return linkView(link);
    },
    'crm.requisite.link.list': (params) => {
      const rows = filterRecords([...state.requisiteLinks.values()], param(params, 'filter'), resolveLink);
      return listPage(
        rows.map((l) => Object.fromEntries(LINK_FIELDS.map((k) => [k, String(l[k])]))),
        param(params, 'start'),
      );
    },
    'crm.requisite.link.register': (params) => {
      const fields = asObject(param(params, 'fields'));
      const read = (name: string, positive: boolean): number => {
        const n = toInt(fields[name]);
        if (n === null || n < 0 || (positive && n === 0)) throw err.argument(`${name} is not defined or invalid.`);
        return n;
      };
      registerLink(state, {
        ENTITY_TYPE_ID: read('ENTITY_TYPE_ID', true),
        ENTITY_ID: read('ENTITY_ID', true),
        REQUISITE_ID: read('REQUISITE_ID', false),
        BANK_DETAIL_ID: read('BANK_DETAIL_ID', false),
        MC_REQUISITE_ID: read('MC_REQUISITE_ID', false),
        MC_BANK_DETAIL_ID: read('MC_BANK_DETAIL_ID', false),
      });
      return true;
    },
    'crm.requisite.link.unregister': (params) => {
      state.requisiteLinks.delete(linkKey(params));
      return true;
    },
  };
}

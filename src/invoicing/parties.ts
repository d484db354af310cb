/**
 * Seller and buyer of a document from Bitrix24 requisites (`crm.requisite.list`) and bank details
 * (`crm.requisite.bankdetail.list`). The seller is the portal's own company («моя компания»): its INN and
 * bank account go into the QR code, so missing ones stop the robot with a message for the manager.
 * The buyer is whatever the client card offers, down to a bare contact name.
 */
import { AppError } from '../errors.js';
import type { BankDetails, BuyerParty, SellerParty } from '../documents/model.js';
import type {
  BitrixAddress,
  BitrixBankDetail,
  BitrixMultiField,
  BitrixRequisite,
  BitrixScalar,
} from './bitrixTypes.js';

export type RequisiteKind = 'company' | 'ip' | 'person';

/** Default preset ids of a Russian portal; custom presets fall through to field-based detection. */
const PRESET_COMPANY = new Set(['1', '4']);
const PRESET_IP = '2';
const PRESET_PERSON = '3';

/** Address types in print preference: legal, registered (ИП, persons), actual, mailing. */
const ADDRESS_TYPE_ORDER = ['6', '4', '1', '8', '9', '11'];

export interface SellerCompanyInfo {
  /** Company card title, used when the requisite has no organisation name. */
  TITLE?: string | null;
  /** Company card phones; the first work phone is printed. */
  PHONE?: BitrixMultiField[] | string | null;
  /** An already formatted address (e.g. from `crm.address.list`); wins over RQ_ADDR. */
  address?: string | null;
}

export interface BuyerClientInfo {
  kind: 'company' | 'contact';
  /** Company title or the contact's full name. */
  title: string;
  /** An already formatted address; wins over RQ_ADDR. */
  address?: string | null;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v.replace(/\s+/g, ' ').trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

/** Codes pasted with spaces («4070 2810 …») or as numbers. */
function digits(v: BitrixScalar): string {
  return str(v).replace(/[\s\u00A0-]/g, '');
}

function isLinked(id: BitrixScalar): boolean {
  const s = str(id);
  return s !== '' && s !== '0';
}

function pickLinkedOrFirstActive<T extends { ID?: BitrixScalar; ACTIVE?: string | null }>(
  list: readonly T[] | undefined,
  linkedId: BitrixScalar,
  usable: (item: T) => boolean,
): T | undefined {
  const items = (list ?? []).filter(usable);
  if (isLinked(linkedId)) {
    const linked = items.find((i) => str(i.ID) === str(linkedId));
    if (linked) return linked;
  }
  // ACTIVE «does not actually affect anything» in Bitrix24, so an all-inactive list still yields its first item.
  return items.find((i) => str(i.ACTIVE).toUpperCase() !== 'N') ?? items[0];
}

/**
 * The requisite chosen in the deal (`crm.requisite.link.get` REQUISITE_ID / MC_REQUISITE_ID) when it is set
 * and present, else the first active one. Address-only requisites are never picked.
 */
export function pickRequisite(list: readonly BitrixRequisite[] | undefined, linkedId: BitrixScalar): BitrixRequisite | undefined {
  return pickLinkedOrFirstActive(list, linkedId, (r) => str(r.ADDRESS_ONLY).toUpperCase() !== 'Y');
}

/** Same rule for bank details (BANK_DETAIL_ID / MC_BANK_DETAIL_ID). */
export function pickBankDetail(list: readonly BitrixBankDetail[] | undefined, linkedId: BitrixScalar): BitrixBankDetail | undefined {
  return pickLinkedOrFirstActive(list, linkedId, () => true);
}

/** Organisation, individual entrepreneur or private person. */
export function requisiteKind(rq: BitrixRequisite): RequisiteKind {
  if (digits(rq.RQ_OGRNIP)) return 'ip';
  if (digits(rq.RQ_KPP) || digits(rq.RQ_OGRN)) return 'company';
  const preset = str(rq.PRESET_ID);
  if (preset === PRESET_IP) return 'ip';
  if (preset === PRESET_PERSON) return 'person';
  if (PRESET_COMPANY.has(preset)) return 'company';
  if (str(rq.RQ_COMPANY_NAME) || str(rq.RQ_COMPANY_FULL_NAME) || digits(rq.RQ_INN).length === 10) return 'company';
  return personName(rq) ? 'person' : 'company';
}

function personName(rq: BitrixRequisite): string {
  const parts = [rq.RQ_LAST_NAME, rq.RQ_FIRST_NAME, rq.RQ_SECOND_NAME].map(str).filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : str(rq.RQ_NAME);
}

const IP_PREFIX_RE = /^(ип|индивидуальный предприниматель)(\s|$)/i;

function ipName(rq: BitrixRequisite): string {
  const person = personName(rq);
  if (person) return IP_PREFIX_RE.test(person) ? person : `ИП ${person}`;
  const company = str(rq.RQ_COMPANY_NAME) || str(rq.RQ_COMPANY_FULL_NAME);
  if (company) return IP_PREFIX_RE.test(company) ? company : `ИП ${company}`;
  return '';
}

function organisationName(rq: BitrixRequisite): string {
  return str(rq.RQ_COMPANY_NAME) || str(rq.RQ_COMPANY_FULL_NAME);
}

function nameOf(rq: BitrixRequisite, kind: RequisiteKind): string {
  if (kind === 'ip') return ipName(rq);
  if (kind === 'person') return personName(rq);
  return organisationName(rq);
}

const PATRONYMIC_PARTICLES = new Set(['оглы', 'кызы', 'улы', 'уулу']);

/**
 * «Иванов Иван Иванович» → «Иванов И.И.»; «И.И. Иванов» and «Иванов И. И.» → «Иванов И.И.»;
 * a single word is returned as is. Turkic «оглы/кызы» particles are dropped.
 */
export function shortPersonName(fullName: string | null | undefined): string {
  const words = str(fullName)
    .split(' ')
    .filter((w) => w && !PATRONYMIC_PARTICLES.has(w.toLowerCase()));
  if (words.length === 0) return '';
  const isInitials = (w: string): boolean => /^([А-ЯЁA-Z]\.(-[А-ЯЁA-Z]\.)?)+$/iu.test(w);
  // Initials written first: «И.И. Иванов», «И. И. Иванов».
  let i = 0;
  while (i < words.length - 1 && isInitials(words[i] ?? '')) i++;
  if (i > 0 && i === words.length - 1) return `${words[i]} ${words.slice(0, i).join('')}`;
  const [surname, ...rest] = words;
  if (rest.length === 0) return surname ?? '';
  const initials = rest
    .map((w) => (isInitials(w) ? w : w.split('-').map((p) => `${p.charAt(0).toUpperCase()}.`).join('-')))
    .join('');
  return `${surname} ${initials}`;
}

/** «101000, г. Москва, ул. Мясницкая, д. 1, оф. 5»; the country is left out for Russia. */
export function formatAddress(addr: BitrixAddress | string | null | undefined): string {
  if (typeof addr === 'string') return str(addr);
  if (!addr || typeof addr !== 'object') return '';
  const country = str(addr.COUNTRY);
  const domestic = !country || /^(россия|российская федерация|russia|russian federation)$/i.test(country) || str(addr.COUNTRY_CODE).toUpperCase() === 'RU';
  const parts = [
    str(addr.POSTAL_CODE),
    domestic ? '' : country,
    str(addr.REGION),
    str(addr.PROVINCE),
    str(addr.CITY),
    str(addr.ADDRESS_1),
    str(addr.ADDRESS_2),
  ].filter(Boolean);
  // Region and city are often the same for federal cities (Москва, Москва).
  return parts.filter((p, i) => parts.indexOf(p) === i).join(', ');
}

/** The best address of a requisite: legal, then registered, actual, mailing, any other. */
export function requisiteAddress(rq: BitrixRequisite): string {
  const raw = rq.RQ_ADDR;
  if (!raw) return '';
  if (typeof raw === 'string') return str(raw);
  const entries: [string, BitrixAddress | string | null][] = Array.isArray(raw)
    ? raw.map((a) => [str(a?.TYPE_ID), a] as [string, BitrixAddress])
    : Object.entries(raw).map(([k, a]) => [str(typeof a === 'object' && a?.TYPE_ID !== undefined ? a.TYPE_ID : k), a]);
  const rank = (type: string): number => {
    const i = ADDRESS_TYPE_ORDER.indexOf(type);
    return i === -1 ? ADDRESS_TYPE_ORDER.length : i;
  };
  const sorted = entries
    .map(([type, a], i) => ({ type, text: formatAddress(a), i }))
    .filter((e) => e.text)
    .sort((a, b) => rank(a.type) - rank(b.type) || a.i - b.i);
  return sorted[0]?.text ?? '';
}

function firstPhone(phone: SellerCompanyInfo['PHONE']): string {
  if (typeof phone === 'string') return str(phone);
  if (!Array.isArray(phone)) return '';
  const values = phone.filter((p) => str(p?.VALUE));
  const work = values.find((p) => str(p.VALUE_TYPE).toUpperCase() === 'WORK');
  return str((work ?? values[0])?.VALUE);
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | '' | undefined): void {
  if (value !== undefined && value !== '') target[key] = value as T[K];
}

function bankFrom(bank: BitrixBankDetail | undefined): BankDetails {
  const details: BankDetails = {
    name: str(bank?.RQ_BANK_NAME),
    bic: digits(bank?.RQ_BIK),
    corrAccount: digits(bank?.RQ_COR_ACC_NUM),
    account: digits(bank?.RQ_ACC_NUM),
  };
  const missing = [
    ['название банка', details.name],
    ['БИК', details.bic],
    ['корр. счёт', details.corrAccount],
    ['расчётный счёт', details.account],
  ]
    .filter(([, v]) => !v)
    .map(([label]) => label);
  if (!bank || missing.length === 4) {
    throw new AppError(
      'SELLER_BANK_DETAILS_MISSING',
      'У вашей компании в Битрикс24 не заполнены банковские реквизиты. Добавьте расчётный счёт в реквизиты компании (CRM → Мои компании) и запустите робот снова.',
    );
  }
  if (missing.length > 0) {
    throw new AppError(
      'SELLER_BANK_DETAILS_INCOMPLETE',
      `В банковских реквизитах вашей компании не заполнено: ${missing.join(', ')}. Дополните реквизиты и запустите робот снова.`,
      { details: { bankDetailId: bank.ID ?? null, missing } },
    );
  }
  return details;
}

/**
 * The seller («Поставщик», «Исполнитель», QR payee). Throws AppError SELLER_REQUISITES_MISSING /
 * SELLER_REQUISITES_INCOMPLETE / SELLER_BANK_DETAILS_MISSING / SELLER_BANK_DETAILS_INCOMPLETE.
 */
export function sellerFromRequisite(
  rq: BitrixRequisite | undefined,
  bank: BitrixBankDetail | undefined,
  company: SellerCompanyInfo = {},
): SellerParty {
  if (!rq) {
    throw new AppError(
      'SELLER_REQUISITES_MISSING',
      'У вашей компании в Битрикс24 нет реквизитов. Заполните реквизиты (CRM → Мои компании) и запустите робот снова.',
    );
  }
  const kind = requisiteKind(rq);
  const name = nameOf(rq, kind) || str(company.TITLE);
  const inn = digits(rq.RQ_INN);
  const missing = [
    ['название', name],
    ['ИНН', inn],
  ]
    .filter(([, v]) => !v)
    .map(([label]) => label);
  if (missing.length > 0) {
    throw new AppError(
      'SELLER_REQUISITES_INCOMPLETE',
      `В реквизитах вашей компании не заполнено: ${missing.join(', ')}. Дополните реквизиты и запустите робот снова.`,
      { details: { requisiteId: rq.ID ?? null, missing } },
    );
  }
  const seller: SellerParty = { name, inn, bank: bankFrom(bank) };
  if (kind === 'company') setIf(seller, 'kpp', digits(rq.RQ_KPP));
  setIf(seller, 'ogrn', kind === 'ip' ? digits(rq.RQ_OGRNIP) || digits(rq.RQ_OGRN) : digits(rq.RQ_OGRN));
  setIf(seller, 'address', str(company.address) || requisiteAddress(rq));
  setIf(seller, 'phone', firstPhone(company.PHONE) || str(rq.RQ_PHONE));
  if (kind === 'ip') {
    // The entrepreneur signs for himself.
    setIf(seller, 'director', shortPersonName(personName(rq)) || shortPersonName(rq.RQ_DIRECTOR));
    seller.directorTitle = 'Индивидуальный предприниматель';
  } else {
    setIf(seller, 'director', shortPersonName(rq.RQ_DIRECTOR) || shortPersonName(rq.RQ_CEO_NAME));
    setIf(seller, 'directorTitle', str(rq.RQ_CEO_WORK_POS));
  }
  setIf(seller, 'accountant', shortPersonName(rq.RQ_ACCOUNTANT));
  return seller;
}

/** The buyer («Покупатель», «Заказчик»). Never throws: without requisites the client card's title is printed. */
export function buyerFromRequisite(rq: BitrixRequisite | undefined, client: BuyerClientInfo): BuyerParty {
  const title = str(client.title);
  if (!rq) {
    const buyer: BuyerParty = { name: title };
    setIf(buyer, 'address', str(client.address));
    return buyer;
  }
  const kind = requisiteKind(rq);
  const buyer: BuyerParty = { name: nameOf(rq, kind) || title };
  setIf(buyer, 'inn', digits(rq.RQ_INN));
  if (kind === 'company') setIf(buyer, 'kpp', digits(rq.RQ_KPP));
  setIf(buyer, 'address', str(client.address) || requisiteAddress(rq));
  if (kind === 'ip') {
    setIf(buyer, 'director', shortPersonName(personName(rq)));
    buyer.directorTitle = 'Индивидуальный предприниматель';
  } else if (kind === 'company') {
    setIf(buyer, 'director', shortPersonName(rq.RQ_DIRECTOR) || shortPersonName(rq.RQ_CEO_NAME));
    setIf(buyer, 'directorTitle', str(rq.RQ_CEO_WORK_POS));
  } else {
    setIf(buyer, 'director', shortPersonName(personName(rq)));
  }
  return buyer;
}

/**
 * The landlord's own companies («Мои компании») as the documents will read them, each requisite checked with the
 * documents' own rules: sellerFromRequisite (what must be filled) and validateSeller (checksums, BIC/account keys).
 * What fails here would stop the invoice robot, so the admin sees it before a manager does.
 */
import { crmCompanyUrl } from '../portalLinks.js';
import type { BitrixClient } from '../../bitrix/client.js';
import type { BitrixBankDetail, BitrixRequisite } from '../../invoicing/bitrixTypes.js';
import { pickBankDetail, sellerFromRequisite, type SellerCompanyInfo } from '../../invoicing/parties.js';
import { validateSeller } from '../../requisites/validate.js';
import { AppError } from '../../errors.js';
import type { WebLang } from '../i18n/index.js';

export interface SellerProblem {
  /** The field of the requisites (`seller.inn`, `seller.bank.bic`) or '' for the requisite as a whole. */
  field: string;
  message: string;
}

export interface SellerRequisiteCheck {
  requisiteId: string;
  name: string;
  inn: string;
  kpp: string;
  bank: string;
  account: string;
  problems: SellerProblem[];
}

export interface SellerCompany {
  id: string;
  title: string;
  /** Where the admin fixes it: the company card in the portal's CRM. */
  url: string;
  requisites: SellerRequisiteCheck[];
  /** The company has no requisites at all (documents cannot be issued for it). */
  problems: SellerProblem[];
}

const MAX_COMPANIES = 20;

type Company = SellerCompanyInfo & { ID?: string | number };

/** Checks one requisite the way an invoice would use it: its first active bank details unless a deal links others. */
export function checkSellerRequisite(rq: BitrixRequisite, banks: readonly BitrixBankDetail[], company: Company, lang: WebLang): SellerRequisiteCheck {
  const bank = pickBankDetail(banks, undefined);
  const base = {
    requisiteId: String(rq.ID ?? ''),
    name: String(rq.RQ_COMPANY_NAME ?? rq.NAME ?? company.TITLE ?? ''),
    inn: String(rq.RQ_INN ?? ''),
    kpp: String(rq.RQ_KPP ?? ''),
    bank: String(bank?.RQ_BANK_NAME ?? ''),
    account: String(bank?.RQ_ACC_NUM ?? ''),
  };
  try {
    const seller = sellerFromRequisite(rq, bank, company);
    const issues = validateSeller(seller);
    return {
      ...base,
      name: seller.name,
      inn: seller.inn,
      kpp: seller.kpp ?? '',
      problems: issues.map((i) => ({ field: i.path, message: lang === 'en' && i.messageEn ? i.messageEn : i.message })),
    };
  } catch (err) {
    if (err instanceof AppError) return { ...base, problems: [{ field: '', message: err.message }] };
    throw err;
  }
}

/** Reads every «my company» with its requisites and bank details (three batched REST calls) and checks them. */
export async function loadSellers(client: BitrixClient, portalOrigin: string, lang: WebLang, noRequisites: string): Promise<SellerCompany[]> {
  const companies = ((await client.call('crm.company.list', {
    filter: { IS_MY_COMPANY: 'Y' },
    order: { ID: 'ASC' },
    select: ['ID', 'TITLE', 'PHONE'],
  })) ?? []) as Company[];
  const mine = companies.slice(0, MAX_COMPANIES);
  if (!mine.length) return [];
  const rqRes = await client.batch(
    Object.fromEntries(
      mine.map((c) => [`c${c.ID}`, { method: 'crm.requisite.list', params: { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: c.ID }, order: { SORT: 'ASC', ID: 'ASC' } } }]),
    ),
  );
  const requisitesOf = (c: Company) =>
    ((rqRes.result[`c${c.ID}`] as BitrixRequisite[] | undefined) ?? []).filter((r) => String(r.ADDRESS_ONLY ?? 'N').toUpperCase() !== 'Y');
  const allRq = mine.flatMap(requisitesOf).slice(0, 50);
  const bankRes = allRq.length
    ? await client.batch(
        Object.fromEntries(
          allRq.map((r) => [`r${r.ID}`, { method: 'crm.requisite.bankdetail.list', params: { filter: { ENTITY_ID: r.ID }, order: { SORT: 'ASC', ID: 'ASC' } } }]),
        ),
      )
    : { result: {} as Record<string, unknown> };
  return mine.map((c) => {
    const rqs = requisitesOf(c);
    return {
      id: String(c.ID ?? ''),
      title: String(c.TITLE ?? ''),
      url: crmCompanyUrl(portalOrigin, String(c.ID ?? '')),
      requisites: rqs.map((r) => checkSellerRequisite(r, (bankRes.result[`r${r.ID}`] as BitrixBankDetail[] | undefined) ?? [], c, lang)),
      problems: rqs.length ? [] : [{ field: '', message: noRequisites }],
    };
  });
}

import type { BitrixClient } from '../bitrix/client.js';
import type { BitrixBankDetail, BitrixProductRow, BitrixRequisite } from '../invoicing/bitrixTypes.js';
import { AppError } from '../errors.js';
import type { SellerCache, SellerSources } from './sellerCache.js';
import { addressesOfOwner, attachAddresses } from './addresses.js';
import { cardEmails, linkedId, personName } from './cards.js';

/** The classic deal fields the billing robots read. */
export interface BitrixDeal {
  ID: string;
  TITLE?: string;
  STAGE_ID?: string;
  CATEGORY_ID?: string;
  COMPANY_ID?: string;
  CONTACT_ID?: string;
  ASSIGNED_BY_ID?: string;
  CURRENCY_ID?: string;
  OPPORTUNITY?: string;
  [uf: string]: unknown;
}

export interface ClientCard {
  kind: 'company' | 'contact';
  id: number;
  title: string;
  emails: string[];
}

export interface DealSources {
  deal: BitrixDeal;
  rows: BitrixProductRow[];
  client: ClientCard | undefined;
  /** The client's requisites: the one linked to the deal first, else the list as Bitrix24 returns it. */
  clientRequisites: BitrixRequisite[];
  linkedClientRequisiteId: string | undefined;
  seller: SellerSources;
  /** The deal's responsible user; undefined when the deal names none or the portal would not say. */
  responsible: { id: number; name: string } | undefined;
}

interface RequisiteLink {
  REQUISITE_ID?: string;
  BANK_DETAIL_ID?: string;
  MC_REQUISITE_ID?: string;
  MC_BANK_DETAIL_ID?: string;
}

/**
 * Everything an invoice or act needs from the portal, in one `batch` request (plus one more for the
 * seller when it is not cached): the platform allows only about 2 requests per second.
 * The client is the deal's company, or its contact for an individual.
 */
export async function loadDealSources(client: BitrixClient, dealId: number, sellers: SellerCache): Promise<DealSources> {
  const ref = (path: string) => `$result[${path}]`;
  const res = await client.batch({
    deal: { method: 'crm.deal.get', params: { id: dealId } },
    rows: { method: 'crm.deal.productrows.get', params: { id: dealId } },
    link: { method: 'crm.requisite.link.get', params: { entityTypeId: 2, entityId: dealId } },
    company: { method: 'crm.company.get', params: { id: ref('deal][COMPANY_ID') } },
    contact: { method: 'crm.contact.get', params: { id: ref('deal][CONTACT_ID') } },
    companyRq: {
      method: 'crm.requisite.list',
      params: { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: ref('deal][COMPANY_ID') }, order: { SORT: 'ASC', ID: 'ASC' } },
    },
    contactRq: {
      method: 'crm.requisite.list',
      params: { filter: { ENTITY_TYPE_ID: 3, ENTITY_ID: ref('deal][CONTACT_ID') }, order: { SORT: 'ASC', ID: 'ASC' } },
    },
    companyAddr: { method: 'crm.address.list', params: addressesOfOwner(4, ref('deal][COMPANY_ID')) },
    contactAddr: { method: 'crm.address.list', params: addressesOfOwner(3, ref('deal][CONTACT_ID')) },
    // Inside the same batch (no extra request): the invoice list filters by who was responsible.
    responsible: { method: 'user.get', params: { FILTER: { ID: ref('deal][ASSIGNED_BY_ID') } } },
  });
  const dealError = res.errors.deal;
  if (dealError || !res.result.deal) {
    throw new AppError('DEAL_NOT_FOUND', `Сделка ${dealId} не найдена или нет доступа: ${dealError?.error_description ?? ''}`.trim(), {
      retryable: false,
    });
  }
  const deal = res.result.deal as BitrixDeal;
  const link = (res.result.link as RequisiteLink | undefined) ?? {};
  const company = linkedId(deal.COMPANY_ID) ? (res.result.company as Record<string, unknown> | undefined) : undefined;
  const contact = linkedId(deal.CONTACT_ID) ? (res.result.contact as Record<string, unknown> | undefined) : undefined;

  let clientCard: ClientCard | undefined;
  let clientRequisites: BitrixRequisite[] = [];
  if (company) {
    clientCard = { kind: 'company', id: Number(company.ID), title: String(company.TITLE ?? ''), emails: cardEmails(company) };
    clientRequisites = attachAddresses((res.result.companyRq as BitrixRequisite[] | undefined) ?? [], res.result.companyAddr);
    // A company without an e-mail: fall back to the deal's contact person.
    if (!clientCard.emails.length && contact) clientCard.emails = cardEmails(contact);
  } else if (contact) {
    clientCard = { kind: 'contact', id: Number(contact.ID), title: personName(contact), emails: cardEmails(contact) };
    clientRequisites = attachAddresses((res.result.contactRq as BitrixRequisite[] | undefined) ?? [], res.result.contactAddr);
  }

  const seller = await sellers.get(client, { requisiteId: linkedId(link.MC_REQUISITE_ID), bankDetailId: linkedId(link.MC_BANK_DETAIL_ID) });
  return {
    deal,
    rows: (res.result.rows as BitrixProductRow[] | undefined) ?? [],
    client: clientCard,
    clientRequisites,
    linkedClientRequisiteId: linkedId(link.REQUISITE_ID),
    seller,
    responsible: responsibleOf(deal, res.result.responsible),
  };
}

/** The deal's responsible user by id and «Имя Фамилия»; a portal refusing user.get leaves just the id. */
function responsibleOf(deal: BitrixDeal, users: unknown): { id: number; name: string } | undefined {
  const id = Number(deal.ASSIGNED_BY_ID);
  if (!Number.isInteger(id) || id <= 0) return undefined;
  const user = Array.isArray(users) ? (users as Array<Record<string, unknown>>).find((u) => Number(u.ID) === id) : undefined;
  return { id, name: (user && personName(user, ['NAME', 'LAST_NAME'])) || `#${id}` };
}

export type { BitrixBankDetail };

import type { BitrixClient } from '../bitrix/client.js';
import type { BitrixBankDetail, BitrixRequisite } from '../invoicing/bitrixTypes.js';
import type { SellerCompanyInfo } from '../invoicing/parties.js';
import { addressesOfOwner, attachAddresses, REQUISITE_ENTITY_TYPE_ID } from './addresses.js';

/** The seller («my company») as read from the portal: requisite, its bank details and the company card. */
export interface SellerSources {
  requisite: BitrixRequisite | undefined;
  bankDetails: BitrixBankDetail[];
  linkedBankDetailId: string | undefined;
  company: SellerCompanyInfo & { ID?: string };
}

interface Entry {
  value: SellerSources;
  expiresAt: number;
}

/**
 * The seller's requisites change rarely but are read for every invoice, so they are cached per
 * portal and requisite for a few minutes. `invalidate()` drops a portal's entries: the robots call it
 * when the cached requisites fail validation, so a fix in the portal is picked up at the next attempt.
 */
export class SellerCache {
  private readonly entries = new Map<string, Entry>();
  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(client: BitrixClient, link: { requisiteId?: string; bankDetailId?: string }): Promise<SellerSources> {
    const key = `${client.memberId}:${link.requisiteId ?? 'default'}`;
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return { ...hit.value, linkedBankDetailId: link.bankDetailId };
    const value = await (link.requisiteId ? loadLinked(client, link.requisiteId) : loadDefault(client));
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    return { ...value, linkedBankDetailId: link.bankDetailId };
  }

  invalidate(memberId: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${memberId}:`)) this.entries.delete(key);
  }
}

/** The requisite selected as «my company» on the deal. */
async function loadLinked(client: BitrixClient, requisiteId: string): Promise<SellerSources> {
  const res = await client.batch({
    rq: { method: 'crm.requisite.get', params: { id: requisiteId } },
    bank: { method: 'crm.requisite.bankdetail.list', params: { filter: { ENTITY_ID: requisiteId }, order: { SORT: 'ASC', ID: 'ASC' } } },
    company: { method: 'crm.company.get', params: { id: '$result[rq][ENTITY_ID]' } },
    addr: { method: 'crm.address.list', params: { filter: { ENTITY_TYPE_ID: REQUISITE_ENTITY_TYPE_ID, ENTITY_ID: requisiteId } } },
  });
  const rq = res.result.rq as BitrixRequisite | undefined;
  return {
    requisite: rq ? attachAddresses([rq], res.result.addr)[0] : undefined,
    bankDetails: (res.result.bank as BitrixBankDetail[] | undefined) ?? [],
    linkedBankDetailId: undefined,
    company: (res.result.company as SellerSources['company'] | undefined) ?? {},
  };
}

/** No «my company» on the deal: the portal's first own company and its first requisite. */
async function loadDefault(client: BitrixClient): Promise<SellerSources> {
  const res = await client.batch({
    my: {
      method: 'crm.company.list',
      params: { filter: { IS_MY_COMPANY: 'Y' }, order: { ID: 'ASC' }, select: ['ID', 'TITLE', 'PHONE'] },
    },
    rq: {
      method: 'crm.requisite.list',
      params: { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: '$result[my][0][ID]' }, order: { SORT: 'ASC', ID: 'ASC' } },
    },
    bank: {
      method: 'crm.requisite.bankdetail.list',
      params: { filter: { ENTITY_ID: '$result[rq][0][ID]' }, order: { SORT: 'ASC', ID: 'ASC' } },
    },
    addr: { method: 'crm.address.list', params: addressesOfOwner(4, '$result[my][0][ID]') },
  });
  const companies = (res.result.my as Array<SellerSources['company']> | undefined) ?? [];
  const requisites = attachAddresses((res.result.rq as BitrixRequisite[] | undefined) ?? [], res.result.addr);
  // The bank details read are those of the first requisite: print that one, never another
  // requisite's INN beside them (the QR would pay a different payee's account).
  return {
    requisite: requisites[0],
    bankDetails: (res.result.bank as BitrixBankDetail[] | undefined) ?? [],
    linkedBankDetailId: undefined,
    company: companies[0] ?? {},
  };
}

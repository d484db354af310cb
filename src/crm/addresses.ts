import type { BitrixAddress, BitrixRequisite } from '../invoicing/bitrixTypes.js';

/**
 * Requisite addresses live in their own entity (crm.address.list, ENTITY_TYPE_ID 8 = requisite), not in
 * the requisite record. Hang each requisite's addresses on it as RQ_ADDR, the shape the invoicing
 * mapping reads (it picks the legal address first). A requisite that already carries RQ_ADDR (older
 * portals) keeps it.
 */
export const REQUISITE_ENTITY_TYPE_ID = 8;

export function attachAddresses(requisites: BitrixRequisite[], addresses: unknown): BitrixRequisite[] {
  const list = Array.isArray(addresses) ? (addresses as Array<BitrixAddress & { ENTITY_ID?: unknown; ENTITY_TYPE_ID?: unknown }>) : [];
  return requisites.map((rq) => {
    if (rq.RQ_ADDR) return rq;
    const own = list.filter((a) => String(a.ENTITY_ID) === String(rq.ID) && String(a.ENTITY_TYPE_ID ?? REQUISITE_ENTITY_TYPE_ID) === '8');
    return own.length ? { ...rq, RQ_ADDR: own } : rq;
  });
}

/** crm.address.list parameters for every address of the requisites owned by a company (4) or contact (3). */
export function addressesOfOwner(ownerTypeId: 3 | 4, ownerId: string | number) {
  return { filter: { ENTITY_TYPE_ID: REQUISITE_ENTITY_TYPE_ID, ANCHOR_TYPE_ID: ownerTypeId, ANCHOR_ID: ownerId } };
}

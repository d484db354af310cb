import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createCrmMethods, createCrmState, seedDemoPortal, type CrmState, type DemoSeed } from '../../src/sandbox/crm/index.js';
import { SandboxRestError, isListPage, type MethodTable } from '../../src/sandbox/types.js';

let state: CrmState;
let seed: DemoSeed;
let methods: MethodTable;

async function call(method: string, params: Record<string, unknown> = {}, userId = 1): Promise<any> {
  const handler = methods[method];
  if (!handler) throw new Error(`no method ${method}`);
  const clock = state.clock;
  return handler(params, { userId, clock, baseUrl: 'http://127.0.0.1:7777', hooks: { dealStageChanged: () => undefined } });
}

async function fail(method: string, params: Record<string, unknown> = {}): Promise<SandboxRestError> {
  try {
    await call(method, params);
  } catch (e) {
    if (e instanceof SandboxRestError) return e;
    throw e;
  }
  throw new Error(`${method} did not fail`);
}

async function rows(method: string, params: Record<string, unknown> = {}): Promise<any[]> {
  const result = await call(method, params);
  if (!isListPage(result)) throw new Error(`${method} did not return a list page`);
  return result.items;
}

// Independent checksum implementations: the seed must carry numbers a validator accepts.
const digits = (s: string) => [...s].map(Number);
function innOk(inn: string): boolean {
  const d = digits(inn);
  const check = (w: number[]) => (w.reduce((s, x, i) => s + x * (d[i] ?? 0), 0) % 11) % 10;
  if (inn.length === 10) return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[9];
  return check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[10] && check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[11];
}
const ogrnOk = (ogrn: string) => Number((BigInt(ogrn.slice(0, 12)) % 11n) % 10n) === Number(ogrn[12]);
const ogrnipOk = (ogrnip: string) => Number((BigInt(ogrnip.slice(0, 14)) % 13n) % 10n) === Number(ogrnip[14]);
function accountOk(bic: string, account: string): boolean {
  const s = digits(bic.slice(-3) + account);
  return s.reduce((sum, x, i) => sum + ((x * [7, 1, 3][i % 3]!) % 10), 0) % 10 === 0;
}
function corrOk(bic: string, corr: string): boolean {
  const s = digits(`0${bic.slice(4, 6)}${corr}`);
  return s.reduce((sum, x, i) => sum + ((x * [7, 1, 3][i % 3]!) % 10), 0) % 10 === 0;
}

beforeEach(() => {
  state = createCrmState(new ManualClock('2026-03-02T09:00:00Z'));
  seed = seedDemoPortal(state);
  methods = createCrmMethods(state);
});

describe('seeded requisites', () => {
  it('pass the checksums a real validator applies', async () => {
    const all = await rows('crm.requisite.list', { select: ['*'] });
    expect(all).toHaveLength(3);
    for (const rq of all) {
      expect(innOk(rq.RQ_INN), rq.RQ_INN).toBe(true);
      if (rq.RQ_OGRN) expect(ogrnOk(rq.RQ_OGRN), rq.RQ_OGRN).toBe(true);
      if (rq.RQ_OGRNIP) expect(ogrnipOk(rq.RQ_OGRNIP), rq.RQ_OGRNIP).toBe(true);
    }
    for (const bd of await rows('crm.requisite.bankdetail.list')) {
      expect(accountOk(bd.RQ_BIK, bd.RQ_ACC_NUM), bd.RQ_ACC_NUM).toBe(true);
      expect(corrOk(bd.RQ_BIK, bd.RQ_COR_ACC_NUM), bd.RQ_COR_ACC_NUM).toBe(true);
    }
  });

  it('are found by owner, with string fields, and the sole trader has a 12-digit INN', async () => {
    const [own] = await rows('crm.requisite.list', { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: seed.myCompany.companyId } });
    expect(own).toMatchObject({
      ID: String(seed.myCompany.requisiteId),
      ENTITY_TYPE_ID: '4',
      PRESET_ID: '1',
      RQ_COMPANY_NAME: 'ООО «Арендодатель»',
      RQ_KPP: '770401001',
    });
    const [ip] = await rows('crm.requisite.list', { filter: { ENTITY_ID: seed.soleTrader.companyId, ENTITY_TYPE_ID: 4 }, select: ['ID', 'RQ_INN', 'PRESET_ID'] });
    expect(ip).toEqual({ ID: String(seed.soleTrader.requisiteId), RQ_INN: '771234567859', PRESET_ID: '2' });
    expect(await rows('crm.requisite.list', { filter: { ENTITY_ID: seed.noRequisites.companyId, ENTITY_TYPE_ID: 4 } })).toEqual([]);
    const [bank] = await rows('crm.requisite.bankdetail.list', { filter: { ENTITY_ID: seed.myCompany.requisiteId } });
    expect(bank).toMatchObject({ RQ_BANK_NAME: 'ПАО СБЕРБАНК', RQ_BIK: '044525225', RQ_ACC_NUM: '40702810138250123017' });
  });

  it('validate the owner on add', async () => {
    const e = await fail('crm.requisite.add', { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: 999, PRESET_ID: 1, NAME: 'x' } });
    expect(e.description).toBe('ENTITY_ID is not defined or invalid.');
    const id = await call('crm.requisite.add', {
      fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: seed.noRequisites.companyId, PRESET_ID: 1, NAME: 'Организация', RQ_INN: '7723456782' },
    });
    expect((await call('crm.requisite.get', { id })).RQ_INN).toBe('7723456782');
  });
});

describe('requisite links', () => {
  it('return the chosen client and own-company requisites', async () => {
    const link = await call('crm.requisite.link.get', { entityTypeId: 2, entityId: seed.deals.tenant });
    expect(link).toEqual({
      ENTITY_TYPE_ID: 2,
      ENTITY_ID: seed.deals.tenant,
      REQUISITE_ID: String(seed.tenant.requisiteId),
      BANK_DETAIL_ID: String(seed.tenant.bankDetailId),
      MC_REQUISITE_ID: String(seed.myCompany.requisiteId),
      MC_BANK_DETAIL_ID: String(seed.myCompany.bankDetailId),
    });
  });

  it('are NOT_FOUND when nothing was chosen, and all "0" when registered empty', async () => {
    const e = await fail('crm.requisite.link.get', { entityTypeId: 2, entityId: seed.deals.soleTrader });
    expect([e.code, e.description]).toEqual(['NOT_FOUND', 'Not found']);
    await call('crm.requisite.link.register', {
      fields: { ENTITY_TYPE_ID: 2, ENTITY_ID: seed.deals.noRequisites, REQUISITE_ID: 0, BANK_DETAIL_ID: 0, MC_REQUISITE_ID: 0, MC_BANK_DETAIL_ID: 0 },
    });
    const empty = await call('crm.requisite.link.get', { entityTypeId: 2, entityId: seed.deals.noRequisites });
    expect([empty.REQUISITE_ID, empty.BANK_DETAIL_ID, empty.MC_REQUISITE_ID, empty.MC_BANK_DETAIL_ID]).toEqual(['0', '0', '0', '0']);
  });

  it('refuse requisites that do not belong to the deal\'s client or to an own company', async () => {
    const base = { ENTITY_TYPE_ID: 2, ENTITY_ID: seed.deals.soleTrader, BANK_DETAIL_ID: 0, MC_REQUISITE_ID: 0, MC_BANK_DETAIL_ID: 0 };
    const foreign = await fail('crm.requisite.link.register', { fields: { ...base, REQUISITE_ID: seed.tenant.requisiteId } });
    expect(foreign.description).toBe(
      `The Requisite with ID '${seed.tenant.requisiteId}' is not assigned to Company with ID '${seed.soleTrader.companyId}'`,
    );
    const bank = await fail('crm.requisite.link.register', {
      fields: { ...base, REQUISITE_ID: seed.soleTrader.requisiteId, BANK_DETAIL_ID: seed.tenant.bankDetailId },
    });
    expect(bank.description).toBe(
      `The BankDetail with ID '${seed.tenant.bankDetailId}' is not assigned to Requisite with ID '${seed.soleTrader.requisiteId}'`,
    );
    const notMine = await fail('crm.requisite.link.register', {
      fields: { ...base, REQUISITE_ID: 0, MC_REQUISITE_ID: seed.tenant.requisiteId },
    });
    expect(notMine.description).toContain('is not assigned to your company');
    expect(state.requisiteLink(2, seed.deals.soleTrader)).toBeUndefined();
  });
});

describe('companies and contacts', () => {
  it('write multifields only when present, and list them only when selected', async () => {
    const contact = await call('crm.contact.get', { id: seed.tenant.contactId });
    expect(contact.EMAIL).toEqual([{ ID: expect.any(String), VALUE_TYPE: 'WORK', VALUE: 'buh@arendator.example', TYPE_ID: 'EMAIL' }]);
    expect(contact).not.toHaveProperty('PHONE');
    const star = await rows('crm.contact.list', { filter: { COMPANY_ID: seed.tenant.companyId }, select: ['*'] });
    expect(star[0]).not.toHaveProperty('EMAIL');
    const withEmail = await rows('crm.contact.list', { filter: { COMPANY_ID: seed.tenant.companyId }, select: ['ID', 'EMAIL'] });
    expect(withEmail[0].EMAIL[0].VALUE).toBe('buh@arendator.example');
    const byEmail = await rows('crm.company.list', { filter: { EMAIL: 'office@arendator.example' }, select: ['ID'] });
    expect(byEmail).toEqual([{ ID: String(seed.tenant.companyId) }]);
  });

  it('add, update and delete e-mails by multifield id', async () => {
    const id = await call('crm.contact.add', { fields: { NAME: 'Новый', EMAIL: [{ VALUE: 'a@b.example', VALUE_TYPE: 'WORK' }] } });
    const fmId = (await call('crm.contact.get', { id })).EMAIL[0].ID;
    await call('crm.contact.update', { id, fields: { EMAIL: [{ ID: fmId, VALUE: 'c@d.example' }, { VALUE: 'e@f.example' }] } });
    expect((await call('crm.contact.get', { id })).EMAIL.map((e: any) => e.VALUE)).toEqual(['c@d.example', 'e@f.example']);
    await call('crm.contact.update', { id, fields: { EMAIL: [{ ID: fmId, VALUE: '' }] } });
    expect((await call('crm.contact.get', { id })).EMAIL.map((e: any) => e.VALUE)).toEqual(['e@f.example']);
  });

  it('mark the own company for crm.item.list isMyCompany filters', async () => {
    const result = await call('crm.item.list', { entityTypeId: 4, filter: { isMyCompany: 'N' }, select: ['id'] });
    expect(result.items.items.map((c: any) => c.id)).toEqual([seed.tenant.companyId, seed.soleTrader.companyId, seed.noRequisites.companyId]);
    const company = await call('crm.company.get', { id: seed.myCompany.companyId });
    expect([company.IS_MY_COMPANY, company.TITLE]).toEqual(['Y', 'ООО «Арендодатель»']);
  });
});

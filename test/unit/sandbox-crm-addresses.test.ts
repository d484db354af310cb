import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createCrmMethods, createCrmState, seedDemoPortal, type CrmState, type DemoSeed } from '../../src/sandbox/crm/index.js';
import { SandboxRestError, isListPage, type ListPage, type MethodTable } from '../../src/sandbox/types.js';

let state: CrmState;
let seed: DemoSeed;
let methods: MethodTable;

async function call(method: string, params: Record<string, unknown> = {}): Promise<any> {
  const handler = methods[method];
  if (!handler) throw new Error(`no method ${method}`);
  return handler(params, { userId: 1, clock: state.clock, baseUrl: 'http://127.0.0.1:7777', hooks: { dealStageChanged: () => undefined } });
}

async function fail(method: string, params: Record<string, unknown> = {}): Promise<string> {
  try {
    await call(method, params);
  } catch (e) {
    if (e instanceof SandboxRestError) return `${e.code}|${e.description}`;
    throw e;
  }
  throw new Error(`${method} did not fail`);
}

async function page(method: string, params: Record<string, unknown> = {}): Promise<ListPage<any>> {
  const result = await call(method, params);
  if (!isListPage(result)) throw new Error(`${method} did not return a list page`);
  return result;
}

const rows = async (method: string, params: Record<string, unknown> = {}) => (await page(method, params)).items;

/** How a Russian address reads on a document: index, region, city, street, office. */
const text = (a: Record<string, string | null>) =>
  [a.POSTAL_CODE, a.REGION, a.PROVINCE, a.CITY, a.ADDRESS_1, a.ADDRESS_2].filter(Boolean).join(', ');

beforeEach(() => {
  state = createCrmState(new ManualClock('2026-03-02T09:00:00Z'));
  seed = seedDemoPortal(state);
  methods = createCrmMethods(state);
});

describe('seeded requisite addresses', () => {
  it('are address records of the requisite, every value a string as the platform writes them', async () => {
    const list = await rows('crm.address.list', { filter: { ENTITY_TYPE_ID: 8, ENTITY_ID: seed.myCompany.requisiteId } });
    expect(list).toEqual([
      {
        TYPE_ID: '6',
        ENTITY_TYPE_ID: '8',
        ENTITY_ID: String(seed.myCompany.requisiteId),
        ADDRESS_1: 'ул. Арбат, д. 1',
        ADDRESS_2: 'офис 10',
        CITY: 'г. Москва',
        POSTAL_CODE: '119019',
        REGION: null,
        PROVINCE: null,
        COUNTRY: 'Россия',
        COUNTRY_CODE: null,
        LOC_ADDR_ID: expect.stringMatching(/^[1-9]\d*$/),
        ANCHOR_TYPE_ID: '4',
        ANCHOR_ID: String(seed.myCompany.companyId),
      },
    ]);
  });

  it('read as before: legal addresses of the companies, the registered address of the ИП', async () => {
    const of = async (companyId: number) => rows('crm.address.list', { filter: { ANCHOR_TYPE_ID: 4, ANCHOR_ID: companyId } });
    expect((await of(seed.myCompany.companyId)).map((a) => [a.TYPE_ID, text(a)])).toEqual([['6', '119019, г. Москва, ул. Арбат, д. 1, офис 10']]);
    expect((await of(seed.tenant.companyId)).map((a) => [a.TYPE_ID, text(a)])).toEqual([
      ['6', '140000, Московская обл., г. Люберцы, ул. Красная, д. 5'],
    ]);
    expect((await of(seed.soleTrader.companyId)).map((a) => [a.TYPE_ID, text(a)])).toEqual([['4', '125009, г. Москва, ул. Тверская, д. 7, кв. 12']]);
    expect(await of(seed.noRequisites.companyId)).toEqual([]);
  });

  it('are not fields of the requisite', async () => {
    expect(await call('crm.requisite.fields')).not.toHaveProperty('RQ_ADDR');
    for (const rq of await rows('crm.requisite.list', { select: ['*'] })) expect(rq).not.toHaveProperty('RQ_ADDR');
    expect(await call('crm.requisite.get', { id: seed.tenant.requisiteId })).not.toHaveProperty('RQ_ADDR');
    // An RQ_ADDR sent to crm.requisite.add is dropped like any unknown field; it creates no address.
    const id = await call('crm.requisite.add', {
      fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: seed.noRequisites.companyId, PRESET_ID: 1, NAME: 'Организация', RQ_ADDR: { 6: { CITY: 'Тула' } } },
    });
    expect(await call('crm.requisite.get', { id })).not.toHaveProperty('RQ_ADDR');
    expect(await rows('crm.address.list', { filter: { ENTITY_ID: id } })).toEqual([]);
  });
});

describe('crm.address.list', () => {
  it('filters with prefixes on any field, orders and selects', async () => {
    await call('crm.address.add', {
      fields: { TYPE_ID: 1, ENTITY_TYPE_ID: 8, ENTITY_ID: seed.tenant.requisiteId, CITY: 'г. Москва', ADDRESS_1: 'ул. Тверская, д. 1' },
    });
    const tenantRq = String(seed.tenant.requisiteId);
    const moscow = await rows('crm.address.list', { filter: { '%CITY': 'москва' }, order: { ENTITY_ID: 'DESC', TYPE_ID: 'ASC' }, select: ['ENTITY_ID', 'TYPE_ID'] });
    // The seed creates the requisites in this order: own company, tenant, sole trader.
    expect(moscow).toEqual([
      { ENTITY_ID: String(seed.soleTrader.requisiteId), TYPE_ID: '4' },
      { ENTITY_ID: tenantRq, TYPE_ID: '1' },
      { ENTITY_ID: String(seed.myCompany.requisiteId), TYPE_ID: '6' },
    ]);
    const tenants = await rows('crm.address.list', { filter: { ANCHOR_ID: seed.tenant.companyId, '!TYPE_ID': 6 }, select: ['ADDRESS_1'] });
    expect(tenants).toEqual([{ ADDRESS_1: 'ул. Тверская, д. 1' }]);
    const some = await rows('crm.address.list', {
      filter: { '@ENTITY_ID': [seed.myCompany.requisiteId, seed.soleTrader.requisiteId], '>=TYPE_ID': '4' },
      order: { TYPE_ID: 'asc' },
      select: ['TYPE_ID'],
    });
    expect(some).toEqual([{ TYPE_ID: '4' }, { TYPE_ID: '6' }]);
  });

  it('pages by 50', async () => {
    for (let i = 0; i < 10; i++) {
      const id = await call('crm.requisite.add', { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: seed.noRequisites.companyId, PRESET_ID: 1, NAME: `Р${i}` } });
      for (const type of [1, 4, 6, 8, 9, 11]) await call('crm.address.add', { fields: { TYPE_ID: type, ENTITY_TYPE_ID: 8, ENTITY_ID: id, CITY: `Город ${i}` } });
    }
    const filter = { ANCHOR_ID: seed.noRequisites.companyId };
    const first = await page('crm.address.list', { filter });
    expect([first.items.length, first.total, first.next]).toEqual([50, 60, 50]);
    const second = await page('crm.address.list', { filter, start: 50 });
    expect([second.items.length, second.next]).toEqual([10, undefined]);
    expect(second.items.every((a) => a.CITY === 'Город 8' || a.CITY === 'Город 9')).toBe(true);
  });
});

describe('crm.address.add/update/delete', () => {
  it('anchors an address to the company or contact that owns the requisite', async () => {
    const rq = await call('crm.requisite.add', { fields: { ENTITY_TYPE_ID: 3, ENTITY_ID: seed.tenant.contactId, PRESET_ID: 3, NAME: 'Физ. лицо' } });
    const added = await call('crm.address.add', {
      fields: { TYPE_ID: '4', ENTITY_TYPE_ID: '8', ENTITY_ID: String(rq), CITY: 'г. Тула', ANCHOR_TYPE_ID: 4, ANCHOR_ID: 1 },
    });
    expect(added).toBe(true);
    const [a] = await rows('crm.address.list', { filter: { ANCHOR_TYPE_ID: 3, ANCHOR_ID: seed.tenant.contactId } });
    expect(a).toMatchObject({ TYPE_ID: '4', ENTITY_ID: String(rq), CITY: 'г. Тула', ANCHOR_TYPE_ID: '3', ANCHOR_ID: String(seed.tenant.contactId) });
  });

  it('keeps one address per type per requisite and refuses bad keys with the platform messages', async () => {
    const base = { ENTITY_TYPE_ID: 8, ENTITY_ID: seed.tenant.requisiteId };
    expect(await fail('crm.address.add', { fields: { ...base, TYPE_ID: 6, CITY: 'г. Тула' } })).toBe('|TypeAddress exists.');
    expect(await fail('crm.address.add', { fields: { ...base } })).toBe('|TYPE_ID is not defined or invalid.');
    expect(await fail('crm.address.add', { fields: { ...base, TYPE_ID: 2 } })).toBe('|TYPE_ID is not defined or invalid.');
    expect(await fail('crm.address.add', { fields: { TYPE_ID: 1, ENTITY_TYPE_ID: 4, ENTITY_ID: seed.tenant.companyId } })).toBe(
      '|ENTITY_TYPE_ID is not defined or invalid.',
    );
    expect(await fail('crm.address.add', { fields: { TYPE_ID: 1, ENTITY_TYPE_ID: 8, ENTITY_ID: 9999 } })).toBe('|ENTITY_ID is not defined or invalid.');
    expect(state.addressesOf(8, seed.tenant.requisiteId).map((a) => [a.TYPE_ID, a.CITY])).toEqual([[6, 'г. Люберцы']]);
    // Another type on the same requisite is fine.
    expect(await call('crm.address.add', { fields: { ...base, TYPE_ID: 1, CITY: 'г. Тула' } })).toBe(true);
    expect(state.addressesOf(8, seed.tenant.requisiteId).map((a) => a.TYPE_ID)).toEqual([6, 1]);
  });

  it('updates the fields given, found by type and requisite', async () => {
    const key = { TYPE_ID: 6, ENTITY_TYPE_ID: 8, ENTITY_ID: seed.tenant.requisiteId };
    expect(await call('crm.address.update', { fields: { ...key, ADDRESS_1: 'ул. Смирновская, д. 2', ADDRESS_2: 'оф. 3', ANCHOR_ID: 1 } })).toBe(true);
    const [a] = await rows('crm.address.list', { filter: key });
    expect(text(a)).toBe('140000, Московская обл., г. Люберцы, ул. Смирновская, д. 2, оф. 3');
    expect(a.ANCHOR_ID).toBe(String(seed.tenant.companyId));
    expect(await fail('crm.address.update', { fields: { ...key, TYPE_ID: 1, CITY: 'x' } })).toBe('|TypeAddress not found.');
  });

  it('deletes one address; a second delete finds nothing', async () => {
    const key = { TYPE_ID: 6, ENTITY_TYPE_ID: 8, ENTITY_ID: seed.tenant.requisiteId };
    expect(await call('crm.address.delete', { fields: key })).toBe(true);
    expect(await rows('crm.address.list', { filter: { ENTITY_ID: seed.tenant.requisiteId } })).toEqual([]);
    expect(await fail('crm.address.delete', { fields: key })).toBe('|TypeAddress not found.');
  });

  it('go with their requisite, and with the company that owns it', async () => {
    await call('crm.requisite.delete', { id: seed.tenant.requisiteId });
    expect(await rows('crm.address.list', { filter: { ANCHOR_ID: seed.tenant.companyId } })).toEqual([]);
    await call('crm.company.delete', { id: seed.soleTrader.companyId });
    expect(await rows('crm.address.list', { filter: { ANCHOR_ID: seed.soleTrader.companyId } })).toEqual([]);
    expect(await rows('crm.address.list', { select: ['ANCHOR_ID'] })).toEqual([{ ANCHOR_ID: String(seed.myCompany.companyId) }]);
  });
});

describe('crm.address.fields and crm.enum.addresstype', () => {
  it('describe the key fields as required and immutable, the anchor as read-only', async () => {
    const fields = await call('crm.address.fields');
    expect(Object.keys(fields)).toEqual([
      'TYPE_ID', 'ENTITY_TYPE_ID', 'ENTITY_ID', 'ADDRESS_1', 'ADDRESS_2', 'CITY', 'POSTAL_CODE', 'REGION', 'PROVINCE',
      'COUNTRY', 'COUNTRY_CODE', 'LOC_ADDR_ID', 'ANCHOR_TYPE_ID', 'ANCHOR_ID',
    ]);
    expect(fields.TYPE_ID).toMatchObject({ type: 'integer', isRequired: true, isImmutable: true, isReadOnly: false });
    expect(fields.ADDRESS_1).toMatchObject({ type: 'string', isRequired: false, isImmutable: false });
    expect(fields.ANCHOR_ID).toMatchObject({ type: 'integer', isReadOnly: true });
    const types = await call('crm.enum.addresstype');
    expect(types.map((t: any) => t.ID).sort((a: number, b: number) => a - b)).toEqual([1, 4, 6, 8, 9, 11]);
  });
});

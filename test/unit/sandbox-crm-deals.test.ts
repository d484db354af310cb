import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createCrmMethods, createCrmState, seedDemoPortal, type CrmState, type DemoSeed } from '../../src/sandbox/crm/index.js';
import { SandboxRestError, isListPage, type MethodContext, type MethodTable } from '../../src/sandbox/types.js';

let clock: ManualClock;
let state: CrmState;
let seed: DemoSeed;
let methods: MethodTable;
let stageEvents: Array<{ ID: string; STAGE_ID: string; CATEGORY_ID: string; previous: string | null }>;

function ctx(userId = 1): MethodContext {
  return {
    userId,
    clock,
    baseUrl: 'http://127.0.0.1:7777',
    hooks: { dealStageChanged: (deal, previous) => stageEvents.push({ ...deal, previous }) },
  };
}

async function call(method: string, params: Record<string, unknown> = {}, userId = 1): Promise<any> {
  const handler = methods[method];
  if (!handler) throw new Error(`no method ${method}`);
  return handler(params, ctx(userId));
}

async function fail(method: string, params: Record<string, unknown> = {}, userId = 1): Promise<SandboxRestError> {
  try {
    await call(method, params, userId);
  } catch (e) {
    if (e instanceof SandboxRestError) return e;
    throw e;
  }
  throw new Error(`${method} did not fail`);
}

async function page(method: string, params: Record<string, unknown> = {}): Promise<{ items: any; total: number; next?: number }> {
  const result = await call(method, params);
  if (!isListPage(result)) throw new Error(`${method} did not return a list page`);
  return result;
}

beforeEach(() => {
  clock = new ManualClock('2026-03-02T09:00:00Z');
  state = createCrmState(clock);
  seed = seedDemoPortal(state);
  methods = createCrmMethods(state);
  stageEvents = [];
});

describe('crm.deal.get / add', () => {
  it('answers with every scalar as a string, dates in portal time', async () => {
    const deal = await call('crm.deal.get', { id: seed.deals.tenant });
    expect(deal).toMatchObject({
      ID: String(seed.deals.tenant),
      CATEGORY_ID: '1',
      STAGE_ID: 'C1:NEW',
      OPPORTUNITY: '25000.00',
      CURRENCY_ID: 'RUB',
      COMPANY_ID: String(seed.tenant.companyId),
      CONTACT_ID: String(seed.tenant.contactId),
      ASSIGNED_BY_ID: '2',
      BEGINDATE: '2026-03-02T00:00:00+03:00',
      DATE_CREATE: '2026-03-02T12:00:00+03:00',
    });
    expect(deal).not.toHaveProperty('CONTACT_IDS');
  });

  it('reports a missing deal and a malformed id the way the platform does', async () => {
    const missing = await fail('crm.deal.get', { id: 999 });
    expect([missing.code, missing.description, missing.httpStatus]).toEqual(['NOT_FOUND', 'Not found', 400]);
    const malformed = await fail('crm.deal.get', { id: 'abc' });
    expect([malformed.code, malformed.description]).toEqual(['', 'ID is not defined or invalid.']);
  });

  it('reads form-encoded strings and puts a new deal in the first stage of its pipeline', async () => {
    const id = await call('crm.deal.add', { fields: { TITLE: 'Аренда', CATEGORY_ID: '1', OPPORTUNITY: '1500.5' } });
    const deal = await call('crm.deal.get', { ID: String(id) });
    expect([deal.STAGE_ID, deal.OPPORTUNITY, deal.CLOSEDATE]).toEqual(['C1:NEW', '1500.50', '2026-03-09T00:00:00+03:00']);
  });

  it('rejects a stage from another pipeline and stores nothing', async () => {
    const e = await fail('crm.deal.add', { fields: { TITLE: 'x', CATEGORY_ID: 1, STAGE_ID: 'WON' } });
    expect(e.code).toBe('ERROR_CORE');
    expect(state.deals.size).toBe(3);
    expect(stageEvents).toEqual([]);
  });
});

describe('crm.deal.list', () => {
  beforeEach(async () => {
    for (let i = 1; i <= 120; i++) {
      await call('crm.deal.add', { fields: { TITLE: `Лот ${i}`, OPPORTUNITY: i * 100, CLOSEDATE: `2026-04-${String((i % 28) + 1).padStart(2, '0')}` } });
    }
  });

  it('pages by 50 with total and next, and has a fast mode without total', async () => {
    const first = await page('crm.deal.list', { select: ['ID'] });
    expect([first.items.length, first.total, first.next]).toEqual([50, 123, 50]);
    const last = await page('crm.deal.list', { select: ['ID'], start: 100 });
    expect([last.items.length, last.next]).toEqual([23, undefined]);
    expect(last.items[22].ID).toBe('123');
    const fast = await page('crm.deal.list', { select: ['ID'], start: -1 });
    expect([fast.items.length, fast.total]).toEqual([50, 0]);
  });

  it('applies prefixed filters on typed values', async () => {
    const big = await page('crm.deal.list', { filter: { '>=OPPORTUNITY': '11500', '!CATEGORY_ID': 1 }, select: ['ID', 'OPPORTUNITY'] });
    expect(big.items.map((d: any) => d.OPPORTUNITY)).toEqual(['11500.00', '11600.00', '11700.00', '11800.00', '11900.00', '12000.00']);
    const some = await page('crm.deal.list', { filter: { '@ID': ['1', '5', 7] }, select: ['ID'] });
    expect(some.items.map((d: any) => d.ID)).toEqual(['1', '5', '7']);
    const like = await page('crm.deal.list', { filter: { '%TITLE': 'ип смирнов' }, select: ['ID'] });
    expect(like.items.map((d: any) => d.ID)).toEqual([String(seed.deals.soleTrader)]);
    const early = await page('crm.deal.list', { filter: { '<=CLOSEDATE': '2026-04-01', '>ID': 3 }, select: ['ID'] });
    expect(early.total).toBe(4);
    const rent = await page('crm.deal.list', { filter: { '=STAGE_ID': 'C1:NEW' }, order: { ID: 'DESC' }, select: ['ID'] });
    expect(rent.items.map((d: any) => d.ID)).toEqual(['3', '2', '1']);
  });

  it('ignores CONTACT_IDS in the filter, as the classic method does', async () => {
    const all = await page('crm.deal.list', { filter: { CONTACT_IDS: [seed.tenant.contactId] }, select: ['ID'] });
    expect(all.total).toBe(123);
  });

  it('selects standard fields with *, user fields only with UF_*', async () => {
    await call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'INVOICE_NUMBER', USER_TYPE_ID: 'string' } });
    const star = await page('crm.deal.list', { select: ['*'], filter: { ID: 1 } });
    expect(star.items[0]).toHaveProperty('STAGE_ID');
    expect(star.items[0]).not.toHaveProperty('UF_CRM_INVOICE_NUMBER');
    const uf = await page('crm.deal.list', { select: ['ID', 'UF_*'], filter: { ID: 1 } });
    expect(Object.keys(uf.items[0]).sort()).toEqual(['ID', 'UF_CRM_INVOICE_NUMBER']);
  });
});

describe('product rows', () => {
  it('derives the prices from PRICE as the final price and recomputes the deal amount', async () => {
    await call('crm.deal.productrows.set', {
      id: 1,
      rows: [
        { PRODUCT_NAME: 'Аренда', PRICE: '25000', QUANTITY: '2', TAX_RATE: '22', TAX_INCLUDED: 'Y', MEASURE_CODE: '362' },
        { PRODUCT_NAME: 'Парковка', PRICE: 899.1, DISCOUNT_TYPE_ID: 2, DISCOUNT_RATE: 10 },
        { PRODUCT_NAME: 'Уборка', PRICE: 1100, DISCOUNT_TYPE_ID: 1, DISCOUNT_SUM: 100, TAX_RATE: 10 },
      ],
    });
    const [rent, parking, cleaning] = await call('crm.deal.productrows.get', { id: 1 });
    expect(rent).toMatchObject({
      OWNER_TYPE: 'D',
      OWNER_ID: '1',
      PRICE: 25000,
      // Kept to 8 decimals, as the documented answers show them (66666.66666667 in crm.item.productrow.add).
      PRICE_EXCLUSIVE: 20491.80327869,
      PRICE_NETTO: 20491.80327869,
      PRICE_BRUTTO: 25000,
      QUANTITY: 2,
      TAX_RATE: 22,
      TAX_INCLUDED: 'Y',
      MEASURE_CODE: 362,
      MEASURE_NAME: 'мес',
    });
    expect(parking).toMatchObject({ PRICE_EXCLUSIVE: 899.1, PRICE_NETTO: 999, DISCOUNT_SUM: 99.9, TAX_RATE: null, TAX_INCLUDED: 'N', MEASURE_NAME: '' });
    expect(cleaning).toMatchObject({ PRICE_EXCLUSIVE: 1000, PRICE_NETTO: 1100, PRICE_BRUTTO: 1210, DISCOUNT_RATE: 9.09 });
    const deal = await call('crm.deal.get', { id: 1 });
    // Tax per row to the kopeck: 50 000 × 22/122 = 9 016.39, plus 1 100 × 10/110 = 100.
    expect([deal.OPPORTUNITY, deal.TAX_VALUE]).toEqual(['51999.10', '9116.39']);
  });

  it('replaces all rows on every set', async () => {
    await call('crm.deal.productrows.set', { id: 1, rows: [{ PRODUCT_NAME: 'a', PRICE: 1 }, { PRODUCT_NAME: 'b', PRICE: 2 }] });
    await call('crm.deal.productrows.set', { id: 1, rows: [{ PRODUCT_NAME: 'c', PRICE: 3 }] });
    const rows = await call('crm.deal.productrows.get', { id: 1 });
    expect(rows.map((r: any) => r.PRODUCT_NAME)).toEqual(['c']);
    expect((await call('crm.deal.get', { id: 1 })).OPPORTUNITY).toBe('3.00');
  });

  it('keeps a manual amount and rejects incomplete discounts without touching the rows', async () => {
    await call('crm.deal.update', { id: 1, fields: { IS_MANUAL_OPPORTUNITY: 'Y', OPPORTUNITY: 30000 } });
    await call('crm.deal.productrows.set', { id: 1, rows: [{ PRODUCT_NAME: 'a', PRICE: 5 }] });
    expect((await call('crm.deal.get', { id: 1 })).OPPORTUNITY).toBe('30000.00');
    const e = await fail('crm.deal.productrows.set', { id: 1, rows: [{ PRODUCT_NAME: 'b', PRICE: 5, DISCOUNT_TYPE_ID: 1 }] });
    expect(e.code).toBe('ERROR_CORE');
    expect(e.description).toContain('DISCOUNT_SUM');
    expect((await call('crm.deal.productrows.get', { id: 1 })).map((r: any) => r.PRODUCT_NAME)).toEqual(['a']);
  });

  it('serves the same rows through crm.item.productrow.* in camelCase', async () => {
    const set = await call('crm.item.productrow.set', {
      ownerType: 'D',
      ownerId: 2,
      productRows: [{ productName: 'Аренда', price: 12200, taxRate: 22, taxIncluded: 'Y', measureCode: 362 }],
    });
    expect(set.productRows[0]).toMatchObject({ ownerId: 2, ownerType: 'D', priceExclusive: 10000, taxName: 'НДС 22%', measureName: 'мес' });
    const listed = await page('crm.item.productrow.list', { filter: { '=ownerType': 'D', '=ownerId': 2 } });
    expect(listed.items.productRows.map((r: any) => r.price)).toEqual([12200]);
    const e = await fail('crm.item.productrow.set', { ownerType: 'D', ownerId: 999, productRows: [] });
    expect(e.code).toBe('OWNER_NOT_FOUND');
  });
});

describe('deal user fields', () => {
  it('prefixes the name, returns the id and exposes the field in fields, list, get and crm.item', async () => {
    const id = await call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'INVOICE_URL', USER_TYPE_ID: 'url', LABEL: 'Ссылка на счёт' } });
    expect(typeof id).toBe('number');
    const [def] = await call('crm.deal.userfield.list', { filter: { FIELD_NAME: 'UF_CRM_INVOICE_URL' } });
    expect(def).toMatchObject({ ID: String(id), FIELD_NAME: 'UF_CRM_INVOICE_URL', USER_TYPE_ID: 'url', EDIT_FORM_LABEL: 'Ссылка на счёт' });
    expect((await call('crm.deal.fields'))['UF_CRM_INVOICE_URL']).toMatchObject({ type: 'url', isDynamic: true });
    await call('crm.deal.update', { id: 1, fields: { UF_CRM_INVOICE_URL: 'http://x/1.pdf', UF_CRM_NOT_DEFINED: 'ignored' } });
    expect((await call('crm.deal.get', { id: 1 })).UF_CRM_INVOICE_URL).toBe('http://x/1.pdf');
    expect(state.deals.get(1)?.UF).toEqual({ UF_CRM_INVOICE_URL: 'http://x/1.pdf' });
    const item = await call('crm.item.get', { entityTypeId: 2, id: 1 });
    expect(item.item.ufCrmInvoiceUrl).toBe('http://x/1.pdf');
  });

  it('enforces the naming rules with the platform messages', async () => {
    const lower = await fail('crm.deal.userfield.add', { fields: { FIELD_NAME: 'invoice', USER_TYPE_ID: 'string' } });
    expect([lower.code, lower.description]).toEqual([
      'ERROR_CORE',
      'Field name contains invalid characters. Allowed characters are: A-Z, 0-9, and _.',
    ]);
    const long = await fail('crm.deal.userfield.add', { fields: { FIELD_NAME: 'X'.repeat(44), USER_TYPE_ID: 'string' } });
    expect(long.description).toBe('Field name is too long (more than 50 characters).');
    expect(await call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'X'.repeat(43), USER_TYPE_ID: 'string' } })).toBeGreaterThan(0);
    await call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'UF_CRM_ACT_NUMBER', USER_TYPE_ID: 'string' } });
    const dup = await fail('crm.deal.userfield.add', { fields: { FIELD_NAME: 'ACT_NUMBER', USER_TYPE_ID: 'string' } });
    expect(dup.code).toBe('ERROR_CORE');
    const noType = await fail('crm.deal.userfield.add', { fields: { FIELD_NAME: 'A' } });
    expect(noType.description).toBe("The 'USER_TYPE_ID' field is not found.");
  });

  it('takes a CRM administrator', async () => {
    const e = await fail('crm.deal.userfield.add', { fields: { FIELD_NAME: 'A', USER_TYPE_ID: 'string' } }, seed.users.manager);
    expect([e.code, e.httpStatus]).toEqual(['ACCESS_DENIED', 403]);
  });

  it('keeps typed values: booleans as 1/0, dates in portal time, multiple values as arrays', async () => {
    await call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'PAID', USER_TYPE_ID: 'boolean' } });
    await call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'DUE', USER_TYPE_ID: 'date' } });
    await call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'LINKS', USER_TYPE_ID: 'string', MULTIPLE: 'Y' } });
    await call('crm.deal.update', { id: 1, fields: { UF_CRM_PAID: 'Y', UF_CRM_DUE: '10.03.2026', UF_CRM_LINKS: ['a', 'b'] } });
    const deal = await call('crm.deal.get', { id: 1 });
    expect([deal.UF_CRM_PAID, deal.UF_CRM_DUE, deal.UF_CRM_LINKS]).toEqual(['1', '2026-03-10T00:00:00+03:00', ['a', 'b']]);
    const paid = await page('crm.deal.list', { filter: { UF_CRM_PAID: 1 }, select: ['ID'] });
    expect(paid.items.map((d: any) => d.ID)).toEqual(['1']);
  });
});

describe('stage-change hook', () => {
  it('fires once per actual change, after the change is stored', async () => {
    const seen: string[] = [];
    const methodsWithProbe = createCrmMethods(state);
    const probeCtx: MethodContext = {
      ...ctx(),
      hooks: { dealStageChanged: (deal) => seen.push(`${deal.ID}:${deal.STAGE_ID}:${state.deals.get(Number(deal.ID))?.STAGE_ID}`) },
    };
    const id = (await methodsWithProbe['crm.deal.add']!({ fields: { CATEGORY_ID: 1 } }, probeCtx)) as number;
    await methodsWithProbe['crm.deal.update']!({ id, fields: { STAGE_ID: 'C1:PREPARATION' } }, probeCtx);
    await methodsWithProbe['crm.deal.update']!({ id, fields: { STAGE_ID: 'C1:PREPARATION', TITLE: 'same stage' } }, probeCtx);
    await methodsWithProbe['crm.deal.update']!({ id, fields: { COMMENTS: 'no stage' } }, probeCtx);
    expect(seen).toEqual([`${id}:C1:NEW:C1:NEW`, `${id}:C1:PREPARATION:C1:PREPARATION`]);
  });

  it('reports the previous stage and the pipeline', async () => {
    await call('crm.deal.update', { id: 1, fields: { STAGE_ID: 'C1:WON' } });
    expect(stageEvents).toEqual([{ ID: '1', STAGE_ID: 'C1:WON', CATEGORY_ID: '1', previous: 'C1:NEW' }]);
    expect((await call('crm.deal.get', { id: 1 })).CLOSED).toBe('Y');
  });

  it('moves pipelines only through crm.item.update, landing in the first stage', async () => {
    await call('crm.deal.update', { id: 1, fields: { CATEGORY_ID: 0 } });
    expect(state.deals.get(1)?.CATEGORY_ID).toBe(1);
    expect(stageEvents).toEqual([]);
    const { item } = await call('crm.item.update', { entityTypeId: 2, id: 1, fields: { categoryId: 0 } });
    expect([item.categoryId, item.stageId]).toEqual([0, 'NEW']);
    expect(stageEvents).toEqual([{ ID: '1', STAGE_ID: 'NEW', CATEGORY_ID: '0', previous: 'C1:NEW' }]);
  });

  it('does not fire when an update with a foreign stage is rejected', async () => {
    const e = await fail('crm.deal.update', { id: 1, fields: { STAGE_ID: 'PREPARATION' } });
    expect(e.code).toBe('ERROR_CORE');
    expect(state.deals.get(1)?.STAGE_ID).toBe('C1:NEW');
    expect(stageEvents).toEqual([]);
  });
});

describe('crm.item.*', () => {
  it('wraps results as {item} and {items} with typed camelCase values', async () => {
    const { item } = await call('crm.item.get', { entityTypeId: 2, id: 1 });
    expect(item).toMatchObject({ id: 1, entityTypeId: 2, categoryId: 1, opportunity: 25000, companyId: seed.tenant.companyId, contactIds: [seed.tenant.contactId] });
    const own = await page('crm.item.list', { entityTypeId: 4, filter: { isMyCompany: 'Y' }, select: ['id', 'title'] });
    expect(own.items.items).toEqual([{ id: seed.myCompany.companyId, title: 'ООО «Арендодатель»', entityTypeId: 4 }]);
    expect(own.total).toBe(1);
    const missing = await fail('crm.item.get', { entityTypeId: 2, id: 404 });
    expect(missing.code).toBe('NOT_FOUND');
    const oldInvoice = await fail('crm.item.list', { entityTypeId: 5 });
    expect(oldInvoice.code).toBe('ENTITY_TYPE_NOT_SUPPORTED');
  });

  it('creates smart invoices linked to a deal, with product rows and a week to pay', async () => {
    const { item } = await call('crm.item.add', {
      entityTypeId: 31,
      fields: { title: 'Счёт за март', companyId: seed.tenant.companyId, parentId2: 1, mycompanyId: seed.myCompany.companyId },
    });
    expect(item).toMatchObject({ stageId: 'DT31_2:N', categoryId: 2, parentId2: 1, begindate: '2026-03-02T00:00:00+03:00', closedate: '2026-03-09T00:00:00+03:00' });
    await call('crm.item.productrow.set', { ownerType: 'SI', ownerId: item.id, productRows: [{ productName: 'Аренда', price: 25000, taxRate: 22, taxIncluded: 'Y' }] });
    const linked = await page('crm.item.list', { entityTypeId: 31, filter: { parentId2: 1 } });
    expect(linked.items.items.map((i: any) => [i.id, i.opportunity])).toEqual([[item.id, 25000]]);
    await call('crm.item.update', { entityTypeId: 31, id: item.id, fields: { stageId: 'DT31_2:P' } });
    expect(state.invoices.get(item.id)?.PREVIOUS_STAGE_ID).toBe('DT31_2:N');
    expect(stageEvents).toEqual([]);
  });
});

describe('pipelines and stages', () => {
  it('lists the rental pipeline and its stages in order', async () => {
    const categories = await page('crm.category.list', { entityTypeId: 2 });
    expect(categories.items.categories.map((c: any) => [c.id, c.name])).toEqual([
      [1, 'Аренда'],
      [0, 'Общая'],
    ]);
    const stages = await page('crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE_1' } });
    expect(stages.items.map((s: any) => `${s.STATUS_ID} ${s.NAME}`)).toEqual([
      'C1:NEW Новая',
      'C1:PREPARATION Выставить счет',
      'C1:PREPAYMENT_INVOICE Счет отправлен',
      'C1:EXECUTING Ожидание оплаты',
      'C1:FINAL_INVOICE Оплачено',
      'C1:1 Акт отправлен',
      'C1:WON Закрыта',
      'C1:LOSE Сделка провалена',
    ]);
    const general = await page('crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE' } });
    expect(general.items[0]).toMatchObject({ STATUS_ID: 'NEW', CATEGORY_ID: null, SORT: '10' });
    const invoice = await page('crm.status.list', { filter: { ENTITY_ID: 'SMART_INVOICE_STAGE_2' } });
    expect(invoice.items.filter((s: any) => s.SEMANTICS === 'S').map((s: any) => s.STATUS_ID)).toEqual(['DT31_2:P']);
  });
});

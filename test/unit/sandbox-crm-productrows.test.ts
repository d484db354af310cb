/**
 * The sandbox's product rows against the platform's documented arithmetic: the worked answers of
 * b24restdocs (api-reference/crm/universal/product-rows/crm-item-productrow-add.md and
 * crm-item-productrow-list.md) and the rules of crm-item-productrow-set.md — price is the final unit
 * price with tax whatever taxIncluded says, the other prices and measureName are computed, and the
 * smart invoice's amount and tax come from the rows unless the amount is manual.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createCrmMethods, createCrmState, seedDemoPortal, type CrmState, type DemoSeed } from '../../src/sandbox/crm/index.js';
import type { MethodContext, MethodTable } from '../../src/sandbox/types.js';

let clock: ManualClock;
let state: CrmState;
let seed: DemoSeed;
let methods: MethodTable;

function ctx(): MethodContext {
  return { userId: 1, clock, baseUrl: 'http://127.0.0.1:7777', hooks: { dealStageChanged: () => {} } };
}

async function call(method: string, params: Record<string, unknown> = {}): Promise<any> {
  const handler = methods[method];
  if (!handler) throw new Error(`no method ${method}`);
  return handler(params, ctx());
}

async function newInvoice(fields: Record<string, unknown> = {}): Promise<number> {
  const { item } = await call('crm.item.add', { entityTypeId: 31, fields: { title: 'Счёт', companyId: seed.tenant.companyId, ...fields } });
  return item.id as number;
}

async function setRows(ownerId: number, productRows: Array<Record<string, unknown>>): Promise<any[]> {
  return (await call('crm.item.productrow.set', { ownerType: 'SI', ownerId, productRows })).productRows;
}

async function invoice(id: number): Promise<{ opportunity: number; taxValue: number; isManualOpportunity: string }> {
  return (await call('crm.item.get', { entityTypeId: 31, id })).item;
}

beforeEach(() => {
  clock = new ManualClock('2026-03-02T09:00:00Z');
  state = createCrmState(clock);
  seed = seedDemoPortal(state);
  methods = createCrmMethods(state);
});

describe('row prices, as the documented answers show them', () => {
  it('20% tax inside a price with a 20% discount (crm.item.productrow.add example)', async () => {
    const id = await newInvoice();
    const { productRow: row } = await call('crm.item.productrow.add', {
      fields: { ownerId: id, ownerType: 'SI', productName: 'iphone 14', price: 80000, quantity: 2, discountTypeId: 2, discountRate: 20, taxRate: 20, taxIncluded: 'Y', measureCode: 796, sort: 10 },
    });
    expect(row).toMatchObject({
      ownerId: id,
      ownerType: 'SI',
      price: 80000,
      priceAccount: 80000,
      priceExclusive: 66666.66666667,
      priceNetto: 83333.33333333,
      priceBrutto: 100000,
      discountSum: 16666.66666667,
      discountRate: 20,
      taxRate: 20,
      taxIncluded: 'Y',
      quantity: 2,
      measureCode: 796,
    });
    // Added to the rows already there; the invoice's amount follows: 160 000, of it tax 26 666.67.
    await call('crm.item.productrow.add', { fields: { ownerId: id, ownerType: 'SI', productName: 'Чехол', price: 1000 } });
    expect((await call('crm.item.productrow.list', { filter: { '=ownerType': 'SI', '=ownerId': id } })).items.productRows).toHaveLength(2);
    expect(await invoice(id)).toMatchObject({ opportunity: 161000, taxValue: 26666.67 });
  });

  it('10% tax inside a price with a 10% discount (crm.item.productrow.list example)', async () => {
    const [row] = await setRows(await newInvoice(), [
      { productName: 'iphone 14', price: 90000, quantity: 3, discountTypeId: 2, discountRate: 10, taxRate: 10, taxIncluded: 'Y' },
    ]);
    expect(row).toMatchObject({ priceExclusive: 81818.18181818, priceNetto: 90909.09090909, priceBrutto: 100000, discountSum: 9090.90909091 });
  });

  it('takes price as tax-inclusive also when taxIncluded is N: 406.6626 with 22% is 333.33 without tax', async () => {
    const [row] = await setRows(await newInvoice(), [{ productName: 'Аренда', price: 406.6626, quantity: 3, taxRate: 22, taxIncluded: 'N' }]);
    expect(row).toMatchObject({ price: 406.6626, priceExclusive: 333.33, priceNetto: 333.33, priceBrutto: 406.6626, taxIncluded: 'N' });
  });

  it('names the unit from measureCode by the portal catalog and ignores a sent measureName and the computed fields', async () => {
    const rows = await setRows(await newInvoice(), [
      { productName: 'Аренда', price: 100, measureCode: 362, measureName: 'штуки', priceExclusive: 1, xmlId: 'mine' },
      { productName: 'Площадь', price: 100, measureCode: 55 },
      { productName: 'Без единицы', price: 100, measureName: 'мес' },
    ]);
    expect(rows.map((r) => [r.measureCode, r.measureName])).toEqual([
      [362, 'мес'],
      [55, 'м²'],
      [0, ''],
    ]);
    expect(rows[0]).toMatchObject({ priceExclusive: 100, xmlId: '' });
  });

  it('labels a row without tax «Без НДС» and keeps taxRate null', async () => {
    const [row] = await setRows(await newInvoice(), [{ productName: 'Парковка', price: 1500 }]);
    expect(row).toMatchObject({ taxRate: null, taxName: 'Без НДС', priceExclusive: 1500 });
  });
});

describe('the smart invoice amount from its rows', () => {
  it('sums each row price × quantity and the tax inside it, each row to the kopeck', async () => {
    const id = await newInvoice({ isManualOpportunity: 'N' });
    await setRows(id, [
      // 3 × 406.6626 = 1 219.9878 → 1 219.99; tax 1 219.9878 × 22/122 = 219.9978 → 220.00
      { productName: 'Аренда', price: 406.6626, quantity: 3, taxRate: 22, taxIncluded: 'N' },
      // 2 × 25 000 with 10% inside: tax 50 000 × 10/110 = 4 545.4545… → 4 545.45
      { productName: 'Склад', price: 25000, quantity: 2, taxRate: 10, taxIncluded: 'Y' },
      // 0.5 × 0.03 = 0.015 → 0.02, half a kopeck rounds up; tax 0.015 × 5/105 → 0.00
      { productName: 'Электроэнергия', price: 0.03, quantity: 0.5, taxRate: 5, taxIncluded: 'Y' },
    ]);
    const item = await invoice(id);
    expect(item.opportunity).toBe(51220.01);
    expect(item.taxValue).toBe(4765.45);
  });

  it('rounds the tax of each row before adding, as the product grid shows it', async () => {
    const id = await newInvoice();
    // Each row's tax is 0.0036 → 0.00; rounded only at the end the two would make 0.01.
    await setRows(id, [
      { productName: 'a', price: 0.02, taxRate: 22, taxIncluded: 'Y' },
      { productName: 'b', price: 0.02, taxRate: 22, taxIncluded: 'Y' },
    ]);
    expect(await invoice(id)).toMatchObject({ opportunity: 0.04, taxValue: 0 });
  });

  it('has no tax for rows without a rate or at 0%', async () => {
    const id = await newInvoice();
    await setRows(id, [
      { productName: 'a', price: 1000 },
      { productName: 'b', price: 500, taxRate: 0, taxIncluded: 'Y' },
    ]);
    expect(await invoice(id)).toMatchObject({ opportunity: 1500, taxValue: 0 });
  });

  it('keeps a manual amount, and an automatic one follows the rows even when an amount is sent', async () => {
    const manual = await newInvoice({ isManualOpportunity: 'Y', opportunity: 500 });
    await setRows(manual, [{ productName: 'a', price: 1000, taxRate: 22, taxIncluded: 'Y' }]);
    expect((await invoice(manual)).opportunity).toBe(500);

    const automatic = await newInvoice();
    await setRows(automatic, [{ productName: 'a', price: 1000, quantity: 2 }]);
    await call('crm.item.update', { entityTypeId: 31, id: automatic, fields: { opportunity: 5 } });
    expect((await invoice(automatic)).opportunity).toBe(2000);
    await setRows(automatic, []);
    expect(await invoice(automatic)).toMatchObject({ opportunity: 0, taxValue: 0 });
  });
});

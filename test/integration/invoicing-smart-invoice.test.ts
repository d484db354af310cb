/**
 * generate_invoice with «Создать счёт в Битрикс24»: for every VAT mode the smart invoice a manager opens
 * in Bitrix24 must show the line sums, VAT and total printed in the invoice PDF the client pays from.
 * The sandbox computes the smart invoice's amount and tax from the rows as the platform documents it
 * (price with tax × quantity), so what is compared is the platform's arithmetic, not our echo.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import type { VatRate } from '../../src/documents/model.js';
import { RENT, flat, pdfAt, runRobot } from './invoicing-kit.js';
import { rest } from './sandbox-test-kit.js';

type Mode = { name: string; rate: VatRate | null; included: boolean };

const MODES: Mode[] = [
  { name: 'no VAT', rate: null, included: true },
  ...([22, 10, 7, 5, 0] as const).map((rate) => ({ name: `VAT ${rate}% included`, rate, included: true })),
  ...([22, 10, 7, 5, 0] as const).map((rate) => ({ name: `VAT ${rate}% on top`, rate, included: false })),
];

/** What the landlord bills, net of VAT when VAT goes on top: awkward prices and a half-kopeck line. */
const GOODS = [
  { name: 'Аренда кладовой', quantity: 3, price: 333.33, measureCode: 796, unit: 'шт' },
  { name: 'Аренда офиса № 301', quantity: 1, price: 25000, measureCode: 362, unit: 'мес' },
  { name: 'Уборка помещений', quantity: 0.5, price: 1234.57, measureCode: 356, unit: 'ч' },
];

/** «1 219,99» → 121999 kopecks. */
const kopecks = (money: string) => Number(money.replace(/[\s\u00a0]/g, '').replace(',', ''));
const MONEY = '(\\d{1,3}(?: \\d{3})*,\\d{2})';

function printedTotals(text: string, mode: Mode) {
  const t = flat(text);
  const grab = (label: string) => {
    const m = new RegExp(`${label} ${MONEY}`).exec(t);
    expect(m, `${label} in the PDF`).not.toBeNull();
    return kopecks(m![1]!);
  };
  const vatLabel = mode.rate === null ? null : mode.included ? `В том числе НДС \\(${mode.rate}%\\):` : `НДС \\(${mode.rate}%\\):`;
  if (vatLabel === null) expect(t).toContain('Без налога (НДС)');
  return { subtotal: grab('Итого:'), vat: vatLabel === null ? 0 : grab(vatLabel), total: grab('Всего к оплате:') };
}

/** The amount printed at the end of a goods line of the PDF table. */
function printedLineAmount(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.includes(name));
  expect(line, `line «${name}» in the PDF`).toBeDefined();
  const amounts = [...line!.matchAll(new RegExp(MONEY, 'g'))].map((m) => m[1]!);
  return kopecks(amounts[amounts.length - 1]!);
}

/** A row's amount the way the smart invoice shows it: unit price × quantity, to the kopeck. */
const rowAmount = (unitPrice: number, quantity: number) => Math.round(Number((unitPrice * quantity).toPrecision(15)) * 100);

describe.each(databaseEngines())('smart invoices on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it.each(MODES.map((m) => [m.name, m] as const))('%s: the smart invoice totals what the PDF says', async (_name, mode) => {
    h = await startHarness(engine);
    await h.install();
    const token = h.sandbox.issueTokens().access_token;
    const call = async (method: string, params: Record<string, unknown>) => {
      const res = await rest(h.sandbox, method, params, token);
      expect(res.status, `${method}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body.result;
    };

    // A manager's deal for the tenant, rows entered as in the deal card: PRICE holds the tax.
    const dealId = Number(
      await call('crm.deal.add', {
        fields: { TITLE: `Аренда — ${mode.name}`, CATEGORY_ID: RENT, STAGE_ID: 'C1:NEW', COMPANY_ID: h.seed.tenant.companyId, CURRENCY_ID: 'RUB' },
      }),
    );
    await call('crm.deal.productrows.set', {
      id: dealId,
      rows: GOODS.map((g, i) => ({
        PRODUCT_NAME: g.name,
        PRICE: mode.rate !== null && !mode.included ? Number((g.price * (1 + mode.rate / 100)).toFixed(4)) : g.price,
        QUANTITY: g.quantity,
        ...(mode.rate === null ? {} : { TAX_RATE: mode.rate, TAX_INCLUDED: mode.included ? 'Y' : 'N' }),
        MEASURE_CODE: g.measureCode,
        SORT: (i + 1) * 10,
      })),
    });

    const { answer } = await runRobot(h, 'generate_invoice', dealId, { create_smart_invoice: 'Y' });
    expect(answer.status, String(answer.error_text)).toBe('ok');
    const smartId = Number(answer.smart_invoice_id);
    expect(smartId).toBeGreaterThan(0);

    const { text } = await pdfAt(String(answer.invoice_url));
    const pdf = printedTotals(text, mode);

    const { item } = await call('crm.item.get', { entityTypeId: 31, id: smartId });
    const { productRows } = await call('crm.item.productrow.list', { filter: { '=ownerType': 'SI', '=ownerId': smartId } });

    // The amount to pay and the VAT on it, as the platform computed them from the rows.
    expect(Math.round(item.opportunity * 100), 'smart invoice total').toBe(pdf.total);
    expect(Math.round(item.taxValue * 100), 'smart invoice VAT').toBe(pdf.vat);
    expect(item.isManualOpportunity).toBe('N');
    expect(item.parentId2).toBe(dealId);

    // Line by line: the same goods, quantities, units, and the amounts of the PDF's table
    // (the PDF prints net amounts when VAT goes on top, the smart invoice's net is priceExclusive).
    expect(productRows.map((r: any) => [r.productName, r.quantity, r.measureName])).toEqual(GOODS.map((g) => [g.name, g.quantity, g.unit]));
    for (const r of productRows) {
      const printed = printedLineAmount(text, r.productName);
      const net = mode.rate !== null && !mode.included;
      expect(rowAmount(net ? r.priceExclusive : r.price, r.quantity), `«${r.productName}» amount`).toBe(printed);
      expect(r.taxRate).toBe(mode.rate);
      expect(r.taxIncluded).toBe(mode.rate !== null && mode.included ? 'Y' : 'N');
    }
    expect(productRows.reduce((s: number, r: any) => s + rowAmount(r.price, r.quantity), 0)).toBe(pdf.total);
    expect(pdf.total).toBe(mode.rate !== null && !mode.included ? pdf.subtotal + pdf.vat : pdf.subtotal);
  }, 30_000);
});

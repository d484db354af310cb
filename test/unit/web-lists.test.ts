import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvAmount, invoiceCsv } from '../../src/web/lists/invoiceCsv.js';
import { pagerWindow, readInvoiceQuery } from '../../src/web/lists/invoiceQuery.js';
import type { InvoiceListRow } from '../../src/storage/invoiceList.js';

const row: InvoiceListRow = {
  id: 7, number: 'АР-2026-15', docKind: 'qr_invoice', date: '2026-12-01', dueDate: '2026-12-06', periodFrom: '2026-12-01', periodTo: '2026-12-31',
  dealId: 3, buyerName: '=HYPERLINK("http://evil")', buyerInn: '5027123457', responsibleId: 2, responsibleName: 'Пётр Петров',
  amountKopecks: 2_500_000, paidKopecks: 5, state: 'overdue', linkVersion: 1,
};

describe('the invoice list for people and for Excel', () => {
  it('writes amounts with a decimal comma and no grouping, so Excel keeps them numbers', () => {
    expect(csvAmount(2_500_000)).toBe('25000,00');
    expect(csvAmount(5)).toBe('0,05');
    expect(csvAmount(-150)).toBe('-1,50');
  });

  it('keeps a client name that looks like a formula as text', () => {
    const csv = invoiceCsv([row], 'ru', () => 'https://x/d/1');
    const [, first] = parse(csv, { bom: true, delimiter: ';' }) as string[][];
    expect(first).toEqual(['АР-2026-15', '01.12.2026', '06.12.2026', '01.12.2026–31.12.2026', `'=HYPERLINK("http://evil")`, '5027123457', 'Пётр Петров', '25000,00', '0,05', 'Просрочен', 'https://x/d/1']);
  });

  it('reads the filter from the query and drops what it cannot read', () => {
    expect(readInvoiceQuery({ from: '2026-11-01', to: '2026-02-30', state: 'overdue', client: 'inn:5027123457', responsible: '3', page: '2' })).toEqual({
      filter: { from: '2026-11-01', state: 'overdue', client: 'inn:5027123457', responsibleId: 3 },
      page: 2,
      params: { from: '2026-11-01', state: 'overdue', client: 'inn:5027123457', responsible: '3' },
    });
    expect(readInvoiceQuery({ state: 'drop table', client: 'x', responsible: '-1', page: '0' })).toEqual({ filter: {}, page: 1, params: {} });
  });

  it('offers the first, the last and two pages either side', () => {
    expect(pagerWindow(1, 1)).toEqual([1]);
    expect(pagerWindow(1, 4)).toEqual([1, 2, 3, 4]);
    expect(pagerWindow(10, 20)).toEqual([1, null, 8, 9, 10, 11, 12, null, 20]);
  });
});

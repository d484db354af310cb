import { describe, expect, it } from 'vitest';
import { billingPreview } from '../../src/leases/preview.js';
import { parseLeaseTerms } from '../../src/leases/terms.js';

const rows = [
  { name: 'Арендная плата за {month} {year} г.', amountKopecks: 3_100_000 },
  { name: 'Парковка ({from}–{to})', amountKopecks: 500_000 },
];

describe('lease billing preview', () => {
  it('lists the coming periods with control dates, texts and per-row amounts', () => {
    const t = parseLeaseTerms({ lease_start: '15.01.2027', lease_end: '10.04.2027', anchor_day: '1', bill_days_before: '3' }, 'Europe/Moscow');
    const preview = billingPreview(t, rows);
    expect(preview.map((p) => [p.controlDate, p.text, p.totalKopecks])).toEqual([
      ['2027-01-12', '15.01.2027–31.01.2027', 1_700_000 + 274_194],
      ['2027-01-29', 'февраль 2027', 3_600_000],
      ['2027-02-26', 'март 2027', 3_600_000],
      ['2027-03-29', '01.04.2027–10.04.2027', 1_033_333 + 166_667],
    ]);
    expect(preview[0]!.rows).toEqual([
      { name: 'Арендная плата за январь 2027 г.', amountKopecks: 1_700_000, fullKopecks: 3_100_000 },
      { name: 'Парковка (15.01.2027–31.01.2027)', amountKopecks: 274_194, fullKopecks: 500_000 },
    ]);
    expect(preview[3]).toMatchObject({ index: 3, from: '2027-04-01', to: '2027-04-10', partial: true });
  });

  it('stops at the count for an open-ended lease and skips periods already past', () => {
    const t = parseLeaseTerms({ lease_start: '01.01.2027', period: 'quarter', indexation_percent: '10', indexation_month: '1' }, 'Europe/Moscow');
    const preview = billingPreview(t, [{ name: 'Аренда за {period}', amountKopecks: 9_000_000 }], { count: 6, fromDay: '2027-05-20' });
    expect(preview.map((p) => `${p.controlDate} ${p.rows[0]!.name} ${p.totalKopecks}`)).toEqual([
      '2027-03-27 Аренда за II квартал 2027 9000000',
      '2027-06-26 Аренда за III квартал 2027 9000000',
      '2027-09-26 Аренда за IV квартал 2027 9000000',
      '2027-12-27 Аренда за I квартал 2028 9900000',
      '2028-03-27 Аренда за II квартал 2028 9900000',
      '2028-06-26 Аренда за III квартал 2028 9900000',
    ]);
    expect(billingPreview(t, rows, { count: 0 })).toEqual([]);
  });
});

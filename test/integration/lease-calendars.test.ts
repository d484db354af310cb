/**
 * Lease calendars end to end against the sandbox portal: the clock walks to the night before each control date (no
 * deal yet) and onto it (exactly that period's deal), then long past the end (nothing more). The expected periods and
 * kopecks are worked out here by hand from the contract, not by the service's own period math.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { runRobot, atMoscow } from './invoicing-kit.js';

interface Expected {
  from: string;
  to: string;
  /** What the period owes, kopecks: the whole-period price × days / days of its full period, half-up. */
  kopecks: number;
}

const day = (iso: string) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
const shift = (iso: string, days: number) => new Date(day(iso) + days * 86_400_000).toISOString().slice(0, 10);
const ddmm = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
/** price × part / whole, rounded half-up to the kopeck. */
const share = (priceKopecks: number, part: number, whole: number) => Math.floor((priceKopecks * part * 2 + whole) / (2 * whole));
const RENT = 2_500_000;

describe.each(databaseEngines())('lease calendars on the sandbox, $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const periodDeals = (contractId: number) =>
    [...h.sandbox.crm.deals.values()].filter((d) => d.UF['UF_CRM_QRB_CONTRACT'] === String(contractId)).sort((a, b) => a.ID - b.ID);

  /** A contract deal whose rent line names its period; start_lease_billing on it must answer ok. */
  async function lease(now: string, props: Record<string, string>): Promise<number> {
    h = await startHarness(engine, { now });
    await h.install();
    const contract = h.seed.deals.tenant!;
    h.sandbox.crm.productRowsOf('D', contract)[0]!.productName = 'Аренда {from}–{to}';
    const started = (await runRobot(h, 'start_lease_billing', contract, props)).answer;
    expect(started.status, String(started.error_text)).toBe('ok');
    return contract;
  }

  /** Walks the control dates: none the night before, exactly this period's deal on the day; none after the end. */
  async function walk(contract: number, billDaysBefore: number, expected: Expected[]): Promise<void> {
    for (const [i, e] of expected.entries()) {
      const control = shift(e.from, -billDaysBefore);
      await atMoscow(h, `${shift(control, -1)}T23:30:00`);
      expect(periodDeals(contract), `before the control date ${control}`).toHaveLength(i);
      await atMoscow(h, `${control}T00:05:00`);
      const deals = periodDeals(contract);
      expect(deals, `on the control date ${control}`).toHaveLength(i + 1);
      const d = deals[i]!;
      expect([d.UF['UF_CRM_QRB_PER_FROM'], d.UF['UF_CRM_QRB_PER_TO']]).toEqual([e.from, e.to]);
      expect(Math.round(Number(d.OPPORTUNITY) * 100), `${e.from}–${e.to}`).toBe(e.kopecks);
      const rows = h.sandbox.crm.productRowsOf('D', d.ID);
      expect(rows.map((r) => r.productName)).toEqual([`Аренда ${ddmm(e.from)}–${ddmm(e.to)}`]);
      expect(Math.round(rows[0]!.price * rows[0]!.quantity * 100)).toBe(e.kopecks);
    }
    await atMoscow(h, `${shift(expected.at(-1)!.to, 60)}T09:00:00`);
    expect(periodDeals(contract).map((d) => d.UF['UF_CRM_QRB_PER_FROM'])).toEqual(expected.map((e) => e.from));
  }

  it('anchored on the 31st: 31 January, 28 February, back to 31 March', async () => {
    const c = await lease('2027-01-10T10:00:00+03:00', { lease_start: '2027-01-31', lease_end: '2027-04-29', bill_days_before: '5' });
    await walk(c, 5, [
      { from: '2027-01-31', to: '2027-02-27', kopecks: RENT },
      { from: '2027-02-28', to: '2027-03-30', kopecks: RENT },
      { from: '2027-03-31', to: '2027-04-29', kopecks: RENT },
    ]);
  });

  it('leap year 2028: anchored on the 31st, February has its 29th', async () => {
    const c = await lease('2028-01-10T10:00:00+03:00', { lease_start: '2028-01-31', lease_end: '2028-03-30', anchor_day: '31', bill_days_before: '3' });
    await walk(c, 3, [
      { from: '2028-01-31', to: '2028-02-28', kopecks: RENT },
      { from: '2028-02-29', to: '2028-03-30', kopecks: RENT },
    ]);
  });

  it('quarterly from mid-February on the 1st: a partial first and last quarter by days', async () => {
    const c = await lease('2027-01-20T10:00:00+03:00', { lease_start: '2027-02-15', lease_end: '2027-09-30', period: 'quarter', anchor_day: '1', bill_days_before: '5' });
    await walk(c, 5, [
      { from: '2027-02-15', to: '2027-02-28', kopecks: share(RENT, 14, 31 + 31 + 28) }, // of 01.12.2026–28.02.2027
      { from: '2027-03-01', to: '2027-05-31', kopecks: RENT },
      { from: '2027-06-01', to: '2027-08-31', kopecks: RENT },
      { from: '2027-09-01', to: '2027-09-30', kopecks: share(RENT, 30, 30 + 31 + 30) }, // of 01.09–30.11.2027
    ]);
  });

  it('weekly, billed 2 days ahead', async () => {
    const c = await lease('2027-01-01T10:00:00+03:00', { lease_start: '2027-01-06', lease_end: '2027-01-26', period: 'week', bill_days_before: '2' });
    await walk(c, 2, [
      { from: '2027-01-06', to: '2027-01-12', kopecks: RENT },
      { from: '2027-01-13', to: '2027-01-19', kopecks: RENT },
      { from: '2027-01-20', to: '2027-01-26', kopecks: RENT },
    ]);
  });

  it('days:10 with a 5-day last period', async () => {
    const c = await lease('2026-12-20T10:00:00+03:00', { lease_start: '2027-01-01', lease_end: '2027-01-25', period: 'days:10', bill_days_before: '1' });
    await walk(c, 1, [
      { from: '2027-01-01', to: '2027-01-10', kopecks: RENT },
      { from: '2027-01-11', to: '2027-01-20', kopecks: RENT },
      { from: '2027-01-21', to: '2027-01-25', kopecks: RENT / 2 },
    ]);
  });

  it('indexation 5 % from March of the second year: quarters from April 2028 cost more', async () => {
    const c = await lease('2026-12-20T10:00:00+03:00', {
      lease_start: '2027-01-01', lease_end: '2028-06-30', period: 'quarter', bill_days_before: '5', indexation_percent: '5', indexation_month: '3',
    });
    const raised = 2_625_000; // 25 000,00 × 1,05
    await walk(c, 5, [
      { from: '2027-01-01', to: '2027-03-31', kopecks: RENT },
      { from: '2027-04-01', to: '2027-06-30', kopecks: RENT },
      { from: '2027-07-01', to: '2027-09-30', kopecks: RENT },
      { from: '2027-10-01', to: '2027-12-31', kopecks: RENT },
      { from: '2028-01-01', to: '2028-03-31', kopecks: RENT }, // starts before 1 March 2028
      { from: '2028-04-01', to: '2028-06-30', kopecks: raised },
    ]);
  });

  it('mid-month start and end on a monthly lease: both ends pro-rated by the days of their month', async () => {
    const c = await lease('2027-01-05T10:00:00+03:00', { lease_start: '2027-01-20', lease_end: '2027-03-10', anchor_day: '1', bill_days_before: '5' });
    await walk(c, 5, [
      { from: '2027-01-20', to: '2027-01-31', kopecks: share(RENT, 12, 31) },
      { from: '2027-02-01', to: '2027-02-28', kopecks: RENT },
      { from: '2027-03-01', to: '2027-03-10', kopecks: share(RENT, 10, 31) },
    ]);
  });

  it('early stop: stop_lease_billing makes the period containing the day the last one, pro-rated', async () => {
    const c = await lease('2027-01-05T10:00:00+03:00', { lease_start: '2027-01-15', bill_days_before: '5' }); // open-ended, anchored on the 15th
    // Stopped the day after it started, as a tenant gives notice (the deals to come change, none exists yet).
    await atMoscow(h, '2027-01-06T10:00:00');
    const stopped = (await runRobot(h, 'stop_lease_billing', c, { stop_after: '2027-02-20' })).answer;
    expect(stopped).toMatchObject({ status: 'ok', last_period_to: '2027-02-20' });
    await walk(c, 5, [
      { from: '2027-01-15', to: '2027-02-14', kopecks: RENT },
      { from: '2027-02-15', to: '2027-02-20', kopecks: share(RENT, 6, 28) }, // of 15.02–14.03
    ]);
  });
});

/**
 * A lease signed once bills itself: start_lease_billing on the contract deal, then on each control date (sandbox
 * clock, maintenance passes as every worker runs them) one deal per period — pro-rated first period, none before
 * its control date, none twice, missed periods after downtime created once each, none after the end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { runRobot, atMoscow } from './invoicing-kit.js';
import { listSchedules } from '../../src/storage/leases.js';

const run = promisify(execFile);

describe.each(databaseEngines())('lease scheduler on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });



  const periodDeals = (contractId: number) =>
    [...h.sandbox.crm.deals.values()].filter((d) => d.UF['UF_CRM_QRB_CONTRACT'] === String(contractId)).sort((a, b) => a.ID - b.ID);

  it('creates one deal per period on its control date, pro-rates the first, catches up after downtime, stops at the end', async () => {
    h = await startHarness(engine, { now: '2026-12-20T10:00:00+03:00' });
    await h.install();
    const contract = h.seed.deals.tenant!;
    const started = (
      await runRobot(h, 'start_lease_billing', contract, {
        lease_start: '2027-01-15', lease_end: '31.03.2027', period: 'month', anchor_day: '1', bill_days_before: '5',
        contract_number: 'А-17', contract_date: '2026-12-15',
      })
    ).answer;
    expect(started).toMatchObject({ status: 'ok', next_control_date: '2027-01-10', next_period_from: '2027-01-15', next_period_to: '2027-01-31', periods_total: '3' });

    // What will be billed, before anything is created.
    const qrbill = (...args: string[]) =>
      run('npx', ['tsx', path.resolve('src/cli.ts'), ...args], {
        env: { ...process.env, DATA_DIR: h.database.dataDir, DATABASE_URL: h.database.databaseUrl ?? '', QRBILL_NOW: h.clock.now().toISOString() },
      });
    const preview = JSON.parse((await qrbill('leases', h.sandbox.memberId, 'preview', String(started.schedule_id), '--count', '5', '--json')).stdout) as Array<Record<string, unknown>>;
    expect(preview.map((p) => [p.control_date, p.from, p.to, p.total])).toEqual([
      ['2027-01-10', '2027-01-15', '2027-01-31', '13709.68'],
      ['2027-01-27', '2027-02-01', '2027-02-28', '25000.00'],
      ['2027-02-24', '2027-03-01', '2027-03-31', '25000.00'],
    ]);
    const listed = JSON.parse((await qrbill('leases', h.sandbox.memberId, '--json')).stdout) as Array<Record<string, unknown>>;
    expect(listed).toEqual([expect.objectContaining({ contract_deal_id: contract, periods_done: 0, periods_total: 3, state: 'active', next: { control_date: '2027-01-10', from: '2027-01-15', to: '2027-01-31' } })]);

    await atMoscow(h, '2027-01-09T23:00:00');
    expect(periodDeals(contract)).toHaveLength(0);
    await atMoscow(h, '2027-01-10T00:05:00');
    const [first] = periodDeals(contract);
    expect(periodDeals(contract)).toHaveLength(1);
    expect(first).toMatchObject({ COMPANY_ID: h.sandbox.crm.deals.get(contract)!.COMPANY_ID, ASSIGNED_BY_ID: h.sandbox.crm.deals.get(contract)!.ASSIGNED_BY_ID, CATEGORY_ID: 1 });
    expect(first!.TITLE).toContain('Аренда офиса 301');
    expect(first!.UF).toMatchObject({ UF_CRM_QRB_PER_FROM: '2027-01-15', UF_CRM_QRB_PER_TO: '2027-01-31', UF_CRM_QRB_BASIS: 'Договор № А-17 от 15.12.2026' });
    expect(Number(first!.OPPORTUNITY)).toBeCloseTo(13709.68, 2); // 17 of 31 days of 25 000,00
    expect(h.sandbox.crm.commentsOf('deal', contract).some((c) => String(c.COMMENT).includes(`/crm/deal/details/${first!.ID}/`))).toBe(true);

    await atMoscow(h, '2027-03-01T09:00:00'); // down since January: February's and March's control dates passed
    const deals = periodDeals(contract);
    expect(deals.map((d) => d.UF['UF_CRM_QRB_PER_FROM'])).toEqual(['2027-01-15', '2027-02-01', '2027-03-01']);
    expect(Number(deals[1]!.OPPORTUNITY)).toBe(25000);
    expect((await listSchedules(h.database.db, h.sandbox.memberId))[0]!.state).toBe('ended');

    await atMoscow(h, '2027-05-01T09:00:00');
    expect(periodDeals(contract)).toHaveLength(3);
  });

  it('stop_lease_billing makes the period containing the stop day the last, pro-rated; a second start updates the schedule', async () => {
    h = await startHarness(engine, { now: '2027-01-20T10:00:00+03:00' });
    await h.install();
    const contract = h.seed.deals.tenant!;
    const props = { lease_start: '2027-02-01', period: 'month', bill_days_before: '5' };
    const first = (await runRobot(h, 'start_lease_billing', contract, props)).answer;
    expect(first).toMatchObject({ status: 'ok', next_period_from: '2027-02-01', periods_total: '' }); // open-ended
    const again = (await runRobot(h, 'start_lease_billing', contract, { ...props, lease_end: '2027-12-31' })).answer;
    expect(again).toMatchObject({ schedule_id: first.schedule_id, periods_total: '11' });
    expect(h.sandbox.crm.commentsOf('deal', contract).some((c) => String(c.COMMENT).startsWith('График выставления обновлён'))).toBe(true);

    await atMoscow(h, '2027-01-27T09:00:00');
    expect(periodDeals(contract)).toHaveLength(1);
    const stopped = (await runRobot(h, 'stop_lease_billing', contract, { stop_after: '2027-03-10' })).answer;
    expect(stopped).toMatchObject({ status: 'ok', last_period_to: '2027-03-10' });
    await atMoscow(h, '2027-02-24T09:00:00');
    const deals = periodDeals(contract);
    expect(deals.map((d) => [d.UF['UF_CRM_QRB_PER_FROM'], d.UF['UF_CRM_QRB_PER_TO']])).toEqual([
      ['2027-02-01', '2027-02-28'],
      ['2027-03-01', '2027-03-10'],
    ]);
    expect(Number(deals[1]!.OPPORTUNITY)).toBeCloseTo(8064.52, 2); // 10 of 31 days of 25 000,00
    await atMoscow(h, '2027-04-01T09:00:00');
    expect(periodDeals(contract)).toHaveLength(2);
    expect((await listSchedules(h.database.db, h.sandbox.memberId))[0]!.state).toBe('stopped');
  });

  it('refuses a contract without lease dates, naming the property', async () => {
    h = await startHarness(engine, { now: '2026-12-20T10:00:00+03:00' });
    await h.install();
    const answer = (await runRobot(h, 'start_lease_billing', h.seed.deals.tenant!, { lease_start: '31.02.2027' })).answer;
    expect(answer.status).toBe('error');
    expect(String(answer.error_text)).toContain('Начало аренды');
  });
});

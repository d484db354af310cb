/**
 * Acceptance: the compiled service (`node dist/cli.js serve`) bills a lease against the fake portal while it is stopped
 * and started again at chosen QRBILL_NOW instants — the night before a control date, on it, after two missed periods,
 * again at the same instant, long after the end. Each period's deal is created exactly once, oldest first, with its
 * dates, rows and amount, and none after the lease end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeBitrix } from './fake-bitrix.js';
import { buildService, freePort, killGroup, sleep, spawnService, waitFor } from './service.js';
import { DEAL_ID, seedRentalDeal } from './seed.js';

describe('lease across restarts of the compiled service (SQLite)', () => {
  let child: ChildProcess | undefined;
  let fake: FakeBitrix | undefined;
  let dataDir: string | undefined;
  beforeAll(() => buildService(), 180_000);
  afterEach(async () => {
    if (child) await killGroup(child);
    await fake?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates each period deal once, oldest first, at whatever instants it runs; none after the end', async () => {
    fake = await FakeBitrix.start();
    seedRentalDeal(fake);
    dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-lease-accept-'));
    const port = await freePort();
    const env = {
      PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`,
      B24_CLIENT_ID: fake.clientId, B24_CLIENT_SECRET: fake.clientSecret, B24_OAUTH_HOSTS: fake.oauthHost,
    };
    /** Stops the running service (SIGKILL: no goodbye) and starts the compiled one at `now` (Moscow wall time). */
    const runAt = async (now: string) => {
      if (child) await killGroup(child);
      child = (await spawnService({ ...env, QRBILL_NOW: `${now}+03:00` }, { compiled: true })).child;
    };
    const periodDeals = () => [...fake!.crm.deals.values()].filter((d) => d.UF_CRM_QRB_CONTRACT === DEAL_ID).sort((a, b) => Number(a.ID) - Number(b.ID));
    const periodsOf = () => periodDeals().map((d) => `${String(d.UF_CRM_QRB_PER_FROM)}..${String(d.UF_CRM_QRB_PER_TO)}`);
    /** Maintenance runs 2 s after start; what it starts is done well within a few more seconds. */
    const settled = async (count: number) => {
      await waitFor(() => periodDeals().length >= count, 20_000);
      await sleep(3_000);
    };

    await runAt('2026-12-20T09:00:00');
    expect((await fake.installViaEvent(`http://127.0.0.1:${port}/bitrix/install`)).status).toBe(200);
    const run = await fake.runRobot('start_lease_billing', DEAL_ID, { lease_start: '2027-01-15', lease_end: '2027-04-30', anchor_day: '1', bill_days_before: '5' });
    expect(run.status, run.body).toBe(200);
    const started = await waitFor(() => fake!.eventSends.find((e) => e.token === run.token), 30_000);
    expect(started?.accepted).toMatchObject({ status: 'ok', next_control_date: '2027-01-10', periods_total: '4' });

    await runAt('2027-01-09T23:50:00'); // the night before January's control date
    await settled(0);
    expect(periodsOf()).toEqual([]);

    await runAt('2027-01-10T08:00:00');
    await settled(1);
    expect(periodsOf()).toEqual(['2027-01-15..2027-01-31']);
    const [jan] = periodDeals();
    expect(jan).toMatchObject({ COMPANY_ID: '7', CONTACT_ID: '15', ASSIGNED_BY_ID: '1', OPPORTUNITY: '17548.94' }); // 17/31 of 25 000,00 (13 709,68) + 17/31 of 2 × 3 500,50 (3 839,26)
    expect(fake.crm.productRows.get(String(jan!.ID))!.map((r) => r.PRODUCT_NAME)).toEqual(['Арендная плата за помещение № 12', 'Возмещение коммунальных услуг']);

    await runAt('2027-02-25T10:00:00'); // down through February's and March's control dates
    await settled(3);
    expect(periodsOf()).toEqual(['2027-01-15..2027-01-31', '2027-02-01..2027-02-28', '2027-03-01..2027-03-31']);
    expect(periodDeals().slice(1).map((d) => d.OPPORTUNITY)).toEqual(['32001.00', '32001.00']);

    await runAt('2027-02-25T10:00:00'); // the same instant again
    await settled(3);
    expect(periodsOf()).toHaveLength(3);

    await runAt('2027-06-01T09:00:00'); // April's control date passed long ago; the lease ended in April
    await settled(4);
    await runAt('2027-09-01T09:00:00');
    await settled(4);
    expect(periodsOf()).toEqual(['2027-01-15..2027-01-31', '2027-02-01..2027-02-28', '2027-03-01..2027-03-31', '2027-04-01..2027-04-30']);
    const contractComments = fake.crm.comments.filter((c) => c.ENTITY_ID === DEAL_ID).map((c) => String(c.COMMENT));
    expect(contractComments.filter((c) => c.startsWith('Создана сделка периода'))).toHaveLength(4);
    expect(contractComments.at(-1)).toContain('аренда по договору заканчивается 30.04.2027');
  }, 240_000);
});

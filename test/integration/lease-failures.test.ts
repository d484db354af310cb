/**
 * A period deal that cannot be created — the client company was deleted, the target pipeline is gone — is never
 * skipped: the responsible manager gets a notification, the service keeps trying with growing pauses, later periods
 * wait behind it, and once the contract is fixed the period's deal is created exactly once, then the rest in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { runRobot, atMoscow } from './invoicing-kit.js';
import { addCategory } from '../../src/sandbox/crm/stages.js';
import { runMaintenance } from '../../src/worker.js';

describe.each(databaseEngines())('lease period deals that cannot be created, on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const periodDeals = (contractId: number) =>
    [...h.sandbox.crm.deals.values()].filter((d) => d.UF['UF_CRM_QRB_CONTRACT'] === String(contractId)).sort((a, b) => a.ID - b.ID);
  const failureNotices = () => h.sandbox.crm.notificationsFor(h.seed.users.manager).filter((n) => n.message.includes('не удалось создать сделку периода'));
  /** Attempts to create the deal, as the portal sees them: each one reads the client first. */
  const clientReads = () => h.sandbox.requests().filter((r) => r.method === 'crm.company.get').length;

  /** Lets the service's worker run on its own for a while (retries wait for their time on the service clock). */
  async function until(what: () => boolean, ms = 8_000): Promise<boolean> {
    for (let t = 0; t < ms; t += 50) {
      if (what()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return what();
  }
  /** A Moscow wall time while a retry is pending (the kit's atMoscow waits for an empty job queue, which never comes). */
  const at = async (wall: string) => {
    h.clock.set(`${wall}+03:00`);
    await runMaintenance(h.server.deps);
  };
  const later = async (minutes: number) => {
    h.clock.set(new Date(h.clock.now().getTime() + minutes * 60_000));
    await runMaintenance(h.server.deps);
  };

  it('client company deleted: the manager is told, retries back off, February waits for January; restored, each period is created once', async () => {
    h = await startHarness(engine, { now: '2026-12-20T10:00:00+03:00' });
    await h.install();
    const contract = h.seed.deals.tenant!;
    const started = (await runRobot(h, 'start_lease_billing', contract, { lease_start: '2027-01-01', lease_end: '2027-03-31', bill_days_before: '5' })).answer;
    expect(started.status).toBe('ok');
    const companyId = h.seed.tenant.companyId;
    const company = h.sandbox.crm.companies.get(companyId)!;
    h.sandbox.crm.companies.delete(companyId); // a manager deletes the client (it goes to the recycle bin)

    await at('2026-12-27T09:00:00'); // January's control date
    expect(periodDeals(contract)).toHaveLength(0);
    expect(await until(() => failureNotices().length === 1)).toBe(true);
    expect(failureNotices()[0]!.message).toMatch(/январь 2027.*компания клиента \(ID \d+\) не найдена/);
    const first = clientReads();

    // Backoff: no new attempt within the first minute, one after it, the next only after two more minutes.
    await later(0.5);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(clientReads()).toBe(first);
    await later(1);
    expect(await until(() => clientReads() === first + 1)).toBe(true);
    await later(1);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(clientReads()).toBe(first + 1);
    await later(1.5);
    expect(await until(() => clientReads() === first + 2)).toBe(true);
    expect(periodDeals(contract)).toHaveLength(0);

    // February's control date passes while January still fails: February is not created ahead of it.
    await at('2027-01-27T09:00:00');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(periodDeals(contract)).toHaveLength(0);
    expect(failureNotices()).toHaveLength(1); // one notice per period (the same tag replaces it), not one per attempt

    h.sandbox.crm.companies.set(companyId, company); // restored from the recycle bin, same id
    await later(61); // the next attempt is at most an hour away
    expect(await until(() => periodDeals(contract).length === 2)).toBe(true);
    expect(periodDeals(contract).map((d) => [d.UF['UF_CRM_QRB_PER_FROM'], d.COMPANY_ID])).toEqual([
      ['2027-01-01', companyId],
      ['2027-02-01', companyId],
    ]);
    await atMoscow(h, '2027-02-24T09:00:00');
    await atMoscow(h, '2027-04-10T09:00:00');
    expect(periodDeals(contract).map((d) => d.UF['UF_CRM_QRB_PER_FROM'])).toEqual(['2027-01-01', '2027-02-01', '2027-03-01']);
  });

  it('target pipeline deleted: the manager is told; start_lease_billing again with another pipeline creates the period once', async () => {
    h = await startHarness(engine, { now: '2026-12-20T10:00:00+03:00' });
    await h.install();
    const contract = h.seed.deals.tenant!;
    const billing = addCategory(h.sandbox.crm, 2, { name: 'Счета аренды' });
    const props = { lease_start: '2027-01-01', lease_end: '2027-02-28', bill_days_before: '5' };
    expect((await runRobot(h, 'start_lease_billing', contract, { ...props, target_category_id: String(billing.id) })).answer.status).toBe('ok');
    h.sandbox.crm.categories.splice(h.sandbox.crm.categories.indexOf(billing), 1); // an admin deletes the pipeline

    await at('2026-12-27T09:00:00');
    expect(await until(() => failureNotices().length === 1)).toBe(true);
    expect(failureNotices()[0]!.message).toContain('январь 2027');
    expect(periodDeals(contract)).toHaveLength(0);

    // The manager points the contract at the rental pipeline: the claimed period's next attempt reads the new target.
    expect((await runRobot(h, 'start_lease_billing', contract, { ...props, target_category_id: '1' })).answer.status).toBe('ok');
    await later(61);
    expect(await until(() => periodDeals(contract).length === 1)).toBe(true);
    expect(periodDeals(contract)[0]).toMatchObject({ CATEGORY_ID: 1, UF: expect.objectContaining({ UF_CRM_QRB_PER_FROM: '2027-01-01' }) });
    await atMoscow(h, '2027-03-10T09:00:00');
    expect(periodDeals(contract).map((d) => d.UF['UF_CRM_QRB_PER_FROM'])).toEqual(['2027-01-01', '2027-02-01']);
  });
});

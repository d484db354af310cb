/**
 * Acceptance: installing the app on a portal played by an independent fake Bitrix24 (docs-only).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDatabase } from '../helpers/databases.js';
import type { RunningServer } from '../../src/server.js';
import { ROBOTS } from '../../src/robots/registry.js';
import { DEAL_USER_FIELDS } from '../../src/crm/dealFields.js';
import { FakeBitrix } from './fake-bitrix.js';
import { sleep, startService, waitFor } from './service.js';
import { DEAL_ID, DEAL_TITLE, seedRentalDeal } from './seed.js';

type Dict = Record<string, unknown>;
const lang = (v: unknown) => v as { ru?: string; en?: string };

describe.each(databaseEngines())('install against a fake Bitrix24 on $name', (engine) => {
  let fake: FakeBitrix;
  let database: TestDatabase;
  let server: RunningServer;

  beforeEach(async () => {
    fake = await FakeBitrix.start();
    database = await engine.open();
    server = await startService(fake, database);
  });
  afterEach(async () => {
    await server?.stop();
    await fake?.close();
    await database?.close();
  });

  it('ONAPPINSTALL registers every robot and the deal fields, and a second install adds nothing', async () => {
    const res = await fake.installViaEvent(`${server.url}/bitrix/install`);
    expect(res.status, await res.text()).toBe(200);

    expect([...fake.robots.keys()].sort()).toEqual(ROBOTS.map((r) => r.code).sort());
    for (const robot of ROBOTS) {
      const reg = fake.robots.get(robot.code) as Dict;
      expect(String(reg.HANDLER).startsWith(`${server.url}/`), `${robot.code} HANDLER ${String(reg.HANDLER)}`).toBe(true);
      expect(reg.USE_SUBSCRIPTION).toBe(robot.useSubscription ? 'Y' : 'N');
      expect(JSON.stringify(reg.FILTER ?? null), `${robot.code} shown on deals only`).toContain('CCrmDocumentDeal');
      for (const key of ['NAME', 'DESCRIPTION']) {
        expect(lang(reg[key]).ru, `${robot.code} ${key}.ru`).toBeTruthy();
        expect(lang(reg[key]).en, `${robot.code} ${key}.en`).toBeTruthy();
      }
      const props = (reg.PROPERTIES ?? {}) as Dict;
      expect(Object.keys(props).sort()).toEqual(Object.keys(robot.properties).sort());
      const ret = reg.RETURN_PROPERTIES as Dict;
      expect(Object.keys(ret)).toEqual(expect.arrayContaining(['status', 'error_text', ...Object.keys(robot.returnProperties)]));
    }
    const expectedFields = DEAL_USER_FIELDS.map((f) => `UF_CRM_${f.fieldName}`).sort();
    expect(fake.crm.userFields.map((f) => f.FIELD_NAME).sort()).toEqual(expectedFields);

    const adds = fake.callsOf('bizproc.robot.add').length;
    const fieldAdds = fake.callsOf('crm.deal.userfield.add').length;
    const again = await fake.installViaEvent(`${server.url}/bitrix/install`);
    expect(again.status, await again.text()).toBe(200);
    expect(fake.callsOf('bizproc.robot.add')).toHaveLength(adds);
    expect(fake.callsOf('crm.deal.userfield.add')).toHaveLength(fieldAdds);
    expect(fake.robots.size).toBe(ROBOTS.length);

    // An app update makes the portal drop all the app's robots (§1.2); installing again brings them back.
    fake.robots.clear();
    const repair = await fake.installViaEvent(`${server.url}/bitrix/install`);
    expect(repair.status, await repair.text()).toBe(200);
    expect([...fake.robots.keys()].sort()).toEqual(ROBOTS.map((r) => r.code).sort());
  });

  it('a frame install that brings APPLICATION_TOKEN can answer robots at once', async () => {
    seedRentalDeal(fake);
    const res = await fake.installViaFrame(`${server.url}/bitrix/install`, { applicationToken: true });
    expect(res.status, await res.text()).toBe(200);
    expect(fake.robots.size).toBe(ROBOTS.length);
    const run = await fake.runRobot('ping', DEAL_ID);
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0]);
    expect(sent?.accepted).toMatchObject({ status: 'ok', deal_title: DEAL_TITLE });
  });

  it('ONAPPUNINSTALL needs the application token; after it robot calls are refused without touching the portal', async () => {
    seedRentalDeal(fake);
    expect((await fake.installViaEvent(`${server.url}/bitrix/install`)).status).toBe(200);
    const payload = fake.robotPayload('ping', DEAL_ID); // built while the robot is still registered

    const forged = await fake.uninstall(`${server.url}/bitrix/events`, { applicationToken: '0'.repeat(32) });
    expect(forged.status).toBe(401);
    const res = await fake.uninstall(`${server.url}/bitrix/events`);
    expect(res.status, await res.text()).toBe(200);

    const before = fake.httpRequests;
    fake.robots.set('ping', { HANDLER: `${server.url}/bitrix/robots/ping` }); // a call already queued at the portal
    const run = await fake.deliver(payload);
    expect(run.status).toBeGreaterThanOrEqual(400);
    await sleep(1000);
    expect(fake.httpRequests - before).toBe(0);
    expect(fake.eventSends).toHaveLength(0);
  });

  it('a frame install without APPLICATION_TOKEN learns it from the ONAPPINSTALL that follows installFinish', async () => {
    await fake.close();
    await server.stop();
    fake = await FakeBitrix.start({ eventMethods: true });
    server = await startService(fake, database);
    seedRentalDeal(fake);

    const res = await fake.installViaFrame(`${server.url}/bitrix/install`);
    expect(res.status, await res.text()).toBe(200);
    expect(fake.robots.size).toBe(ROBOTS.length);
    // The page calls BX24.installFinish(); the portal then fires ONAPPINSTALL (docs sample: no tokens).
    const delivered = await fake.finishInstall();
    expect(delivered.length, 'ONAPPINSTALL handlers bound with event.bind').toBeGreaterThan(0);
    for (const d of delivered) expect(d.status, `ONAPPINSTALL to ${d.handler}: ${d.body}`).toBe(200);

    const run = await fake.runRobot('ping', DEAL_ID);
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0]);
    expect(sent?.accepted).toMatchObject({ status: 'ok', deal_title: DEAL_TITLE });
  });
});

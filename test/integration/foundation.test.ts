/**
 * Issue "Foundation", checked as an admin would: install the app into a portal, drop the ping robot
 * on a stage, move a deal, and see exactly one answer — also with duplicate deliveries, a restart
 * between acceptance and execution, an expired token and a forged call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import qs from 'qs';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { ROBOTS } from '../../src/robots/registry.js';
import { DEAL_USER_FIELDS, ufName } from '../../src/robots/userFields.js';
import { listJobs } from '../../src/jobs/jobsRepo.js';
import { listRobotCalls } from '../../src/storage/robotCalls.js';
import { getPortal } from '../../src/storage/portals.js';
import { createLogger } from '../../src/log.js';
import { answerOrphanedRobotCalls } from '../../src/robots/answerOrphans.js';
import { LEASE_EXPIRED_ERROR } from '../../src/jobs/leases.js';
import { Writable } from 'node:stream';

const RENT = 1;
const STAGE = 'C1:PREPARATION';

describe.each(databaseEngines())('foundation on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const pingOn = (stage = STAGE) =>
    h.sandbox.setStageAutomation(RENT, stage, [
      { type: 'robot', code: 'ping', properties: { message: 'Сделка {=Document:TITLE}' } },
      { type: 'move', toStageId: 'C1:PREPAYMENT_INVOICE', when: { robot: 'ping', returnValue: 'status', equals: 'ok' } },
    ]);
  const answersFor = (token: string) => h.sandbox.eventSends().filter((e) => e.eventToken === token);
  const post = (path: string, body: Record<string, unknown>) =>
    fetch(`${h.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: qs.stringify(body),
    });

  it('installs: every robot registered on PUBLIC_URL with explicit USE_SUBSCRIPTION, deal fields created; reinstall repairs', async () => {
    h = await startHarness(engine);
    await h.install();
    const robots = h.sandbox.robots();
    for (const robot of ROBOTS) {
      const reg = robots.get(robot.code);
      expect(reg, robot.code).toBeDefined();
      expect(reg!.HANDLER).toBe(`${h.url}/bitrix/robots/${robot.code}`);
      expect(reg!.USE_SUBSCRIPTION).toBe(robot.useSubscription ? 'Y' : 'N');
      // The platform upper-cases keys of the registration, language keys included.
      const name = Object.fromEntries(Object.entries(reg!.NAME as object).map(([k, v]) => [k.toLowerCase(), v]));
      expect(name).toEqual({ ru: robot.name.ru, en: robot.name.en });
      expect(Object.keys(reg!.RETURN_PROPERTIES).map((k) => k.toLowerCase())).toEqual(
        expect.arrayContaining(['status', 'error_text']),
      );
    }
    const fieldNames = h.sandbox.crm.userFields.filter((f) => f.ENTITY_ID === 'CRM_DEAL').map((f) => f.FIELD_NAME);
    for (const f of DEAL_USER_FIELDS) expect(fieldNames).toContain(ufName(f.fieldName));

    // An app update deletes the robots on the platform; installing again must bring them back,
    // without duplicating the user fields.
    const client = h.server.deps.bitrix.forPortal(h.sandbox.memberId);
    await client.call('bizproc.robot.delete', { CODE: 'ping' });
    expect(h.sandbox.robots().has('ping')).toBe(false);
    await h.install();
    expect(h.sandbox.robots().has('ping')).toBe(true);
    const again = h.sandbox.crm.userFields.filter((f) => f.ENTITY_ID === 'CRM_DEAL').map((f) => f.FIELD_NAME);
    expect(again.length).toBe(fieldNames.length);
  });

  it('refuses an install whose token the portal does not accept, and a takeover from another domain', async () => {
    h = await startHarness(engine);
    const auth = {
      access_token: 'made-up', refresh_token: 'made-up', expires_in: '3600', domain: h.sandbox.domain,
      member_id: h.sandbox.memberId, application_token: 'evil', client_endpoint: h.sandbox.restUrl,
      server_endpoint: `${h.sandbox.baseUrl}/rest/`, scope: 'crm,bizproc', status: 'L',
    };
    const forged = await post('/bitrix/install', { event: 'ONAPPINSTALL', auth });
    expect(forged.status).toBe(403);
    expect(await getPortal(h.database.db, h.sandbox.memberId)).toBeUndefined();
    await h.install();
    const tokens = h.sandbox.issueTokens(1);
    const takeover = await post('/bitrix/install', {
      event: 'ONAPPINSTALL',
      auth: { ...auth, access_token: tokens.access_token, refresh_token: tokens.refresh_token, domain: 'evil.example.ru' },
    });
    expect(takeover.status).toBe(403);
    expect((await getPortal(h.database.db, h.sandbox.memberId))!.domain).toBe(h.sandbox.domain);
  });

  it('refuses a robot call with a wrong or missing application_token: 401 and nothing enqueued', async () => {
    h = await startHarness(engine);
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, { message: 'x' });
    await h.sandbox.runUntilIdle();
    const before = (await listJobs(h.database.db, { limit: 100 })).length;
    const auth = payload.auth as Record<string, string>;
    const forged = { ...payload, event_token: 'forged|A1|x.y', auth: { ...auth, application_token: 'nope' } };
    expect((await post('/bitrix/robots/ping', forged)).status).toBe(401);
    const { application_token: _drop, ...noToken } = auth;
    expect((await post('/bitrix/robots/ping', { ...forged, auth: noToken })).status).toBe(401);
    expect((await post('/bitrix/robots/ping', { ...forged, auth: { ...auth, member_id: 'someone-else' } })).status).toBe(401);
    expect((await listJobs(h.database.db, { limit: 100 })).length).toBe(before);
    expect(answersFor('forged|A1|x.y')).toHaveLength(0);
  });

  it('answers the ping robot through automation once, with the deal title and portal time, and the deal moves on', async () => {
    h = await startHarness(engine);
    await h.install();
    pingOn();
    const dealId = h.seed.deals.tenant!;
    const started = Date.now();
    await h.sandbox.moveDeal(dealId, STAGE);
    await h.sandbox.runUntilIdle();
    const call = h.sandbox.workflowLog().find((e) => e.type === 'robot_call' && e.dealId === dealId)!;
    expect(call.delivered).toBe(true);
    const answers = answersFor(call.eventToken!);
    expect(answers).toHaveLength(1);
    const title = h.sandbox.crm.deals.get(dealId)!.TITLE;
    expect(answers[0]!.returnValues).toMatchObject({ status: 'ok', error_text: '', deal_title: title, echo: `Сделка ${title}` });
    expect(String(answers[0]!.returnValues.portal_time)).toMatch(/^2026-11-25T\d\d:\d\d:\d\d\+03:00$/);
    expect(h.sandbox.crm.deals.get(dealId)!.STAGE_ID).toBe('C1:PREPAYMENT_INVOICE');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a duplicate delivery of the same call enqueues nothing and is answered once', async () => {
    h = await startHarness(engine);
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, { message: 'dup' });
    const again = await h.sandbox.redeliverRobotCall(payload);
    expect(again.status).toBe(200);
    await h.sandbox.runUntilIdle();
    await h.server.worker!.runDue();
    expect(answersFor(String(payload.event_token))).toHaveLength(1);
    const calls = await listRobotCalls(h.database.db, { limit: 10 });
    expect(calls.filter((c) => c.event_token === payload.event_token)).toHaveLength(1);
  });

  it('a call accepted before a restart is answered exactly once after it', async () => {
    h = await startHarness(engine, { worker: false });
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, {});
    expect(answersFor(String(payload.event_token))).toHaveLength(0);
    await h.restart({ worker: true });
    await h.sandbox.redeliverRobotCall(payload); // the platform would not, but a proxy might
    await h.sandbox.runUntilIdle();
    const answers = answersFor(String(payload.event_token));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.returnValues.status).toBe('ok');
  });

  it('closes a waiting step with status=error when its job died on the final attempt', async () => {
    h = await startHarness(engine, { worker: false });
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, {});
    // What the queue leaves behind when the worker running the last attempt was killed.
    await h.database.db
      .updateTable('jobs')
      .set({ status: 'failed', attempts: 8, last_error: LEASE_EXPIRED_ERROR })
      .where('key', '=', `robot:${String(payload.event_token)}`)
      .execute();
    expect(await answerOrphanedRobotCalls(h.server.deps)).toBe(1);
    expect(await answerOrphanedRobotCalls(h.server.deps)).toBe(0);
    const answers = answersFor(String(payload.event_token));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.returnValues).toMatchObject({ status: 'error' });
    expect(String(answers[0]!.returnValues.error_text)).toContain('Запустите робота повторно');
  });

  it('refreshes an expired access token mid-flow and still answers', async () => {
    h = await startHarness(engine, { worker: false });
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, {});
    // An hour passes before the worker gets to it: our pair and the call's own are both stale.
    h.sandbox.expireAccessTokens();
    await h.restart({ worker: true });
    await h.sandbox.runUntilIdle();
    expect(answersFor(String(payload.event_token))[0]?.returnValues.status).toBe('ok');
    expect(h.sandbox.requests().filter((r) => r.method === 'oauth.token')).toHaveLength(1);
  });

  it('answers invalid robot properties with status=error naming the property', async () => {
    h = await startHarness(engine);
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, { message: 'x'.repeat(600) });
    await h.sandbox.runUntilIdle();
    const [answer] = answersFor(String(payload.event_token));
    expect(answer!.returnValues.status).toBe('error');
    expect(String(answer!.returnValues.error_text)).toContain('message');
  });

  /** The robot call once the worker is done with it (answered or given up). */
  async function settled(eventToken: string) {
    for (let i = 0; i < 100; i++) {
      const call = (await listRobotCalls(h.database.db, { limit: 20 })).find((c) => c.event_token === eventToken);
      if (call && (call.status === 'answered' || call.status === 'failed')) return call;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`robot call ${eventToken} did not settle`);
  }

  /** Another client refreshes with our stored token: ours becomes useless (as after a copy of the database elsewhere). */
  async function killStoredPair() {
    const portal = await getPortal(h.database.db, h.sandbox.memberId);
    const r = await fetch(h.sandbox.oauthTokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: qs.stringify({ grant_type: 'refresh_token', client_id: h.sandbox.clientId, client_secret: h.sandbox.clientSecret, refresh_token: portal!.refresh_token }),
    });
    expect(r.status).toBe(200);
    h.sandbox.expireAccessTokens();
  }

  it('a portal whose tokens died is reported by /readyz, its unanswerable calls are marked failed, and the next call heals it', async () => {
    h = await startHarness(engine);
    await h.install();
    await killStoredPair();
    // A robot run by an agent brings no user tokens: nothing to answer with.
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, {});
    const { access_token: _a, refresh_token: _r, expires: _e, ...agentAuth } = payload.auth as Record<string, string>;
    const agentCall = { ...payload, event_token: `${String(payload.event_token)}-agent`, auth: agentAuth };
    await h.sandbox.runUntilIdle(); // the sandbox's own call was answered with its fresh tokens
    await killStoredPair();
    expect((await post('/bitrix/robots/ping', agentCall)).status).toBe(200);
    const failed = await settled(agentCall.event_token);
    expect(failed.status).toBe('failed');
    expect(failed.error_text).toMatch(/reinstall|переустанов/i);
    const ready = await (await fetch(`${h.url}/readyz`)).json();
    expect(ready.portals.needingAttention).toEqual([
      expect.objectContaining({ memberId: h.sandbox.memberId, status: 'needs_reinstall' }),
    ]);
    // The next robot call carries a fresh pair of the same admin: the portal heals and is answered.
    const healed = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, {});
    await h.sandbox.runUntilIdle();
    expect(answersFor(String(healed.event_token))[0]?.returnValues.status).toBe('ok');
    expect((await getPortal(h.database.db, h.sandbox.memberId))!.status).toBe('active');
  });

  it('never writes a token or secret to the logs, even at trace level', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
    h = await startHarness(engine, { log: createLogger('trace', sink) });
    await h.install();
    h.sandbox.expireAccessTokens(); // forces a refresh: new tokens pass through the client
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, {});
    await h.sandbox.runUntilIdle();
    const portal = await getPortal(h.database.db, h.sandbox.memberId);
    const auth = payload.auth as Record<string, string>;
    const secrets: string[] = [portal!.access_token, portal!.refresh_token, portal!.application_token, auth.access_token!, auth.refresh_token!, h.sandbox.clientSecret];
    const logs = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    for (const s of secrets) {
      expect(s.length).toBeGreaterThan(8);
      expect(logs).not.toContain(s);
    }
  });

  it('uninstall: a forged event is refused; the real one with CLEAN deletes the portal data', async () => {
    h = await startHarness(engine);
    await h.install();
    const forged = await h.sandbox.uninstallApp(`${h.url}/bitrix/events`, { clean: true, applicationToken: 'forged' });
    expect(forged.status).toBe(401);
    expect(await getPortal(h.database.db, h.sandbox.memberId)).toBeDefined();
    const real = await h.sandbox.uninstallApp(`${h.url}/bitrix/events`, { clean: true });
    expect(real.status).toBe(200);
    expect(await getPortal(h.database.db, h.sandbox.memberId)).toBeUndefined();
  });
});

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
import { DEAL_USER_FIELDS, ufName } from '../../src/crm/dealFields.js';
import { listRobotCalls } from '../../src/storage/robotCalls.js';
import { getPortal } from '../../src/storage/portals.js';
import { createLogger } from '../../src/log.js';
import { answerOrphanedRobotCalls } from '../../src/robots/framework/orphans.js';
import { LEASE_EXPIRED_ERROR } from '../../src/jobs/store.js';
import { Writable } from 'node:stream';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorker } from '../../src/worker.js';
import { BitrixClients } from '../../src/bitrix/client.js';
import { silentLogger } from '../../src/log.js';
import { BODY_LIMIT_BYTES } from '../../src/app.js';
import { FakeBitrix } from '../acceptance/fake-bitrix.js';
import { startService } from '../acceptance/service.js';

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
      server_endpoint: h.sandbox.serverEndpoint, scope: 'crm,bizproc', status: 'L',
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
    // Uninstalled with its data kept: still not up for grabs from another domain.
    expect((await h.sandbox.uninstallApp(`${h.url}/bitrix/events`, { clean: false })).status).toBe(200);
    const fresh = h.sandbox.issueTokens(1); // tokens the portal accepts: only the domain gives the takeover away
    const later = await post('/bitrix/install', {
      event: 'ONAPPINSTALL',
      auth: { ...auth, access_token: fresh.access_token, refresh_token: fresh.refresh_token, domain: 'evil.example.ru' },
    });
    expect(later.status).toBe(403);
  });

  it('refuses a robot call with a wrong or missing application_token: 401 and nothing enqueued', async () => {
    h = await startHarness(engine);
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, { message: 'x' });
    await h.sandbox.runUntilIdle();
    const before = (await h.server.deps.jobs.list({ limit: 100 })).length;
    const auth = payload.auth as Record<string, string>;
    const forged = { ...payload, event_token: 'forged|A1|x.y', auth: { ...auth, application_token: 'nope' } };
    expect((await post('/bitrix/robots/ping', forged)).status).toBe(401);
    const { application_token: _drop, ...noToken } = auth;
    expect((await post('/bitrix/robots/ping', { ...forged, auth: noToken })).status).toBe(401);
    expect((await post('/bitrix/robots/ping', { ...forged, auth: { ...auth, member_id: 'someone-else' } })).status).toBe(401);
    expect((await h.server.deps.jobs.list({ limit: 100 })).length).toBe(before);
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
    await createWorker(h.server.deps).runDue();
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
    // Every declared return value is still sent, empty, so conditions on them never read an unset value.
    expect(answer!.returnValues).toMatchObject({ deal_title: '', portal_time: '', echo: '' });
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
    // A public document link is a bearer secret too, and so is the event token that closes a step.
    const linkToken = 'doc-link-token-0123456789abcdef';
    expect((await fetch(`${h.url}/d/${linkToken}`)).status).toBe(404);
    const portal = await getPortal(h.database.db, h.sandbox.memberId);
    const auth = payload.auth as Record<string, string>;
    const eventSecret = String(payload.event_token).split('|').slice(1).join('|');
    const secrets: string[] = [portal!.access_token, portal!.refresh_token, portal!.application_token, auth.access_token!, auth.refresh_token!, h.sandbox.clientSecret, linkToken, eventSecret];
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
  /** A waiting call the service never received (it was down): the step waits for a POST we make ourselves. */
  async function undeliveredCall(code = 'ping', properties: Record<string, string> = {}) {
    await h.server.stop();
    const payload = await h.sandbox.deliverRobotCall(code, h.seed.deals.tenant!, properties);
    await h.restart({ worker: false });
    return payload;
  }
  const runJobs = () => createWorker(h.server.deps).runDue();
  const lastAttemptOnly = (eventToken: string) =>
    h.database.db.updateTable('jobs').set({ max_attempts: 1 }).where('key', '=', `robot:${eventToken}`).execute();

  it('refuses an install that names the real domain but its own REST endpoint (no takeover, no request to it)', async () => {
    h = await startHarness(engine);
    await h.install();
    const before = (await getPortal(h.database.db, h.sandbox.memberId))!;
    let asked = 0;
    const evil = createServer((_req, res) => {
      asked++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: [] }));
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    try {
      const evilRest = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/rest/`;
      const res = await post('/bitrix/install', {
        event: 'ONAPPINSTALL',
        auth: {
          access_token: 'evil-at', refresh_token: 'evil-rt', expires_in: '3600', domain: h.sandbox.domain,
          member_id: h.sandbox.memberId, application_token: 'evil-app-token', client_endpoint: evilRest,
          server_endpoint: h.sandbox.serverEndpoint, scope: 'crm,bizproc', status: 'L',
        },
      });
      expect(res.status).toBe(403);
      expect(asked).toBe(0);
      // Naming its own OAuth server (where our client_secret would go with every renewal) is refused outright.
      const evilOAuth = await post('/bitrix/install', {
        event: 'ONAPPINSTALL',
        auth: {
          access_token: 'evil-at', refresh_token: 'evil-rt', expires_in: '3600', domain: 'new.bitrix24.ru',
          member_id: 'another-portal', application_token: 'evil-app-token', client_endpoint: evilRest,
          server_endpoint: evilRest, scope: 'crm,bizproc', status: 'L',
        },
      });
      expect(evilOAuth.status).toBe(400);
      expect(await evilOAuth.json()).toMatchObject({ error: 'INSTALL_PAYLOAD_INVALID' });
      expect(asked).toBe(0);
      const after = (await getPortal(h.database.db, h.sandbox.memberId))!;
      expect(after).toMatchObject({ client_endpoint: before.client_endpoint, application_token: before.application_token, access_token: before.access_token });
      // A malformed endpoint is refused as a bad request, before anything is contacted.
      const bad = await post('/bitrix/install', {
        auth: { access_token: 'at', refresh_token: 'rt', member_id: 'new-portal', domain: 'x.bitrix24.ru', client_endpoint: 'file:///etc/passwd' },
      });
      expect(bad.status).toBe(400);
    } finally {
      await new Promise((r) => evil.close(r));
    }
  });

  it('an anonymous install cannot tell a closed port from a web page: both get the same answer', async () => {
    h = await startHarness(engine);
    const web = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not here</h1>'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    try {
      const probe = async (host: string) => {
        const res = await post('/bitrix/install', {
          auth: { access_token: 'at', refresh_token: 'rt', member_id: `probe-${host}`, domain: host, client_endpoint: `http://${host}/rest/` },
        });
        const body = (await res.json()) as { error: string; message: string };
        return { status: res.status, error: body.error, message: body.message.replace(host, 'HOST') };
      };
      const page = await probe(`127.0.0.1:${(web.address() as AddressInfo).port}`);
      const nothing = await probe(`127.0.0.1:${closedPort}`);
      expect(page).toEqual(nothing);
      expect(page.status).toBe(502);
    } finally {
      await new Promise((r) => web.close(r));
    }
  });

  it('/readyz lists a portal installed through the frame whose application token has not arrived yet', async () => {
    h = await startHarness(engine);
    const t = h.sandbox.issueTokens(1);
    const host = new URL(h.sandbox.baseUrl).host;
    const res = await fetch(`${h.url}/bitrix/install?${qs.stringify({ DOMAIN: host, PROTOCOL: '0', LANG: 'ru' })}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: qs.stringify({ AUTH_ID: t.access_token, REFRESH_ID: t.refresh_token, AUTH_EXPIRES: '3600', member_id: h.sandbox.memberId }),
    });
    expect(res.status, await res.text()).toBe(200);
    const ready = await (await fetch(`${h.url}/readyz`)).json();
    expect(ready.portals.needingAttention).toEqual([
      expect.objectContaining({ memberId: h.sandbox.memberId, reason: expect.stringContaining('application token') }),
    ]);
  });

  it('a call with a malformed document is acknowledged and answered with status=error, not left waiting', async () => {
    h = await startHarness(engine);
    await h.install();
    const payload = await undeliveredCall();
    const res = await post('/bitrix/robots/ping', { ...payload, document_id: ['crm', 'CCrmDocumentDeal', 'garbage'] });
    expect(res.status).toBe(200);
    await runJobs();
    const [answer] = answersFor(String(payload.event_token));
    expect(answer?.returnValues.status).toBe('error');
    expect(String(answer?.returnValues.error_text)).toContain('garbage');
  });

  it('a call for a robot this version does not know is answered with status=error once retrying cannot help', async () => {
    h = await startHarness(engine);
    await h.install();
    const payload = await undeliveredCall();
    const retired = { ...payload, code: 'retired_robot' };
    expect((await post('/bitrix/robots/retired_robot', { ...retired, auth: { ...(payload.auth as object), application_token: 'nope' } })).status).toBe(401);
    expect((await post('/bitrix/robots/retired_robot', retired)).status).toBe(200);
    // Not on the first attempt: a newer instance sharing the queue may know the robot.
    await runJobs();
    expect(answersFor(String(payload.event_token))).toHaveLength(0);
    await lastAttemptOnly(String(payload.event_token));
    await h.database.db.updateTable('jobs').set({ run_at: h.clock.now().toISOString() }).where('key', '=', `robot:${String(payload.event_token)}`).execute();
    await runJobs();
    const answers = answersFor(String(payload.event_token));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.returnValues.status).toBe('error');
    expect(String(answers[0]!.returnValues.error_text)).toMatch(/retired_robot.*Переустановите/);
  });

  it('an answer that could not be sent before the job gave up is sent later with the run\'s own values, without running again', async () => {
    h = await startHarness(engine, { worker: false });
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, { message: 'later' });
    const token = String(payload.event_token);
    await lastAttemptOnly(token);
    // No in-call retries, so the portal's failure reaches the job at once.
    h.server.deps.bitrix = new BitrixClients({
      db: h.database.db,
      oauth: { clientId: h.sandbox.clientId, clientSecret: h.sandbox.clientSecret, hosts: { extraHosts: [h.sandbox.oauthHost] } },
      log: silentLogger(),
      clock: h.clock,
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    h.sandbox.setFaults({ rate500: 1, only: ['bizproc.event.send'] });
    await runJobs();
    expect(answersFor(token)).toHaveLength(0);
    const [call] = (await listRobotCalls(h.database.db, { limit: 5 })).filter((c) => c.event_token === token);
    expect(call!.status).toBe('failed');

    h.sandbox.setFaults({});
    expect(await answerOrphanedRobotCalls(h.server.deps)).toBe(1);
    await runJobs();
    const answers = answersFor(token);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.returnValues).toMatchObject({ status: 'ok', echo: 'later', deal_title: h.sandbox.crm.deals.get(h.seed.deals.tenant!)!.TITLE });
    expect(h.sandbox.requests().filter((r) => r.method === 'crm.deal.get' && !r.inBatch)).toHaveLength(1);
    const [answered] = (await listRobotCalls(h.database.db, { limit: 5 })).filter((c) => c.event_token === token);
    expect(answered!.status).toBe('answered');
    expect(await answerOrphanedRobotCalls(h.server.deps)).toBe(0);
  });

  it('validates input at the edge: oversized, malformed and non-string bodies are refused and nothing is recorded', async () => {
    h = await startHarness(engine, { worker: false });
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, {});
    const auth = payload.auth as Record<string, string>;
    const count = async () => (await listRobotCalls(h.database.db, { limit: 100 })).length;
    const before = await count();
    const raw = (body: string, type = 'application/x-www-form-urlencoded') =>
      fetch(`${h.url}/bitrix/robots/ping`, { method: 'POST', headers: { 'content-type': type }, body });

    const huge = await raw(`event_token=x&properties[message]=${'a'.repeat(BODY_LIMIT_BYTES)}`);
    expect(huge.status).toBe(413);
    expect((await raw('auth[member_id][]=x&auth[application_token]=y&event_token=t')).status).toBe(401);
    expect((await raw('auth=%%%&&[]=&auth[[[=1')).status).toBe(401);
    expect((await raw(JSON.stringify({ auth: { member_id: 42, application_token: true }, event_token: 't' }), 'application/json')).status).toBe(401);
    expect((await raw('{not json', 'application/json')).status).toBe(400);
    // Authenticated, but nothing a step could be answered with.
    expect((await post('/bitrix/robots/ping', { ...payload, event_token: ['a', 'b'] })).status).toBe(400);
    expect((await post('/bitrix/robots/ping', { ...payload, event_token: 'x'.repeat(5000) })).status).toBe(400);
    expect((await post('/bitrix/robots/ping', { ...payload, auth: { ...auth, user_id: '99999999999999' }, event_token: 'big-user|A|1.2' })).status).toBe(200);
    expect(await count()).toBe(before + 1);
  });

  it('a failure inside a handler answers 500 without internals', async () => {
    h = await startHarness(engine, { worker: false });
    await h.install();
    const payload = await h.sandbox.deliverRobotCall('ping', h.seed.deals.tenant!, {});
    await h.database.db.schema.dropTable('job_effects').execute();
    await h.database.db.schema.dropTable('jobs').execute();
    const res = await post('/bitrix/robots/ping', { ...payload, event_token: 'another|A|1.2' });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'INTERNAL_ERROR', message: expect.any(String) });
    expect(text).not.toMatch(/jobs|table|relation|sql|insert/i);
  });
});

describe.each(databaseEngines())('install on a portal with many deal fields ($name)', (engine) => {
  it('finds its fields beyond the first page of 50 and installs again without re-adding them', async () => {
    const fake = await FakeBitrix.start();
    const database = await engine.open();
    const server = await startService(fake, database);
    try {
      for (let i = 1; i <= 60; i++) {
        fake.crm.userFields.push({ ID: String(1000 + i), ENTITY_ID: 'CRM_DEAL', FIELD_NAME: `UF_CRM_OTHER_${i}`, USER_TYPE_ID: 'string' });
      }
      const first = await fake.installViaEvent(`${server.url}/bitrix/install`);
      expect(first.status, await first.text()).toBe(200);
      const adds = fake.callsOf('crm.deal.userfield.add').length;
      expect(adds).toBe(DEAL_USER_FIELDS.length);
      const again = await fake.installViaEvent(`${server.url}/bitrix/install`);
      expect(again.status, await again.text()).toBe(200);
      expect(fake.callsOf('crm.deal.userfield.add')).toHaveLength(adds);
    } finally {
      await server.stop();
      await fake.close();
      await database.close();
    }
  });
});

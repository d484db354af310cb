/**
 * Acceptance: a robot call delivered the way Bitrix24's queue server delivers it (§2.2/§2.3: form-encoded,
 * bracket keys, every scalar a string), against an independent fake Bitrix24.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDatabase } from '../helpers/databases.js';
import type { RunningServer } from '../../src/server.js';
import { FakeBitrix } from './fake-bitrix.js';
import { sleep, startService, waitFor } from './service.js';
import { DEAL_ID, DEAL_TITLE, seedRentalDeal } from './seed.js';

describe.each(databaseEngines())('robot calls against a fake Bitrix24 on $name', (engine) => {
  let fake: FakeBitrix;
  let database: TestDatabase;
  let server: RunningServer;

  beforeEach(async () => {
    fake = await FakeBitrix.start();
    database = await engine.open();
    server = await startService(fake, database);
    seedRentalDeal(fake);
    const res = await fake.installViaEvent(`${server.url}/bitrix/install`);
    expect(res.status, await res.text()).toBe(200);
  });
  afterEach(async () => {
    await server?.stop();
    await fake?.close();
    await database?.close();
  });

  it('refuses a call with a wrong application_token and then leaves the portal alone', async () => {
    const before = fake.httpRequests;
    const run = await fake.runRobot('ping', DEAL_ID, {}, { applicationToken: 'f9ac5db5ad4adbdee13eb034207d8fbd' });
    expect(run.status).toBe(401);
    await sleep(1500);
    expect(fake.httpRequests - before, 'requests sent to the portal after a refused call').toBe(0);
    expect(fake.eventSends).toHaveLength(0);
  });

  it('answers ping at once and sends exactly one bizproc.event.send, also when the call is delivered twice', async () => {
    const run = await fake.runRobot('ping', DEAL_ID, { message: 'привет' });
    expect(run.status, run.body).toBe(200);
    expect(run.ms).toBeLessThan(1000);

    const sent = await waitFor(() => fake.eventSends[0]);
    expect(sent, 'bizproc.event.send within 15 s').toBeDefined();
    expect(sent!.token).toBe(run.token);
    expect(sent!.closedStep).toBe(true);
    expect(sent!.accepted).toMatchObject({ status: 'ok', deal_title: DEAL_TITLE, echo: 'привет' });

    const again = await fake.deliver(run.payload);
    expect(again.status).toBeGreaterThanOrEqual(200);
    expect(again.status).toBeLessThan(300);
    await sleep(2000);
    expect(fake.eventSends).toHaveLength(1);
  });

  it('answers status=error (never leaves the step waiting) when the deal no longer exists', async () => {
    const run = await fake.runRobot('ping', '999');
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0], 30_000);
    expect(sent, 'bizproc.event.send within 30 s').toBeDefined();
    expect(sent!.accepted.status).toBe('error');
    expect(String(sent!.accepted.error_text)).toMatch(/\S/);
  }, 45_000);

  it('rides out QUERY_LIMIT_EXCEEDED and answers once', async () => {
    fake.failNext(3); // the next three REST requests get HTTP 503 QUERY_LIMIT_EXCEEDED
    const run = await fake.runRobot('ping', DEAL_ID);
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0], 30_000);
    expect(sent?.accepted).toMatchObject({ status: 'ok', deal_title: DEAL_TITLE });
    await sleep(1000);
    expect(fake.eventSends).toHaveLength(1);
  }, 45_000);

  it('answers with the fresh tokens of the call when the stored pair is dead', async () => {
    fake.revokeAllTokens(); // stored access + refresh tokens no longer work (refresh → invalid_grant)
    const run = await fake.runRobot('ping', DEAL_ID); // the queue server sends a fresh auth[access_token]
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0], 10_000);
    expect(sent, 'bizproc.event.send: the waiting step must be answered').toBeDefined();
    expect(sent!.accepted.status).toBe('ok');
  }, 30_000);

  it('answers a call that carries no user tokens (robot run by an agent) with the stored ones', async () => {
    const payload = fake.robotPayload('ping', DEAL_ID);
    const auth = payload.auth as Record<string, unknown>;
    for (const k of ['access_token', 'refresh_token', 'expires', 'expires_in', 'user_id']) delete auth[k];
    const run = await fake.deliver(payload);
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0]);
    expect(sent?.accepted).toMatchObject({ status: 'ok', deal_title: DEAL_TITLE });
  });

  it('refreshes an expired access token at the OAuth server the portal named (no B24_OAUTH_URL) and still answers', async () => {
    const payload = fake.robotPayload('ping', DEAL_ID);
    fake.expireAccessTokens(); // an hour later: the install token and the call's own token are both stale
    const run = await fake.deliver(payload);
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0]);
    expect(sent?.accepted).toMatchObject({ status: 'ok', deal_title: DEAL_TITLE });
    expect(fake.oauthRefreshes).toBeGreaterThanOrEqual(1);
  });
});

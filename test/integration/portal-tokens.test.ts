/**
 * Whose OAuth tokens the service keeps and where it renews them, as on a real portal: the portal's
 * authorization server lives on a host of its own (announced as server_endpoint), a frame install does not
 * say who installed, and a robot may run as another user than the one who installed the app.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { getPortal } from '../../src/storage/portals.js';

describe.each(databaseEngines())('portal tokens on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const portal = async () => (await getPortal(h.database.db, h.sandbox.memberId))!;

  it('renews an expired token at the OAuth server the portal announced, without B24_OAUTH_URL', async () => {
    h = await startHarness(engine);
    expect(h.server.deps.config.B24_OAUTH_URL).toBeUndefined();
    await h.install();
    expect((await portal()).server_endpoint).toBe(h.sandbox.serverEndpoint);
    h.sandbox.expireAccessTokens();
    const before = (await portal()).token_version;
    const deal = (await h.server.deps.bitrix.forPortal(h.sandbox.memberId).call('crm.deal.get', { id: h.seed.deals.tenant })) as { ID: string };
    expect(deal.ID).toBe(String(h.seed.deals.tenant));
    expect(h.sandbox.requests().filter((r) => r.method === 'oauth.token').map((r) => r.httpStatus)).toEqual([200]);
    expect((await portal()).token_version).toBe(before + 1);
  });

  it('learns the installing user after a frame install and keeps its tokens when a robot runs as someone else', async () => {
    h = await startHarness(engine);
    const res = await h.sandbox.installApp(`${h.url}/bitrix/install`, { frame: true });
    expect(res.status).toBe(200);
    const installed = await portal();
    expect(installed.user_id).toBe(h.seed.users.admin);
    // The application token came with ONAPPINSTALL after the frame install; robots run as the installer.
    expect(installed.application_token).toBe(h.sandbox.applicationToken);
    expect(h.sandbox.robots().get('ping')!.AUTH_USER_ID).toBe(h.seed.users.admin);

    const dealId = h.seed.deals.tenant!;
    const asManager = await h.sandbox.deliverRobotCall('ping', dealId, { message: 'x' }, { runAs: h.seed.users.manager });
    await h.sandbox.runUntilIdle();
    expect(String((asManager.auth as Record<string, unknown>).user_id)).toBe(String(h.seed.users.manager));
    expect(h.sandbox.eventSends().find((e) => e.eventToken === asManager.event_token)?.returnValues.status).toBe('ok');
    // The manager's fresher pair was not adopted: the service still acts with the installer's rights.
    expect((await portal()).access_token).toBe(installed.access_token);

    const asInstaller = await h.sandbox.deliverRobotCall('ping', dealId, { message: 'y' });
    await h.sandbox.runUntilIdle();
    expect((await portal()).access_token).toBe((asInstaller.auth as Record<string, string>).access_token);
  });
});

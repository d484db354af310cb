import { B24OAuth } from '@bitrix24/b24jssdk';
import qs from 'qs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/portal.js';
import { rest, restForm, startReceiver, startTestSandbox } from './sandbox-test-kit.js';

let sb: Sandbox;
afterEach(async () => {
  await sb?.close();
});

async function refresh(refreshToken: string, overrides: Record<string, string> = {}) {
  const res = await fetch(sb.oauthTokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: qs.stringify({
      grant_type: 'refresh_token',
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
      refresh_token: refreshToken,
      ...overrides,
    }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('sandbox REST auth and OAuth', () => {
  it('serves a call, expires the token with the clock, refreshes once and rejects the used refresh token', async () => {
    sb = await startTestSandbox();
    const receiver = await startReceiver();
    try {
      expect((await sb.installApp(`${receiver.base}/install`)).status).toBe(200);
      const auth = receiver.received[0]!.body.auth;
      expect(auth.member_id).toBe(sb.memberId);
      expect(auth.client_endpoint).toBe(sb.restUrl);

      const created = await rest(sb, 'crm.deal.add', { fields: { TITLE: 'Аренда, март' } }, auth.access_token);
      expect(created.status).toBe(200);
      expect(created.body.time).toMatchObject({ operating_reset_at: expect.any(Number), date_start: expect.any(String) });

      sb.advance(3601_000);
      const expired = await rest(sb, 'crm.deal.get', { id: created.body.result }, auth.access_token);
      expect(expired).toEqual({
        status: 401,
        body: { error: 'expired_token', error_description: 'The access token provided has expired.' },
      });

      const first = await refresh(auth.refresh_token);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        expires_in: 3600,
        member_id: sb.memberId,
        client_endpoint: sb.restUrl,
        server_endpoint: sb.serverEndpoint,
        status: 'L',
        user_id: 1,
      });
      expect(new URL(sb.serverEndpoint).host).not.toBe(new URL(sb.restUrl).host);
      expect(first.body.refresh_token).not.toBe(auth.refresh_token);
      const again = await rest(sb, 'crm.deal.get', { id: created.body.result }, first.body.access_token);
      expect(again.body.result.TITLE).toBe('Аренда, март');

      const reused = await refresh(auth.refresh_token);
      expect(reused.body.error).toBe('invalid_grant');
      expect([400, 401]).toContain(reused.status);
      expect((await refresh(first.body.refresh_token, { client_secret: 'wrong' })).body.error).toBe('invalid_client');
      // The rejected attempt with the wrong secret did not burn the newest refresh token; GET works as documented.
      const viaGet = await fetch(
        `${sb.oauthTokenUrl}?${qs.stringify({ grant_type: 'refresh_token', client_id: sb.clientId, client_secret: sb.clientSecret, refresh_token: first.body.refresh_token })}`,
      );
      expect(viaGet.status).toBe(200);
      // Tokens are renewed only by the authorization server the payloads announce, never by the portal's host.
      const atPortal = await fetch(`${sb.baseUrl}/oauth/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: qs.stringify({ grant_type: 'refresh_token', client_id: sb.clientId, client_secret: sb.clientSecret, refresh_token: first.body.refresh_token }),
      });
      expect(atPortal.status).toBe(404);
      expect(auth.server_endpoint).toBe(sb.serverEndpoint);
    } finally {
      await receiver.close();
    }
  });

  it('accepts the double slash, .json, form bodies and query auth; rejects unknown tokens and methods', async () => {
    sb = await startTestSandbox();
    const { access_token } = sb.issueTokens();
    expect((await rest(sb, '/crm.deal.add', { fields: { TITLE: 'A' } }, access_token)).body.result).toBe(1);
    expect((await restForm(sb, 'crm.deal.get.json', { id: 1 }, access_token)).body.result.TITLE).toBe('A');
    const viaQuery = await fetch(`${sb.restUrl}crm.deal.get?id=1&auth=${access_token}`);
    expect(((await viaQuery.json()) as any).result.ID).toBe('1');

    expect(await rest(sb, 'crm.deal.get', { id: 1 }, 'nope')).toMatchObject({ status: 401, body: { error: 'NO_AUTH_FOUND' } });
    expect(await rest(sb, 'crm.deal.get', { id: 1 })).toMatchObject({ status: 401, body: { error: 'NO_AUTH_FOUND' } });
    expect(await rest(sb, 'crm.nothing.here', {}, access_token)).toMatchObject({ status: 404, body: { error: 'ERROR_METHOD_NOT_FOUND' } });

    const list = await rest(sb, 'crm.deal.list', {}, access_token);
    expect(list.body).toMatchObject({ result: [{ ID: '1' }], total: 1 });
    expect(sb.requests().map((r) => [r.method, r.httpStatus])).toEqual([
      ['crm.deal.add', 200],
      ['crm.deal.get', 200],
      ['crm.deal.get', 200],
      ['crm.deal.get', 401],
      ['crm.deal.get', 401],
      ['crm.nothing.here', 404],
      ['crm.deal.list', 200],
    ]);
  });

  it('expireAccessTokens makes b24jssdk refresh through the sandbox and retry the call', async () => {
    // b24jssdk compares `expires` with the real clock, so this portal's clock starts at real now.
    sb = await startTestSandbox({ clock: undefined });
    const pair = sb.issueTokens();
    const b24 = new B24OAuth(
      {
        applicationToken: sb.applicationToken,
        userId: 1,
        memberId: sb.memberId,
        accessToken: pair.access_token,
        refreshToken: pair.refresh_token,
        expires: pair.expires,
        expiresIn: pair.expires_in,
        scope: 'crm',
        domain: sb.domain,
        clientEndpoint: sb.restUrl,
        serverEndpoint: sb.serverEndpoint,
        status: 'L',
      } as any,
      { clientId: sb.clientId, clientSecret: sb.clientSecret },
    );
    const saved: string[] = [];
    b24.setCallbackRefreshAuth(async ({ authData }) => {
      saved.push(String(authData.refresh_token));
    });
    sb.expireAccessTokens();
    const res = await b24.actions.v2.call.make({ method: 'crm.deal.add', params: { fields: { TITLE: 'via sdk' } } });
    expect(res.isSuccess).toBe(true);
    expect(saved).toHaveLength(1);
    expect(sb.requests().map((r) => `${r.method}:${r.httpStatus}`)).toEqual(['crm.deal.add:401', 'oauth.token:200', 'crm.deal.add:200']);
    expect(sb.crm.deals.get(1)?.TITLE).toBe('via sdk');
  });

  it('uninstall revokes every token and tells the app without tokens', async () => {
    sb = await startTestSandbox();
    const receiver = await startReceiver();
    try {
      const pair = sb.issueTokens();
      const oldAppToken = sb.applicationToken;
      await sb.uninstallApp(`${receiver.base}/events`, { clean: true });
      const event = receiver.received[0]!.body;
      expect(event).toMatchObject({ event: 'ONAPPUNINSTALL', data: { CLEAN: '1' }, auth: { member_id: sb.memberId, application_token: oldAppToken } });
      expect(event.auth.access_token).toBeUndefined();
      expect((await rest(sb, 'crm.deal.list', {}, pair.access_token)).status).toBe(401);
      expect((await refresh(pair.refresh_token)).body.error).toBe('invalid_client');

      await sb.installApp(`${receiver.base}/install`, { alsoEvent: true });
      const [install, installEvent] = receiver.received.slice(1).map((r) => r.body) as [Record<string, any>, Record<string, any>];
      expect(install).toMatchObject({
        event: 'ONAPPINSTALL',
        data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'ru' },
        auth: { status: 'L', user_id: '1', expires_in: '3600', server_endpoint: sb.serverEndpoint, domain: sb.domain },
      });
      expect(install.auth.application_token).toBe(sb.applicationToken);
      expect(sb.applicationToken).not.toBe(oldAppToken);
      expect(installEvent).toMatchObject({ event: 'ONAPPINSTALL', event_handler_id: '1' });
      expect((await rest(sb, 'crm.deal.list', {}, install.auth.access_token)).status).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/portal.js';
import { rest, startTestSandbox } from './sandbox-test-kit.js';

let sb: Sandbox;
afterEach(async () => {
  await sb?.close();
});

describe('sandbox leaky bucket', () => {
  it('answers 503 QUERY_LIMIT_EXCEEDED past the burst without running the method, and recovers as it drains', async () => {
    sb = await startTestSandbox({ limits: { drainPerSec: 2, burst: 5 } });
    const { access_token } = sb.issueTokens();
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await rest(sb, 'crm.deal.add', { fields: { TITLE: `d${i}` } }, access_token));
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(refused[0]!.body).toEqual({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    // Only the accepted requests created deals.
    expect(sb.crm.deals.size).toBe(answers.length - refused.length);

    await new Promise((r) => setTimeout(r, 600)); // real time: the bucket drains at least one request
    expect((await rest(sb, 'crm.deal.list', {}, access_token)).status).toBe(200);
  });

  it('counts a batch of many commands as one request', async () => {
    sb = await startTestSandbox({ limits: { drainPerSec: 0.001, burst: 2 } });
    const { access_token } = sb.issueTokens();
    const cmd = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`d${i}`, `crm.deal.add?fields[TITLE]=t${i}`]));
    expect((await rest(sb, 'batch', { cmd }, access_token)).status).toBe(200);
    expect(sb.crm.deals.size).toBe(10);
    expect((await rest(sb, 'crm.deal.list', {}, access_token)).status).toBe(200);
    expect((await rest(sb, 'crm.deal.list', {}, access_token)).status).toBe(503);
  });
});

describe('sandbox fault injection', () => {
  it('injects 503/429/500 without executing and a timeout that executes but answers late', async () => {
    sb = await startTestSandbox();
    const { access_token } = sb.issueTokens();
    const draws = [0.05, 0.15, 0.25, 0.35, 0.9];
    sb.setFaults({ rate503: 0.1, rate429: 0.1, rate500: 0.1, timeoutRate: 0.1, timeoutMs: 300, random: () => draws.shift() ?? 0.99, only: ['crm.deal.add'] });

    const add = (title: string) => rest(sb, 'crm.deal.add', { fields: { TITLE: title } }, access_token);
    expect(await add('a')).toMatchObject({ status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED' } });
    expect(await add('b')).toMatchObject({ status: 429, body: { error: 'OPERATION_TIME_LIMIT' } });
    expect(await add('c')).toMatchObject({ status: 500, body: { error: 'INTERNAL_SERVER_ERROR' } });
    expect(sb.crm.deals.size).toBe(0);

    // The client gives up after 100 ms; the platform still created the deal.
    const late = fetch(`${sb.restUrl}crm.deal.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { TITLE: 'd' }, auth: access_token }),
      signal: AbortSignal.timeout(100),
    });
    await expect(late).rejects.toThrow();
    expect([...sb.crm.deals.values()].map((d) => d.TITLE)).toEqual(['d']);

    expect((await add('e')).status).toBe(200);
    // Methods outside `only` are never faulted.
    sb.setFaults({ rate500: 1, only: ['crm.deal.add'] });
    expect((await rest(sb, 'crm.deal.list', {}, access_token)).status).toBe(200);
    expect((await add('f')).status).toBe(500);
  });
});

describe('sandbox expired-token faults', () => {
  it('expires the presented access token at the injected rate: 401 expired_token, for good, until a refresh', async () => {
    sb = await startTestSandbox();
    const pair = sb.issueTokens();
    const draws = [0.5, 0.05];
    sb.setFaults({ expiredTokenRate: 0.1, random: () => draws.shift() ?? 0.99 });
    expect((await rest(sb, 'crm.deal.add', { fields: { TITLE: 'a' } }, pair.access_token)).status).toBe(200);
    expect(await rest(sb, 'crm.deal.add', { fields: { TITLE: 'b' } }, pair.access_token)).toEqual({
      status: 401,
      body: { error: 'expired_token', error_description: 'The access token provided has expired.' },
    });
    expect([...sb.crm.deals.values()].map((d) => d.TITLE)).toEqual(['a']);
    // Like a token past its hour, it stays expired; the refreshed pair works.
    expect((await rest(sb, 'crm.deal.list', {}, pair.access_token)).body.error).toBe('expired_token');
    const res = await fetch(sb.oauthTokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: sb.clientId, client_secret: sb.clientSecret, refresh_token: pair.refresh_token }),
    });
    const fresh = (await res.json()) as { access_token: string };
    expect((await rest(sb, 'crm.deal.list', {}, fresh.access_token)).status).toBe(200);
  });
});

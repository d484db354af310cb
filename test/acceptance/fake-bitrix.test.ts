/**
 * The fake itself answers like the docs say (so a failure elsewhere is the service's, not the fake's).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBitrix } from './fake-bitrix.js';
import { DEAL_ID, seedRentalDeal } from './seed.js';

describe('FakeBitrix', () => {
  let fake: FakeBitrix;
  beforeEach(async () => {
    fake = await FakeBitrix.start();
    seedRentalDeal(fake);
  });
  afterEach(() => fake.close());

  const rest = async (method: string, body: Record<string, unknown>) => {
    const res = await fetch(`${fake.restUrl}${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('runs batch cmd strings with $result references and PHP-style empty maps', async () => {
    const { access_token } = fake.issueTokens();
    const { status, body } = await rest('batch', {
      auth: access_token,
      cmd: { deal: `crm.deal.get?id=${DEAL_ID}`, company: 'crm.company.get?id=$result[deal][COMPANY_ID]', rq: 'crm.requisite.list?filter[ENTITY_ID]=$result[deal][COMPANY_ID]&filter[ENTITY_TYPE_ID]=4' },
    });
    expect(status).toBe(200);
    expect(body.result.result.company.TITLE).toBe('ООО «Арендатор»');
    expect(body.result.result.rq[0].RQ_INN).toBe('7715034360');
    expect(body.result.result_error).toEqual([]);
    expect(body.result.result_total).toEqual({ rq: 1 });
    expect(body.time).toBeDefined();
  });

  it('reports sub-call errors inside a 200 batch and unknown methods as ERROR_METHOD_NOT_FOUND', async () => {
    const { access_token } = fake.issueTokens();
    const { status, body } = await rest('batch', { auth: access_token, cmd: { a: 'event.get', b: 'crm.deal.get?id=999' } });
    expect(status).toBe(200);
    expect(body.result.result).toEqual([]);
    expect(body.result.result_error.a.error).toBe('ERROR_METHOD_NOT_FOUND');
    expect(body.result.result_error.b.error_description).toBe('Not found');
  });

  it('expires access tokens and rotates refresh tokens', async () => {
    const pair = fake.issueTokens();
    fake.expireAccessTokens();
    expect((await rest('crm.deal.get', { auth: pair.access_token, id: DEAL_ID })).body.error).toBe('expired_token');
    const refresh = (token: string) =>
      fetch(`${fake.oauthUrl}?${new URLSearchParams({ grant_type: 'refresh_token', client_id: fake.clientId, client_secret: fake.clientSecret, refresh_token: token })}`).then(
        async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }),
      );
    const first = await refresh(pair.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(pair.refresh_token);
    expect((await refresh(pair.refresh_token)).body.error).toBe('invalid_grant');
    expect((await rest('crm.deal.get', { auth: first.body.access_token, id: DEAL_ID })).body.result.TITLE).toMatch(/Аренда/);
  });

  it('closes a robot step on the first bizproc.event.send and ignores later ones and undeclared keys', async () => {
    fake.robots.set('r', { CODE: 'r', HANDLER: 'http://127.0.0.1:1/x', USE_SUBSCRIPTION: 'Y', RETURN_PROPERTIES: { status: { Name: 'S' } } });
    const token = String(fake.robotPayload('r', DEAL_ID).event_token);
    const { access_token } = fake.issueTokens();
    const send = (values: Record<string, unknown>, t = token) => rest('bizproc.event.send', { auth: access_token, event_token: t, return_values: values });
    expect((await send({ STATUS: 'ok', extra: 1 })).body.result).toBe(true);
    expect((await send({ status: 'error' })).body.result).toBe(true);
    expect(fake.eventSends.map((s) => [s.closedStep, s.accepted])).toEqual([[true, { status: 'ok' }], [false, { status: 'error' }]]);
    expect((await send({}, token.slice(0, -1) + (token.endsWith('0') ? '1' : '0'))).status).toBe(403);
  });
});

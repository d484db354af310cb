import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import qs from 'qs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BitrixClients, type BitrixClientsOptions } from '../../src/bitrix/client.js';
import { BitrixError } from '../../src/bitrix/errors.js';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import type { AppDatabase } from '../../src/storage/db.js';
import { getPortal } from '../../src/storage/portals.js';
import { databaseEngines, type TestDatabase } from '../helpers/databases.js';

const MEMBER = 'member-abc';
const SECRET = 'client-secret-xyz';

// ---------------------------------------------------------------------------------------------------------
// A small scripted stand-in for a portal's REST endpoint and oauth.bitrix.info, on one local HTTP server.
// ---------------------------------------------------------------------------------------------------------

interface RestRequest {
  method: string;
  body: Record<string, any>;
}
type Reply = { status: number; body: unknown } | 'hang-up' | 'no-answer';
type RestScript = (req: RestRequest, fake: FakeBitrix) => Reply | Promise<Reply>;
type OAuthScript = (form: Record<string, any>, fake: FakeBitrix) => Reply | Promise<Reply>;

class FakeBitrix {
  url = '';
  rest: RestRequest[] = [];
  oauth: Record<string, any>[] = [];
  inflight = 0;
  /** Tokens in force are `access-<generation>` / `refresh-<generation>`. */
  generation = 1;
  accessValid = true;
  refreshRevoked = false;
  expiredAnswers = 0;
  restScript: RestScript = () => ({ status: 200, body: { result: true } });
  oauthScript: OAuthScript = (form) => this.rotate(form);
  private server: Server | undefined;

  get accessToken(): string {
    return `access-${this.generation}`;
  }
  get refreshToken(): string {
    return `refresh-${this.generation}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  count(method: string): number {
    return this.rest.filter((r) => r.method === method).length;
  }

  /** Behaves like the real OAuth server: each refresh token works once and is replaced. */
  rotate(form: Record<string, any>): Reply {
    if (form.client_secret !== SECRET) return { status: 401, body: { error: 'invalid_client' } };
    if (form.grant_type !== 'refresh_token' || form.refresh_token !== this.refreshToken || this.refreshRevoked) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid grant' } };
    }
    this.generation++;
    this.accessValid = true;
    return {
      status: 200,
      body: {
        access_token: this.accessToken,
        refresh_token: this.refreshToken,
        expires: Math.floor(Date.parse('2026-12-01T10:00:00Z') / 1000),
        expires_in: 3600,
        scope: 'crm,bizproc',
        domain: 'oauth.bitrix.info',
        member_id: MEMBER,
      },
    };
  }

  /** 401 expired_token unless the current, unexpired access token is presented. */
  authorized(req: RestRequest): Reply | undefined {
    if (!this.accessValid || req.body.auth !== this.accessToken) {
      this.expiredAnswers++;
      return { status: 401, body: { error: 'expired_token', error_description: 'The access token provided has expired.' } };
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inflight++;
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').split('?')[0]!;
      let reply: Reply;
      if (path === '/oauth/token/') {
        const form = qs.parse(raw);
        this.oauth.push(form);
        reply = await this.oauthScript(form, this);
      } else {
        const method = path.replace(/^\/rest\/+/, '');
        const r = { method, body: raw ? JSON.parse(raw) : {} };
        this.rest.push(r);
        reply = await this.restScript(r, this);
      }
      if (reply === 'hang-up') {
        req.socket.destroy();
        return;
      }
      if (reply === 'no-answer') return;
      res.writeHead(reply.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    } finally {
      this.inflight--;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------

async function seedPortal(db: AppDatabase, fake: FakeBitrix, over: { rate_drain?: number; rate_burst?: number } = {}) {
  await db.db
    .insertInto('portals')
    .values({
      member_id: MEMBER,
      domain: 'test.bitrix24.ru',
      client_endpoint: `${fake.url}/rest/`,
      server_endpoint: `${fake.url}/rest/`,
      application_token: 'app-token',
      access_token: fake.accessToken,
      refresh_token: fake.refreshToken,
      access_expires_at: '2026-12-01T09:00:00.000Z',
      scope: 'crm,bizproc',
      user_id: 1,
      status: 'active',
      status_reason: null,
      rate_drain: over.rate_drain ?? 2,
      rate_burst: over.rate_burst ?? 50,
      time_zone: 'Europe/Moscow',
      token_version: 1,
      refresh_locked_until: null,
      installed_at: '2026-11-01T00:00:00.000Z',
      updated_at: '2026-11-01T00:00:00.000Z',
    })
    .execute();
}

/** Collects log lines so tests can check what an operator would read (and that no secret leaks). */
function captureLog() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { log: createLogger('debug', stream), lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}

const instantSleep = { sleeps: [] as number[], sleep: async (ms: number) => void instantSleep.sleeps.push(ms) };

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function failure(p: Promise<unknown>): Promise<BitrixError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BitrixError);
    return err as BitrixError;
  }
  throw new Error('expected the call to fail');
}

describe.each(databaseEngines())('BitrixClient on $name', (engine) => {
  let database: TestDatabase;
  let fake: FakeBitrix;
  let logs: ReturnType<typeof captureLog>;

  beforeEach(async () => {
    database = await engine.open();
    fake = new FakeBitrix();
    await fake.start();
    logs = captureLog();
    instantSleep.sleeps = [];
  });

  afterEach(async () => {
    // Whatever happened, no token or secret may appear in the logs.
    const text = logs.text();
    for (const secret of [SECRET, 'access-1', 'access-2', 'refresh-1', 'refresh-2']) expect(text).not.toContain(secret);
    await fake.stop();
    await database.close();
  });

  function clients(over: Partial<BitrixClientsOptions> = {}): BitrixClients {
    return new BitrixClients({
      db: database.db,
      oauth: { clientId: 'app.123', clientSecret: SECRET, hosts: { tokenUrlOverride: `${fake.url}/oauth/token/`, extraHosts: [] } },
      log: logs.log,
      clock: new ManualClock('2026-11-15T09:00:00Z'),
      sleep: instantSleep.sleep,
      retry: { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 8000 },
      timeoutMs: 5000,
      ...over,
    });
  }

  it('posts JSON with the token in the body and returns `result`; logs one line per call without secrets', async () => {
    await seedPortal(database, fake);
    fake.restScript = (req, f) => f.authorized(req) ?? { status: 200, body: { result: { ID: '7', TITLE: 'Аренда' }, time: {} } };
    const deal = await clients().forPortal(MEMBER).call<{ ID: string; TITLE: string }>('crm.deal.get', { id: 7 });
    expect(deal).toEqual({ ID: '7', TITLE: 'Аренда' });
    expect(fake.rest).toEqual([{ method: 'crm.deal.get', body: { id: 7, auth: 'access-1' } }]);
    const callLines = logs.lines.filter((l) => l.msg === 'bitrix call');
    expect(callLines).toHaveLength(1);
    expect(callLines[0]).toMatchObject({ member_id: MEMBER, method: 'crm.deal.get', status: 200, level: 20 });
    expect(typeof callLines[0]!.duration_ms).toBe('number');
  });

  it('refreshes an expired token once for 10 concurrent calls and stores the new pair', async () => {
    await seedPortal(database, fake);
    fake.accessValid = false;
    fake.restScript = (req, f) => f.authorized(req) ?? { status: 200, body: { result: { ID: req.body.id } } };

    const client = clients().forPortal(MEMBER);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.call<{ ID: number }>('crm.deal.get', { id: i })),
    );
    expect(results.map((r) => r.ID)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fake.oauth).toHaveLength(1);
    expect(fake.oauth[0]).toEqual({
      grant_type: 'refresh_token',
      client_id: 'app.123',
      client_secret: SECRET,
      refresh_token: 'refresh-1',
    });
    const row = await getPortal(database.db, MEMBER);
    expect(row).toMatchObject({
      access_token: 'access-2',
      refresh_token: 'refresh-2',
      token_version: 2,
      access_expires_at: '2026-12-01T10:00:00.000Z',
      refresh_locked_until: null,
      status: 'active',
    });
    // Every retried call went out with the new token.
    expect(fake.rest.filter((r) => r.body.auth === 'access-2')).toHaveLength(10);
  });

  it('renews at the OAuth server the portal named and keeps the server the answer names for the next renewal', async () => {
    await seedPortal(database, fake);
    fake.accessValid = false;
    fake.restScript = (req, f) => f.authorized(req) ?? { status: 200, body: { result: 'ok' } };
    const moved = 'https://oauth.bitrix24.tech/rest/';
    fake.oauthScript = (form, f) => {
      const r = f.rotate(form);
      return r === 'hang-up' || r === 'no-answer' ? r : { ...r, body: { ...(r.body as object), server_endpoint: moved } };
    };
    // No override: the portal row's server_endpoint (the fake, listed as an accepted host) is where the refresh goes.
    const named = clients({ oauth: { clientId: 'app.123', clientSecret: SECRET, hosts: { extraHosts: [new URL(fake.url).host] } } });
    expect(await named.forPortal(MEMBER).call('crm.deal.get', { id: 1 })).toBe('ok');
    expect(fake.oauth).toHaveLength(1);
    expect((await getPortal(database.db, MEMBER))!.server_endpoint).toBe(moved);
    // An answer naming a host outside the accepted ones is not stored.
    fake.accessValid = false;
    fake.oauthScript = (form, f) => {
      const r = f.rotate(form);
      return r === 'hang-up' || r === 'no-answer' ? r : { ...r, body: { ...(r.body as object), server_endpoint: 'https://evil.example/rest/' } };
    };
    await database.db.updateTable('portals').set({ server_endpoint: `${fake.url}/rest/` }).execute();
    expect(await named.forPortal(MEMBER).call('crm.deal.get', { id: 2 })).toBe('ok');
    expect((await getPortal(database.db, MEMBER))!.server_endpoint).toBe(`${fake.url}/rest/`);
  });

  it('two processes sharing the database refresh only once', async () => {
    await seedPortal(database, fake);
    fake.accessValid = false;
    fake.restScript = (req, f) => f.authorized(req) ?? { status: 200, body: { result: 'ok' } };
    // Hold the refresh until both processes have been told their token expired, so they really overlap.
    fake.oauthScript = async (form, f) => {
      await until(() => f.expiredAnswers >= 2, 'both processes to see expired_token');
      return f.rotate(form);
    };
    // The second "process" has its own registry (no shared memory) and, on PostgreSQL, its own connection.
    const second = engine.name === 'postgres' ? await database.reopen() : database;
    try {
      const a = clients({ sleep: undefined }).forPortal(MEMBER);
      const b = clients({ sleep: undefined, db: second.db }).forPortal(MEMBER);
      const [ra, rb] = await Promise.all([a.call('crm.deal.get', { id: 1 }), b.call('crm.deal.get', { id: 2 })]);
      expect([ra, rb]).toEqual(['ok', 'ok']);
      expect(fake.oauth).toHaveLength(1);
      expect(await getPortal(database.db, MEMBER)).toMatchObject({ refresh_token: 'refresh-2', token_version: 2 });
    } finally {
      if (second !== database) await second.close();
    }
  });

  it('marks the portal for reinstall on invalid_grant and then fails fast without network', async () => {
    await seedPortal(database, fake);
    fake.accessValid = false;
    fake.refreshRevoked = true;
    fake.restScript = (req, f) => f.authorized(req) ?? { status: 200, body: { result: 'ok' } };
    const client = clients().forPortal(MEMBER);

    const err = await failure(client.call('crm.deal.get', { id: 1 }));
    expect(err.code).toBe('PORTAL_NEEDS_REINSTALL');
    expect(err.retryable).toBe(false);
    expect(fake.oauth).toHaveLength(1);
    const row = await getPortal(database.db, MEMBER);
    expect(row?.status).toBe('needs_reinstall');
    expect(row?.status_reason).toContain('invalid_grant');
    expect(row?.refresh_locked_until).toBeNull();
    const errorLine = logs.lines.find((l) => l.level === 50);
    expect(errorLine?.msg).toMatch(/must be reinstalled/);

    const seen = fake.rest.length;
    const again = await failure(clients().forPortal(MEMBER).call('crm.deal.add', { fields: { TITLE: 'x' } }));
    expect(again.code).toBe('PORTAL_NEEDS_REINSTALL');
    expect(fake.rest.length).toBe(seen);
    expect(fake.oauth).toHaveLength(1);
  });

  it('treats NO_AUTH_FOUND (a token the portal forgot) like an expired one: refresh once, else flag the portal', async () => {
    await seedPortal(database, fake);
    fake.restScript = (req, f) =>
      f.accessValid && req.body.auth === f.accessToken
        ? { status: 200, body: { result: 'ok' } }
        : { status: 401, body: { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' } };
    fake.accessValid = false;
    expect(await clients().forPortal(MEMBER).call('crm.deal.get', { id: 1 })).toBe('ok');
    expect(fake.oauth).toHaveLength(1);

    fake.accessValid = false;
    fake.refreshRevoked = true;
    const err = await failure(clients().forPortal(MEMBER).call('crm.deal.get', { id: 1 }));
    expect(err.code).toBe('PORTAL_NEEDS_REINSTALL');
    expect((await getPortal(database.db, MEMBER))?.status).toBe('needs_reinstall');
  });

  it('without B24_CLIENT_ID/B24_CLIENT_SECRET an expired token fails naming them, and the portal is not marked for reinstall', async () => {
    await seedPortal(database, fake);
    fake.accessValid = false;
    fake.restScript = (req, f) => f.authorized(req) ?? { status: 200, body: { result: 'ok' } };
    const unconfigured = clients({ oauth: { clientId: '', clientSecret: '', hosts: { tokenUrlOverride: `${fake.url}/oauth/token/`, extraHosts: [] } } });
    const err = await failure(unconfigured.forPortal(MEMBER).call('crm.deal.get', { id: 1 }));
    expect(err.message).toContain('B24_CLIENT_SECRET');
    expect(fake.oauth).toHaveLength(0);
    expect(await getPortal(database.db, MEMBER)).toMatchObject({ status: 'active', refresh_token: 'refresh-1' });
    // Configured again (after a restart), the same stored pair still works.
    expect(await clients().forPortal(MEMBER).call('crm.deal.get', { id: 1 })).toBe('ok');
  });

  it('retries crm.deal.add after QUERY_LIMIT_EXCEEDED and creates exactly one deal', async () => {
    await seedPortal(database, fake);
    const deals: unknown[] = [];
    let limited = 0;
    fake.restScript = (req) => {
      if (limited < 2) {
        limited++;
        return { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } };
      }
      deals.push(req.body.fields);
      return { status: 200, body: { result: deals.length } };
    };
    const id = await clients().forPortal(MEMBER).call('crm.deal.add', { fields: { TITLE: 'Аренда, ноябрь' } });
    expect(id).toBe(1);
    expect(deals).toEqual([{ TITLE: 'Аренда, ноябрь' }]);
    expect(fake.count('crm.deal.add')).toBe(3);
    // It waited before each retry (backoff), growing.
    const backoffs = instantSleep.sleeps.filter((ms) => ms >= 500);
    expect(backoffs.length).toBeGreaterThanOrEqual(2);
  });

  it('gives up after maxRetries on a persistent limit with a retryable error', async () => {
    await seedPortal(database, fake);
    fake.restScript = () => ({ status: 429, body: { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked' } });
    const err = await failure(clients().forPortal(MEMBER).call('crm.deal.add', { fields: {} }));
    expect(err).toMatchObject({ code: 'OPERATION_TIME_LIMIT', httpStatus: 429, retryable: true, ambiguous: false });
    expect(fake.count('crm.deal.add')).toBe(4);
  });

  it('does not repeat crm.deal.add after a dropped connection and reports it as ambiguous', async () => {
    await seedPortal(database, fake);
    fake.restScript = () => 'hang-up';
    const err = await failure(clients().forPortal(MEMBER).call('crm.deal.add', { fields: { TITLE: 'x' } }));
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', ambiguous: true, retryable: false, method: 'crm.deal.add' });
    expect(fake.count('crm.deal.add')).toBe(1);
    expect(JSON.stringify(err.details)).not.toContain('access-1');
    expect(String((err.cause as Error | undefined)?.message ?? '')).not.toContain('access-1');
  });

  it('does not repeat crm.deal.add after a timeout or a 500, but retries crm.deal.get', async () => {
    await seedPortal(database, fake);
    fake.restScript = (req) =>
      req.method === 'crm.deal.add' ? 'no-answer' : { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: '' } };
    const client = clients({ timeoutMs: 300 }).forPortal(MEMBER);
    const timedOut = await failure(client.call('crm.deal.add', { fields: {} }));
    expect(timedOut).toMatchObject({ code: 'TIMEOUT', ambiguous: true, retryable: false });
    expect(fake.count('crm.deal.add')).toBe(1);

    const failedGet = await failure(client.call('crm.deal.get', { id: 1 }));
    expect(failedGet).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, ambiguous: false, retryable: true });
    expect(fake.count('crm.deal.get')).toBe(4);

    let failedOnce = false;
    fake.restScript = () => {
      if (!failedOnce) {
        failedOnce = true;
        return { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: '' } };
      }
      return { status: 200, body: { result: 42 } };
    };
    const ambiguous = await failure(client.call('crm.deal.update', { id: 1, fields: {} }));
    expect(ambiguous).toMatchObject({ ambiguous: true, retryable: false });
    expect(fake.count('crm.deal.update')).toBe(1);
  });

  it('passes platform errors through with their code and without retrying', async () => {
    await seedPortal(database, fake);
    fake.restScript = () => ({ status: 400, body: { error: 'NOT_FOUND', error_description: 'Not found' } });
    const err = await failure(clients().forPortal(MEMBER).call('crm.deal.get', { id: 999 }));
    expect(err).toMatchObject({ code: 'NOT_FOUND', httpStatus: 400, retryable: false, description: 'Not found' });
    expect(fake.count('crm.deal.get')).toBe(1);
  });

  it('paces a burst of 60 calls so the portal bucket (50, 2/s) never overflows', async () => {
    await seedPortal(database, fake, { rate_drain: 2, rate_burst: 50 });
    const clock = new ManualClock('2026-11-15T09:00:00Z');
    // Virtual timers: sleeps wait until the test moves the clock to their wake-up time.
    const pending: { at: number; resolve: () => void }[] = [];
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => pending.push({ at: clock.now().getTime() + ms, resolve }));
    // The portal's own leaky bucket, on the same clock.
    let level = 0;
    let at = clock.now().getTime();
    let overflows = 0;
    let maxLevel = 0;
    fake.restScript = (req) => {
      const now = clock.now().getTime();
      level = Math.max(0, level - ((now - at) / 1000) * 2);
      at = now;
      if (level + 1 > 50) {
        overflows++;
        return { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } };
      }
      level += 1;
      maxLevel = Math.max(maxLevel, level);
      return { status: 200, body: { result: { ID: req.body.id } } };
    };
    const client = clients({ clock, sleep, retry: { maxRetries: 0, baseDelayMs: 1000, maxDelayMs: 1000 } }).forPortal(MEMBER);
    const calls = Array.from({ length: 60 }, (_, i) => client.call<{ ID: number }>('crm.deal.get', { id: i }));

    await until(() => fake.rest.length + pending.length === 60 && fake.inflight === 0, 'the first burst');
    expect(fake.rest.length).toBe(50);
    while (pending.length) {
      pending.sort((x, y) => x.at - y.at);
      const next = pending[0]!.at;
      const due = pending.filter((p) => p.at === next);
      pending.splice(0, due.length);
      clock.set(next);
      const before = fake.rest.length;
      due.forEach((p) => p.resolve());
      await until(() => fake.rest.length === before + due.length && fake.inflight === 0, 'paced calls');
    }
    const results = await Promise.all(calls);
    expect(results.map((r) => r.ID).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(overflows).toBe(0);
    expect(maxLevel).toBeLessThanOrEqual(50);
    // Ten calls beyond the burst at 2/s take five (virtual) seconds.
    expect(clock.now().toISOString()).toBe('2026-11-15T09:00:05.000Z');
  });

  it('lists all 120 rows page by page', async () => {
    await seedPortal(database, fake);
    const all = Array.from({ length: 120 }, (_, i) => ({ ID: String(i + 1) }));
    fake.restScript = (req) => {
      const start = Number(req.body.start ?? 0);
      const page = all.slice(start, start + 50);
      const next = start + 50 < all.length ? start + 50 : undefined;
      return { status: 200, body: { result: page, total: all.length, ...(next === undefined ? {} : { next }), time: {} } };
    };
    const client = clients().forPortal(MEMBER);
    const rows = await client.list<{ ID: string }>('crm.deal.list', { filter: { CATEGORY_ID: 3 }, select: ['ID'] });
    expect(rows.map((r) => r.ID)).toEqual(all.map((r) => r.ID));
    expect(fake.rest.map((r) => r.body.start)).toEqual([0, 50, 100]);
    expect(fake.rest[0]!.body.filter).toEqual({ CATEGORY_ID: 3 });

    const firstPage = await client.callPage('crm.deal.list', {});
    expect(firstPage).toMatchObject({ total: 120, next: 50 });
    expect(await client.list('crm.deal.list', {}, { max: 60 })).toHaveLength(60);
  });

  it('sends a batch whose $result references arrive as the right form fields', async () => {
    await seedPortal(database, fake);
    fake.restScript = () => ({
      status: 200,
      body: {
        result: {
          result: { company: 11, deal: 22 },
          result_error: { note: { error: 'ACCESS_DENIED', error_description: 'Access denied' } },
          result_total: [],
          result_next: [],
          result_time: {},
        },
      },
    });
    const res = await clients().forPortal(MEMBER).batch({
      company: { method: 'crm.company.add', params: { fields: { TITLE: 'ООО «Ромашка»' } } },
      deal: { method: 'crm.deal.add', params: { fields: { TITLE: 'Аренда #1', COMPANY_ID: '$result[company]' } } },
      note: { method: 'crm.timeline.comment.add', params: { fields: { ENTITY_ID: '$result[deal]', ENTITY_TYPE: 'deal' } } },
    });
    expect(res.result).toEqual({ company: 11, deal: 22 });
    expect(res.errors).toEqual({ note: { error: 'ACCESS_DENIED', error_description: 'Access denied' } });

    expect(fake.rest).toHaveLength(1);
    const sent = fake.rest[0]!;
    expect(sent.method).toBe('batch');
    expect(sent.body.halt).toBe(0);
    expect(sent.body.auth).toBe('access-1');
    const parse = (cmd: string) => {
      const [method, query] = cmd.split('?') as [string, string];
      return { method, params: qs.parse(query) };
    };
    expect(parse(sent.body.cmd.company)).toEqual({ method: 'crm.company.add', params: { fields: { TITLE: 'ООО «Ромашка»' } } });
    expect(parse(sent.body.cmd.deal)).toEqual({
      method: 'crm.deal.add',
      params: { fields: { TITLE: 'Аренда #1', COMPANY_ID: '$result[company]' } },
    });
    expect(parse(sent.body.cmd.note).params).toEqual({ fields: { ENTITY_ID: '$result[deal]', ENTITY_TYPE: 'deal' } });
  });

  it('does not retry a batch with a create after a 500, but does retry a read-only batch', async () => {
    await seedPortal(database, fake);
    fake.restScript = () => ({ status: 502, body: '<html>Bad gateway</html>' });
    const client = clients().forPortal(MEMBER);
    const create = await failure(client.batch({ a: { method: 'crm.deal.get', params: { id: 1 } }, b: { method: 'crm.deal.add' } }));
    expect(create).toMatchObject({ httpStatus: 502, ambiguous: true });
    expect(fake.rest).toHaveLength(1);
    const read = await failure(client.batch({ a: { method: 'crm.deal.get', params: { id: 1 } } }));
    expect(read).toMatchObject({ httpStatus: 502, ambiguous: false, retryable: true });
    expect(fake.rest).toHaveLength(5);
  });

  it('fails fast for an unknown portal', async () => {
    const err = await failure(clients().forPortal('nobody').call('crm.deal.get', { id: 1 }));
    expect(err.code).toBe('PORTAL_NOT_FOUND');
    expect(fake.rest).toHaveLength(0);
  });
});

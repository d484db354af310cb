import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BitrixClients, type BitrixClientsOptions } from '../../src/bitrix/client.js';
import { PacerRegistry } from '../../src/bitrix/pacer.js';
import { ManualClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import type { AppDatabase } from '../../src/storage/db.js';
import { getPortal } from '../../src/storage/portals.js';
import { databaseEngines, type TestDatabase } from '../helpers/databases.js';

const T0 = Date.parse('2026-11-15T09:00:00Z');
const STANDARD = 'member-standard';
const ENTERPRISE = 'member-enterprise';

/**
 * Portals' REST endpoints (`/<member_id>/rest/<method>`), each enforcing Bitrix24's leaky bucket on the test's
 * virtual clock: +1 per request, draining `drainPerSec`, 503 QUERY_LIMIT_EXCEEDED above `burst`.
 */
class LimitedPortals {
  url = '';
  inflight = 0;
  /** Every request: which portal, at which virtual instant, and whether the bucket took it. */
  seen: { member: string; at: number; refused: boolean }[] = [];
  /** Requests to refuse regardless of the bucket, as if another app on our IP had used the budget. */
  refuseNext = 0;
  private readonly buckets = new Map<string, { drainPerSec: number; burst: number; level: number; at: number }>();
  private server: Server | undefined;

  constructor(private readonly clock: ManualClock) {}

  limit(member: string, drainPerSec: number, burst: number): void {
    this.buckets.set(member, { drainPerSec, burst, level: 0, at: this.clock.now().getTime() });
  }

  sentAt(member: string): number[] {
    return this.seen.filter((s) => s.member === member && !s.refused).map((s) => s.at - T0);
  }

  refused(): number {
    return this.seen.filter((s) => s.refused).length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.inflight++;
      req.resume();
      req.on('end', () => {
        const member = decodeURIComponent((req.url ?? '').split('/')[1] ?? '');
        const now = this.clock.now().getTime();
        const b = this.buckets.get(member);
        let refused = true;
        if (b !== undefined) {
          b.level = Math.max(0, b.level - ((now - b.at) / 1000) * b.drainPerSec);
          b.at = now;
          refused = this.refuseNext > 0 || b.level + 1 > b.burst;
          if (this.refuseNext > 0) this.refuseNext--;
          if (!refused) b.level += 1;
        }
        this.seen.push({ member, at: now, refused });
        res.writeHead(refused ? 503 : 200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify(refused ? { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } : { result: true }),
        );
        this.inflight--;
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/**
 * Virtual time for every "process" of a test: sleeps wait until the clock is moved to their wake-up instant,
 * and the clock moves only once every call is either finished or asleep (nothing in flight).
 */
class VirtualTime {
  readonly clock = new ManualClock(T0);
  private readonly sleepers: { at: number; wake: () => void }[] = [];
  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => this.sleepers.push({ at: this.clock.now().getTime() + ms, wake }));

  /** Runs `calls` to completion, moving the clock from one wake-up to the next. */
  async run<T>(calls: Promise<T>[], portals: LimitedPortals): Promise<PromiseSettledResult<T>[]> {
    let finished = 0;
    const settled = Promise.allSettled(calls.map((c) => c.finally(() => finished++)));
    const quiet = () => finished + this.sleepers.length === calls.length && portals.inflight === 0;
    await until(quiet);
    while (this.sleepers.length > 0) {
      const next = Math.min(...this.sleepers.map((s) => s.at));
      const due = this.sleepers.filter((s) => s.at === next);
      this.sleepers.splice(0, this.sleepers.length, ...this.sleepers.filter((s) => s.at !== next));
      this.clock.set(next);
      due.forEach((s) => s.wake());
      await until(quiet);
    }
    return settled;
  }
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the calls to settle');
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function seedPortal(db: AppDatabase, member: string, url: string, plan: { drain: number; burst: number }) {
  await db.db
    .insertInto('portals')
    .values({
      member_id: member,
      domain: `${member}.bitrix24.ru`,
      client_endpoint: `${url}/${member}/rest/`,
      server_endpoint: `${url}/oauth/rest/`,
      application_token: 'app-token',
      access_token: 'access',
      refresh_token: 'refresh',
      access_expires_at: '2026-12-01T09:00:00.000Z',
      scope: 'crm,bizproc',
      user_id: 1,
      status_reason: null,
      rate_drain: plan.drain,
      rate_burst: plan.burst,
      refresh_locked_until: null,
      installed_at: '2026-11-01T00:00:00.000Z',
      updated_at: '2026-11-01T00:00:00.000Z',
    })
    .execute();
}

/** 0, 0, … (burst times) then one every `intervalMs`: what the portal's bucket allows for `n` requests at once. */
function spread(n: number, burst: number, intervalMs: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < burst ? 0 : (i - burst + 1) * intervalMs));
}

const byTime = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe.each(databaseEngines())('REST pacing shared through the database on $name', (engine) => {
  let database: TestDatabase;
  /** The second "process": its own BitrixClients and, on PostgreSQL, its own connection pool. */
  let second: AppDatabase;
  let time: VirtualTime;
  let portals: LimitedPortals;

  beforeEach(async () => {
    database = await engine.open();
    // Two better-sqlite3 connections in one process can deadlock each other's busy wait; share the handle there.
    second = engine.name === 'postgres' ? await database.reopen() : database;
    time = new VirtualTime();
    portals = new LimitedPortals(time.clock);
    await portals.start();
  });

  afterEach(async () => {
    await portals?.stop();
    if (second !== undefined && second !== database) await second.close();
    await database?.close();
  });

  function processOn(db: AppDatabase, over: Partial<BitrixClientsOptions> = {}): BitrixClients {
    return new BitrixClients({
      db: db.db,
      oauth: { clientId: 'app.1', clientSecret: 'secret', hosts: { tokenUrlOverride: `${portals.url}/oauth/token/`, extraHosts: [] } },
      log: silentLogger(),
      clock: time.clock,
      sleep: time.sleep,
      // No retries: a request the portal refuses fails its call, so nothing hides an overflow.
      retry: { maxRetries: 0, baseDelayMs: 1000, maxDelayMs: 1000 },
      timeoutMs: 5000,
      ...over,
    });
  }

  it('two processes firing 120 calls at once stay within burst 50 and 2/s: nothing refused, calls spread', async () => {
    portals.limit(STANDARD, 2, 50);
    await seedPortal(database, STANDARD, portals.url, { drain: 2, burst: 50 });
    const a = processOn(database).forPortal(STANDARD);
    const b = processOn(second).forPortal(STANDARD);
    const calls = Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).call('crm.deal.get', { id: i }));

    const results = await time.run(calls, portals);

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(portals.refused()).toBe(0);
    // 50 at once, then one every half second: 70 more take 35 (virtual) seconds.
    expect(byTime(portals.sentAt(STANDARD))).toEqual(spread(120, 50, 500));
    expect(time.clock.now().getTime() - T0).toBe(35_000);
  });

  it('without the shared bucket the same two processes overflow the portal (what the database pacing prevents)', async () => {
    portals.limit(STANDARD, 2, 50);
    await seedPortal(database, STANDARD, portals.url, { drain: 2, burst: 50 });
    const memory = () => new PacerRegistry({ now: () => time.clock.now().getTime(), sleep: time.sleep });
    const a = processOn(database, { pacer: memory() }).forPortal(STANDARD);
    const b = processOn(second, { pacer: memory() }).forPortal(STANDARD);
    const calls = Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).call('crm.deal.get', { id: i }));

    const results = await time.run(calls, portals);

    expect(portals.refused()).toBeGreaterThan(0);
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
  });

  it("follows each portal's own plan: Enterprise 5/250 next to a standard 2/50 portal", async () => {
    portals.limit(STANDARD, 2, 50);
    portals.limit(ENTERPRISE, 5, 250);
    await seedPortal(database, STANDARD, portals.url, { drain: 2, burst: 50 });
    await seedPortal(database, ENTERPRISE, portals.url, { drain: 5, burst: 250 });
    const one = processOn(database);
    const two = processOn(second);
    const calls = [
      ...Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).forPortal(STANDARD).call('crm.deal.get', { id: i })),
      ...Array.from({ length: 260 }, (_, i) => (i % 2 ? one : two).forPortal(ENTERPRISE).call('crm.deal.get', { id: i })),
    ];

    const results = await time.run(calls, portals);

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(portals.refused()).toBe(0);
    expect(byTime(portals.sentAt(ENTERPRISE))).toEqual(spread(260, 250, 200));
    expect(byTime(portals.sentAt(STANDARD))).toEqual(spread(60, 50, 500));
  });

  it('after QUERY_LIMIT_EXCEEDED in one process, the next call in the other waits as for a full bucket', async () => {
    portals.limit(STANDARD, 2, 50);
    await seedPortal(database, STANDARD, portals.url, { drain: 2, burst: 50 });
    portals.refuseNext = 1;
    const [refused] = await time.run([processOn(database).forPortal(STANDARD).call('crm.deal.get', { id: 1 })], portals);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'QUERY_LIMIT_EXCEEDED' } });

    const [next] = await time.run([processOn(second).forPortal(STANDARD).call('crm.deal.get', { id: 2 })], portals);
    expect(next).toMatchObject({ status: 'fulfilled' });
    // One interval (0.5 s) after the refusal, not at once.
    expect(portals.sentAt(STANDARD)).toEqual([500]);
    // The shared state is the portal row: full bucket (25 s of requests) plus the one just sent.
    expect((await getPortal(database.db, STANDARD))?.rate_tat_ms).toBe(T0 + 25_000 + 500);
  });
});

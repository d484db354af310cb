import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJobKind } from '../../src/jobs/types.js';
import { ManualClock } from '../../src/clock.js';
import { JobStore } from '../../src/jobs/store.js';
import { openDatabase, transaction, type AppDatabase } from '../../src/storage/db.js';
import { migrateToLatest, pendingMigrations } from '../../src/storage/migrate.js';
import { allMigrations } from '../../src/storage/migrations/index.js';
import {
  acquirePortalRefreshLock,
  deletePortal,
  deletePortalData,
  getPortal,
  listPortals,
  markPortalStatus,
  markPortalUninstalled,
  updatePortalTokens,
  upsertPortal,
  type PortalInput,
} from '../../src/storage/portals.js';
import {
  getRobotCallByToken,
  insertRobotCall,
  insertRobotCalls,
  listRobotCalls,
  markRobotCallAnswered,
} from '../../src/storage/robotCalls.js';
import type { NewRobotCall } from '../../src/storage/robotCalls.js';
import { getSetting, setSetting, setSettingIfAbsent } from '../../src/storage/settings.js';
import { databaseEngines, type TestDatabase } from '../helpers/databases.js';

const portalInput = (memberId: string, over: Partial<PortalInput> = {}): PortalInput => ({
  member_id: memberId,
  domain: `${memberId}.bitrix24.ru`,
  client_endpoint: `https://${memberId}.bitrix24.ru/rest/`,
  server_endpoint: 'https://oauth.bitrix.info/rest/',
  application_token: 'app-token-1',
  access_token: 'access-1',
  refresh_token: 'refresh-1',
  access_expires_at: '2026-01-15T10:00:00.000Z',
  scope: 'crm,bizproc',
  installed_at: '2026-01-15T09:00:00.000Z',
  updated_at: '2026-01-15T09:00:00.000Z',
  ...over,
});

const robotCall = (memberId: string, eventToken: string): NewRobotCall => ({
  member_id: memberId,
  robot_code: 'generate_invoice',
  event_token: eventToken,
  workflow_id: 'wf-1',
  document_id: 'DEAL_42',
  document_type: 'crm:CCrmDocumentDeal:DEAL',
  properties: { kind: 'invoice' },
  use_subscription: 'Y',
  auth_user_id: 1,
  received_at: '2026-01-15T09:30:00.000Z',
});

describe.each(databaseEngines())('storage on $name', (engine) => {
  const opened: AppDatabase[] = [];
  const open = async (opts?: { migrate?: boolean }): Promise<TestDatabase> => {
    const t = await engine.open(opts);
    opened.push(t);
    return t;
  };
  /** A second, independent connection where the engine allows one in-process (see databases.ts). */
  const second = async (t: TestDatabase): Promise<AppDatabase> => {
    if (engine.name === 'sqlite') return t;
    const other = await t.reopen();
    opened.unshift(other); // closed before the schema is dropped
    return other;
  };
  afterEach(async () => {
    while (opened.length) await opened.shift()!.close();
  });

  describe('migrations', () => {
    it('reports every migration as pending on an empty database, applies each once, then nothing is pending', async () => {
      const t = await open({ migrate: false });
      const all = Object.keys(allMigrations(t.dialect)).sort();
      expect(all[0]).toBe('0001_foundation');
      expect(await pendingMigrations(t)).toEqual(all);
      expect(await migrateToLatest(t)).toEqual({ applied: all });
      expect(await migrateToLatest(t)).toEqual({ applied: [] });
      expect(await pendingMigrations(t)).toEqual([]);
    });

    it.runIf(engine.name === 'sqlite')('creates the data dir and opens the file in WAL mode with foreign keys', async () => {
      const t = await open();
      const dataDir = path.join(t.dataDir, 'nested', 'dir');
      const app = await openDatabase({ dataDir });
      opened.unshift(app);
      expect(existsSync(path.join(dataDir, 'qrbill.sqlite'))).toBe(true);
      const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(app.db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
    });

    it.runIf(engine.name === 'postgres')('accepts options=-c search_path=… for a schema that exists', async () => {
      const t = await open();
      const url = new URL(t.databaseUrl!);
      const schema = url.searchParams.get('schema')!;
      url.searchParams.delete('schema');
      url.searchParams.set('options', `-c search_path=${schema}`);
      const app = await openDatabase({ dataDir: t.dataDir, databaseUrl: url.toString() });
      opened.unshift(app);
      expect(await pendingMigrations(app)).toEqual([]);
      await setSetting(t.db, 'seen_through_options', 'yes');
      expect(await getSetting(app.db, 'seen_through_options')).toBe('yes');
    });

    it('keeps each database (or PostgreSQL schema) to itself', async () => {
      const a = await open();
      const b = await open();
      await setSetting(a.db, 'only_in_a', '1');
      expect(await getSetting(b.db, 'only_in_a')).toBeUndefined();
      expect(await pendingMigrations(b)).toEqual([]);
    });
  });

  describe('settings', () => {
    it('keeps the first value when two processes set a missing key at once', async () => {
      const t = await open();
      const other = await second(t);
      const [x, y] = await Promise.all([
        setSettingIfAbsent(t.db, 'link_secret', 'secret-from-a'),
        setSettingIfAbsent(other.db, 'link_secret', 'secret-from-b'),
      ]);
      expect(x).toBe(y);
      expect(['secret-from-a', 'secret-from-b']).toContain(x);
      expect(await getSetting(t.db, 'link_secret')).toBe(x);
      expect(await setSettingIfAbsent(t.db, 'link_secret', 'later')).toBe(x);
    });

    it('overwrites with setSetting', async () => {
      const t = await open();
      await setSetting(t.db, 'k', 'v1');
      await setSetting(t.db, 'k', 'v2');
      expect(await getSetting(t.db, 'k')).toBe('v2');
    });
  });

  describe('portals', () => {
    it('fills defaults on install and, on reinstall, replaces credentials but keeps history and settings', async () => {
      const t = await open();
      const first = await upsertPortal(t.db, portalInput('m1'));
      expect(first).toMatchObject({
        status: 'active',
        token_version: 0,
        time_zone: 'Europe/Moscow',
        rate_drain: 2,
        rate_burst: 50,
        user_id: null,
      });
      await markPortalStatus(t.db, 'm1', 'needs_reinstall', 'invalid_grant', new Date('2026-02-01T00:00:00Z'));
      expect(await getPortal(t.db, 'm1')).toMatchObject({ status: 'needs_reinstall', status_reason: 'invalid_grant' });

      const again = await upsertPortal(
        t.db,
        portalInput('m1', {
          access_token: 'access-2',
          time_zone: 'Asia/Yekaterinburg',
          installed_at: '2026-03-01T00:00:00.000Z',
          updated_at: '2026-03-01T00:00:00.000Z',
        }),
      );
      expect(again).toMatchObject({
        access_token: 'access-2',
        status: 'active',
        status_reason: null,
        token_version: 1,
        time_zone: 'Asia/Yekaterinburg',
        installed_at: '2026-01-15T09:00:00.000Z',
        updated_at: '2026-03-01T00:00:00.000Z',
      });
      await upsertPortal(t.db, portalInput('m1', { rate_drain: 5, rate_burst: 250 }));
      expect(await getPortal(t.db, 'm1')).toMatchObject({ time_zone: 'Asia/Yekaterinburg', rate_drain: 5, token_version: 2 });
      await upsertPortal(t.db, portalInput('a0'));
      expect((await listPortals(t.db)).map((p) => p.member_id)).toEqual(['a0', 'm1']);
    });

    it('lets exactly one of two concurrent token refreshes win', async () => {
      const t = await open();
      const other = await second(t);
      await upsertPortal(t.db, portalInput('m1'));
      const tokens = (n: string) => ({
        access_token: `access-${n}`,
        refresh_token: `refresh-${n}`,
        access_expires_at: '2026-01-15T11:00:00.000Z',
        updated_at: '2026-01-15T10:00:00.000Z',
      });
      const [a, b] = await Promise.all([
        updatePortalTokens(t.db, 'm1', 0, tokens('a')),
        updatePortalTokens(other.db, 'm1', 0, tokens('b')),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const stored = await getPortal(t.db, 'm1');
      expect(stored?.token_version).toBe(1);
      expect(stored?.access_token).toBe(a ? 'access-a' : 'access-b');
      expect(stored?.refresh_token).toBe(a ? 'refresh-a' : 'refresh-b');
      // A refresh that read the portal before the winner's write is refused.
      expect(await updatePortalTokens(t.db, 'm1', 0, tokens('late'))).toBe(false);
      expect(await updatePortalTokens(t.db, 'm1', 1, tokens('next'))).toBe(true);
      expect((await getPortal(t.db, 'm1'))?.token_version).toBe(2);
    });

    it('hands the refresh lock to one process until it expires or tokens are stored', async () => {
      const t = await open();
      await upsertPortal(t.db, portalInput('m1'));
      const at = (s: string) => new Date(`2026-01-15T10:00:${s}.000Z`);
      expect(await acquirePortalRefreshLock(t.db, 'm1', at('00'), at('30'))).toBe(true);
      expect(await acquirePortalRefreshLock(t.db, 'm1', at('10'), at('40'))).toBe(false);
      expect(await acquirePortalRefreshLock(t.db, 'm1', at('31'), at('59'))).toBe(true);
      await updatePortalTokens(t.db, 'm1', 0, {
        access_token: 'a',
        refresh_token: 'r',
        access_expires_at: '2026-01-15T11:00:00.000Z',
        updated_at: '2026-01-15T10:00:32.000Z',
      });
      expect(await acquirePortalRefreshLock(t.db, 'm1', at('33'), at('50'))).toBe(true);
    });

    it('forgets tokens on uninstall, and deletes all of the portal with CLEAN', async () => {
      const t = await open();
      await upsertPortal(t.db, portalInput('m1'));
      await upsertPortal(t.db, portalInput('m2'));
      await insertRobotCall(t.db, robotCall('m1', 'evt-1'));
      await setSetting(t.db, 'robot_fingerprint:m1:generate_invoice', 'fp');
      await setSetting(t.db, 'last_seen:m1', 'x');
      await setSetting(t.db, 'robot_fingerprint:m2:generate_invoice', 'fp2');
      await setSetting(t.db, 'global', 'g');

      await markPortalUninstalled(t.db, 'm1', new Date('2026-04-01T00:00:00Z'));
      expect(await getPortal(t.db, 'm1')).toMatchObject({ status: 'uninstalled', access_token: '', refresh_token: '' });
      expect(await getRobotCallByToken(t.db, 'evt-1')).toBeDefined();

      await deletePortalData(t.db, 'm1');
      expect(await getPortal(t.db, 'm1')).toBeUndefined();
      expect(await getRobotCallByToken(t.db, 'evt-1')).toBeUndefined();
      expect(await getSetting(t.db, 'robot_fingerprint:m1:generate_invoice')).toBeUndefined();
      expect(await getSetting(t.db, 'last_seen:m1')).toBeUndefined();
      expect(await getSetting(t.db, 'robot_fingerprint:m2:generate_invoice')).toBe('fp2');
      expect(await getSetting(t.db, 'global')).toBe('g');
      expect(await deletePortal(t.db, 'm2')).toBe(true);
      expect(await deletePortal(t.db, 'm2')).toBe(false);
    });
  });

  describe('robot calls', () => {
    it('records a redelivered call once', async () => {
      const t = await open();
      const other = await second(t);
      await upsertPortal(t.db, portalInput('m1'));
      const first = await insertRobotCall(t.db, robotCall('m1', 'evt-1'));
      expect(first.created).toBe(true);
      expect(await insertRobotCall(t.db, { ...robotCall('m1', 'evt-1'), workflow_id: 'other' })).toEqual({
        id: first.id,
        created: false,
      });
      const racing = await Promise.all([
        insertRobotCall(t.db, robotCall('m1', 'evt-2')),
        insertRobotCall(other.db, robotCall('m1', 'evt-2')),
      ]);
      expect(racing.filter((r) => r.created)).toHaveLength(1);
      expect(racing[0]?.id).toBe(racing[1]?.id);
      expect(await listRobotCalls(t.db, { limit: 10 })).toHaveLength(2);
      expect((await getRobotCallByToken(t.db, 'evt-1'))?.workflow_id).toBe('wf-1');
    });

    it('stores the answer and lists newest first, per portal', async () => {
      const t = await open();
      await upsertPortal(t.db, portalInput('m1'));
      await upsertPortal(t.db, portalInput('m2'));
      const c1 = await insertRobotCall(t.db, robotCall('m1', 'evt-1'));
      await insertRobotCall(t.db, robotCall('m2', 'evt-2'));
      await insertRobotCall(t.db, robotCall('m1', 'evt-3'));
      await markRobotCallAnswered(t.db, c1.id, { invoice_number: 'СЧ-17' }, null, new Date('2026-01-15T09:31:00Z'));
      const answered = await getRobotCallByToken(t.db, 'evt-1');
      expect(answered).toMatchObject({ status: 'answered', answered_at: '2026-01-15T09:31:00.000Z', error_text: null });
      expect(answered!.result).toEqual({ invoice_number: 'СЧ-17' });
      expect(answered!.properties).toEqual({ kind: 'invoice' });
      expect((await listRobotCalls(t.db, { memberId: 'm1', limit: 10 })).map((c) => c.event_token)).toEqual([
        'evt-3',
        'evt-1',
      ]);
      expect(await listRobotCalls(t.db, { limit: 1 })).toHaveLength(1);
    });

    it('records a batch of calls in one go, each token once, however the batch is cut into statements', async () => {
      const t = await open();
      const clock = new ManualClock('2026-01-15T09:30:00Z');
      await upsertPortal(t.db, portalInput('m1'));
      await insertRobotCall(t.db, robotCall('m1', 'evt-early'));
      // 150 calls: ten tokens come twice within the batch (far apart, so in different statements of at most 64
      // rows), one was recorded before; 140 are new.
      const tokens = Array.from({ length: 150 }, (_, i) => (i === 7 ? 'evt-early' : `evt-${i % 140}`));
      const created = await transaction(t, async (trx) => {
        const recorded = await insertRobotCalls(trx, tokens.map((token) => ({ ...robotCall('m1', token), properties: { n: token } })));
        await new JobStore(t, clock).enqueueMany(
          defineJobKind({ name: 'robot', payload: z.object({ eventToken: z.string() }) }),
          [...recorded].map((eventToken) => ({ key: `robot:${eventToken}`, payload: { eventToken } })),
          trx,
        );
        return recorded;
      });
      expect(created.size).toBe(140);
      expect(created.has('evt-early')).toBe(false);
      expect(await listRobotCalls(t.db, { limit: 1000 })).toHaveLength(141);
      expect((await getRobotCallByToken(t.db, 'evt-139'))?.properties).toEqual({ n: 'evt-139' });
      expect(await new JobStore(t, clock).find('robot:evt-139')).toMatchObject({ status: 'pending', payload_json: '{"eventToken":"evt-139"}', attempts: 0, max_attempts: 5 });
      const jobs = await t.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(jobs.n)).toBe(140);
    });

    it('rejects a call for an unknown portal', async () => {
      const t = await open();
      await expect(insertRobotCall(t.db, robotCall('nobody', 'evt-1'))).rejects.toThrow();
    });

    it('records the call and its job together or not at all', async () => {
      const t = await open();
      const clock = new ManualClock('2026-01-15T09:30:00Z');
      await upsertPortal(t.db, portalInput('m1'));
      await expect(
        transaction(t, async (trx) => {
          await insertRobotCall(trx, robotCall('m1', 'evt-1'));
          await new JobStore(t, clock).enqueue({ kind: 'robot', key: 'robot:evt-1', payload: { eventToken: 'evt-1' } }, trx);
          throw new Error('handler crashed before commit');
        }),
      ).rejects.toThrow('handler crashed');
      expect(await getRobotCallByToken(t.db, 'evt-1')).toBeUndefined();
      expect(await new JobStore(t, clock).find('robot:evt-1')).toBeUndefined();

      await transaction(t, async (trx) => {
        await insertRobotCall(trx, robotCall('m1', 'evt-1'));
        await new JobStore(t, clock).enqueue({ kind: 'robot', key: 'robot:evt-1', payload: { eventToken: 'evt-1' } }, trx);
      });
      expect(await getRobotCallByToken(t.db, 'evt-1')).toBeDefined();
      expect(await new JobStore(t, clock).find('robot:evt-1')).toMatchObject({ status: 'pending', kind: 'robot' });
    });
  });
});

describe('openDatabase', () => {
  it('reports an unreachable PostgreSQL as a retryable DATABASE_OPEN_FAILED', async () => {
    await expect(openDatabase({ dataDir: '/nonexistent', databaseUrl: 'postgres://postgres@127.0.0.1:1/test' })).rejects.toMatchObject({
      code: 'DATABASE_OPEN_FAILED',
      retryable: true,
    });
  });
});

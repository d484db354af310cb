import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { upsertPortal } from '../../src/storage/portals.js';

const run = promisify(execFile);
const cli = path.resolve('src/cli.ts');

describe('admin commands on the service database', () => {
  let dataDir: string;
  const qrbill = (...args: string[]) =>
    run('npx', ['tsx', cli, ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' } }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    );

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-cli-'));
    const app = await openDatabase({ dataDir });
    await migrateToLatest(app);
    const now = new Date().toISOString();
    await upsertPortal(app.db, {
      member_id: 'm1', domain: 'acme.bitrix24.ru', client_endpoint: 'https://acme.bitrix24.ru/rest/',
      server_endpoint: 'https://oauth.bitrix.info/rest/', application_token: 't', access_token: 'a', refresh_token: 'r',
      access_expires_at: now, scope: 'crm', user_id: 1, installed_at: now, updated_at: now,
    });
    await app.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists portals and changes settings with validation', async () => {
    expect((await qrbill('portals')).out).toContain('m1  acme.bitrix24.ru  active');
    const set = await qrbill('settings', 'm1', 'invoiceNumberTemplate=АР-{yyyy}-{seq}', 'dueDays=10');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out)).toMatchObject({ invoiceNumberTemplate: 'АР-{yyyy}-{seq}', dueDays: 10, qrMode: 'gost' });
    const bad = await qrbill('settings', 'm1', 'dueDays=-1', 'qrMode=sbp');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/dueDays/);
    expect(bad.err).toMatch(/qrMode/);
    expect(JSON.parse((await qrbill('settings', 'm1')).out).dueDays).toBe(10);
    const noRate = await qrbill('settings', 'm1', 'vatOverride={"mode":"included"}');
    expect(noRate.code).toBe(1);
    expect(noRate.err).toMatch(/vatOverride\.rate/);
    expect(JSON.parse((await qrbill('settings', 'm1', 'vatOverride={"mode":"none"}')).out).vatOverride).toEqual({ mode: 'none' });
    const bare = await qrbill();
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('Usage: qrbill');
    expect((await qrbill('settings', 'nope')).code).toBe(1);
    expect((await qrbill('revoke', 'm1', '999')).code).toBe(1);
  });

  it("sets a portal's REST budget and time zone", async () => {
    expect((await qrbill('portal', 'm1', 'limits=enterprise', 'tz=Asia/Vladivostok')).out).toContain('limits 5/s burst 250  tz Asia/Vladivostok');
    expect((await qrbill('portal', 'm1', 'limits=3/100')).out).toContain('limits 3/s burst 100');
    expect((await qrbill('portal', 'm1', 'tz=Mars/Base')).code).toBe(1);
    expect((await qrbill('portal', 'm1', 'limits=fast')).code).toBe(1);
  });

  it('forgets a portal only when told --yes', async () => {
    expect((await qrbill('forget', 'm1')).code).toBe(2);
    expect((await qrbill('portals')).out).toContain('m1');
    const forgot = await qrbill('forget', 'm1', '--yes');
    expect(forgot.code).toBe(0);
    expect((await qrbill('portals')).out).toContain('No portals installed yet.');
    expect((await qrbill('forget', 'm1', '--yes')).code).toBe(1);
  });
});

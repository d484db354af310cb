/**
 * An admin makes the key 1C will push payments with: shown once, stored only as a hash, listed without the
 * secret, and refused everywhere once revoked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { authenticateApiKey } from '../../src/storage/apiKeys.js';

const run = promisify(execFile);
const cli = path.resolve('src/cli.ts');

describe.each(databaseEngines())('qrbill apikey on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const qrbill = (...args: string[]) =>
    run('npx', ['tsx', cli, ...args], {
      env: { ...process.env, DATA_DIR: h.database.dataDir, DATABASE_URL: h.database.databaseUrl ?? '' },
    }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    );

  it('creates a key shown once, stores only its hash, lists it without the secret and revokes it', async () => {
    h = await startHarness(engine);
    await h.install();
    const m = h.sandbox.memberId;
    const made = await qrbill('apikey', m, 'create', '1C Бухгалтерия', '--json');
    expect(made.code, made.err).toBe(0);
    const { id, key } = JSON.parse(made.out) as { id: number; key: string };
    expect(key).toMatch(/^qrb_[A-Za-z0-9_-]{40}$/);

    const stored = await h.database.db.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(key);
    expect((await authenticateApiKey(h.database.db, key, new Date()))?.memberId).toBe(m);
    expect(await authenticateApiKey(h.database.db, `${key.slice(0, -1)}x`, new Date())).toBeUndefined();

    const listed = await qrbill('apikey', m);
    expect(listed.out).toContain('1C Бухгалтерия');
    expect(listed.out).toContain(key.slice(0, 12));
    expect(listed.out).not.toContain(key);

    expect((await qrbill('apikey', m, 'revoke', String(id))).code).toBe(0);
    expect(await authenticateApiKey(h.database.db, key, new Date())).toBeUndefined();
    const again = await qrbill('apikey', m, 'revoke', String(id));
    expect(again.code).toBe(1);
    expect(again.err).toContain(`No active API key ${id}`);
    expect((await qrbill('apikey', 'no-such-portal', 'create')).err).toContain('No portal no-such-portal');
  }, 120_000);
});

/**
 * Acceptance: `QRBILL_NOW` starts the service's clock at a chosen instant for trials. The process says so
 * loudly at start, /readyz shows it, and the robots see that time (the ping robot's portal_time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBitrix } from './fake-bitrix.js';
import { freePort, killGroup, spawnService, waitFor } from './service.js';
import { DEAL_ID, seedRentalDeal } from './seed.js';

describe('trial clock (QRBILL_NOW)', () => {
  let child: ChildProcess | undefined;
  let fake: FakeBitrix | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    if (child) await killGroup(child);
    await fake?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs on from the given instant, is announced at start and shown by /readyz', async () => {
    fake = await FakeBitrix.start();
    seedRentalDeal(fake);
    dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-trial-'));
    const port = await freePort();
    const service = await spawnService({
      PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`,
      B24_CLIENT_ID: fake.clientId, B24_CLIENT_SECRET: fake.clientSecret, B24_OAUTH_HOSTS: fake.oauthHost,
      QRBILL_NOW: '2026-12-20T09:00:00+03:00',
    });
    child = service.child;
    expect(service.output()).toMatch(/TRIAL CLOCK.*2026-12-20T06:00:00\.000Z/);
    const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { clock: { now: string; trial: { startedAt: string } | null } };
    expect(ready.clock.trial).toEqual({ startedAt: '2026-12-20T06:00:00.000Z' });
    const now = Date.parse(ready.clock.now);
    expect(now).toBeGreaterThanOrEqual(Date.parse('2026-12-20T06:00:00Z'));
    expect(now).toBeLessThan(Date.parse('2026-12-20T06:05:00Z'));

    expect((await fake.installViaEvent(`http://127.0.0.1:${port}/bitrix/install`)).status).toBe(200);
    expect((await fake.runRobot('ping', DEAL_ID)).status).toBe(200);
    const sent = await waitFor(() => fake!.eventSends[0], 30_000);
    expect(String(sent?.accepted.portal_time)).toMatch(/^2026-12-20T09:0\d:\d\d\+03:00$/);
  }, 60_000);
});

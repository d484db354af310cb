/**
 * Acceptance: the service as a separate `qrbill serve` process is SIGKILLed after accepting a robot call
 * (HTTP only, worker off) and started again with the worker on the same DATA_DIR: the call is answered once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBitrix } from './fake-bitrix.js';
import { freePort, killGroup, sleep, spawnService, waitFor } from './service.js';
import { DEAL_ID, DEAL_TITLE, seedRentalDeal } from './seed.js';

describe('kill and restart (SQLite)', () => {
  const children: ChildProcess[] = [];
  let fake: FakeBitrix | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    for (const c of children.splice(0)) await killGroup(c);
    await fake?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a call accepted before SIGKILL is answered exactly once after the restart', async () => {
    fake = await FakeBitrix.start();
    seedRentalDeal(fake);
    dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-accept-'));
    const port = await freePort();
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      B24_CLIENT_ID: fake.clientId,
      B24_CLIENT_SECRET: fake.clientSecret,
      B24_OAUTH_HOSTS: fake.oauthHost,
    };

    const first = await spawnService({ ...env, WORKER_ENABLED: '0' });
    children.push(first.child);
    const install = await fake.installViaEvent(`http://127.0.0.1:${port}/bitrix/install`);
    expect(install.status, await install.text()).toBe(200);
    const run = await fake.runRobot('ping', DEAL_ID);
    expect(run.status, run.body).toBe(200);
    await sleep(1000);
    expect(fake.eventSends, 'HTTP-only process must not answer').toHaveLength(0);

    await killGroup(first.child);
    const second = await spawnService({ ...env, WORKER_ENABLED: '1' });
    children.push(second.child);
    const sent = await waitFor(() => fake!.eventSends[0], 30_000);
    expect(sent, `no bizproc.event.send after restart; service output:\n${second.output().slice(-3000)}`).toBeDefined();
    expect(sent!.token).toBe(run.token);
    expect(sent!.accepted).toMatchObject({ status: 'ok', deal_title: DEAL_TITLE });
    await sleep(2000);
    expect(fake.eventSends).toHaveLength(1);
  }, 90_000);
});

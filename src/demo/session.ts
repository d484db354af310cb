import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import { startSandbox, type Sandbox } from '../sandbox/portal.js';
import { seedDemoPortal, type DemoSeed } from '../sandbox/crm/index.js';
import type { DemoIo } from './narrator.js';

/** A sandbox portal and the service on this machine, on one clock, the app installed. */
export interface DemoSession {
  sandbox: Sandbox;
  seed: DemoSeed;
  server: RunningServer;
  clock: ManualClock;
  close(): Promise<void>;
}

/**
 * Starts the sandbox portal (seeded with the demo landlord, tenants and rental pipeline) and the service on a SQLite
 * database in a temporary folder, then installs the app into the portal the way an admin does.
 */
export async function startDemoSession(io: DemoIo, opts: { verbose?: boolean; now?: Date } = {}): Promise<DemoSession> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-demo-'));
  const clock = new ManualClock(opts.now ?? Date.now(), { running: true });
  const sandbox = await startSandbox({ clock });
  const seed = seedDemoPortal(sandbox.crm);
  const log = createLogger(opts.verbose ? 'info' : 'error');
  const config = loadConfig({
    DATA_DIR: dataDir,
    B24_CLIENT_ID: sandbox.clientId,
    B24_CLIENT_SECRET: sandbox.clientSecret,
    B24_OAUTH_HOSTS: sandbox.oauthHost,
    LOG_LEVEL: opts.verbose ? 'info' : 'error',
  });
  const server = await startServer(config, log, { clock, port: 0, publicUrlFromListen: true });
  const close = async () => {
    await server.stop();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    io.stdout(`Песочница Битрикс24: ${sandbox.baseUrl} (портал ${sandbox.domain})`);
    io.stdout(`Сервис QR-биллинга: ${server.url} (SQLite во временной папке)`);
    const installed = await sandbox.installApp(`${server.url}/bitrix/install`);
    io.stdout(`Приложение установлено (HTTP ${installed.status}): роботы ${[...sandbox.robots().keys()].join(', ')}`);
  } catch (err) {
    await close();
    throw err;
  }
  return { sandbox, seed, server, clock, close };
}

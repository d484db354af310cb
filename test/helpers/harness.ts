/**
 * The whole product on one machine: a sandbox Bitrix24 portal and the service (HTTP + worker) on a
 * test database, wired like a real installation (robot handlers on the service's URL, OAuth refresh
 * against the sandbox). Integration tests drive it the way an admin and a manager would.
 */
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger, createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/portal.js';
import { seedDemoPortal, type DemoSeed } from '../../src/sandbox/crm/index.js';
import type { DatabaseEngine, TestDatabase } from './databases.js';

export interface Harness {
  sandbox: Sandbox;
  seed: DemoSeed;
  server: RunningServer;
  database: TestDatabase;
  clock: ManualClock;
  /** `${server.url}` */
  url: string;
  install(): Promise<void>;
  /** Stops the service and starts a new one on the same database and port (a restart). */
  restart(opts?: { worker?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Start the job worker (default true). */
  worker?: boolean;
  /** Sandbox clock start (ticks with real time). Default 2026-11-25 09:00 Moscow. */
  now?: string;
  seed?: { rent?: number };
  /** Where the service logs go (default: nowhere, or TEST_LOG_LEVEL to stdout). */
  log?: import('../../src/log.js').Logger;
  /** The sandbox portal's REST budget (default: the standard plan's 2/s, burst 50). */
  limits?: { drainPerSec: number; burst: number };
}

function serviceConfig(sandbox: Sandbox, database: TestDatabase, worker: boolean) {
  return loadConfig({
    DATA_DIR: database.dataDir,
    B24_CLIENT_ID: sandbox.clientId,
    B24_CLIENT_SECRET: sandbox.clientSecret,
    // No B24_OAUTH_URL: tokens are renewed where the portal says (server_endpoint), as in production.
    B24_OAUTH_HOSTS: sandbox.oauthHost,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WORKER_ENABLED: worker ? '1' : '0',
    LINK_SECRET: 'test-link-secret-0123456789abcdef0123456789',
  });
}

export async function startHarness(engine: DatabaseEngine, opts: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock(opts.now ?? '2026-11-25T06:00:00Z', { running: true });
  const sandbox = await startSandbox({ clock, ...(opts.limits ? { limits: opts.limits } : {}) });
  const seed = seedDemoPortal(sandbox.crm, opts.seed ?? {});
  const database = await engine.open();
  const log = opts.log ?? (process.env.TEST_LOG_LEVEL ? createLogger(process.env.TEST_LOG_LEVEL) : silentLogger());
  let port = 0;
  const boot = async (worker: boolean) => {
    // Bitrix24 must reach the handlers at the address the service really listens on.
    const server = await startServer(serviceConfig(sandbox, database, worker), log, { clock, port, database, publicUrlFromListen: true });
    port = Number(new URL(server.url).port);
    return server;
  };
  const h: Harness = {
    sandbox,
    seed,
    server: await boot(opts.worker ?? true),
    database,
    clock,
    get url() {
      return h.server.url;
    },
    async install() {
      const res = await sandbox.installApp(`${h.server.url}/bitrix/install`);
      if (res.status !== 200) throw new Error(`install answered ${res.status}`);
    },
    async restart(o = {}) {
      await h.server.stop();
      h.server = await boot(o.worker ?? true);
    },
    async stop() {
      await h.server.stop();
      await sandbox.close();
      await database.close();
    },
  };
  return h;
}

export interface SecondInstance {
  server: RunningServer;
  /** Stops the instance and closes its connection pool. */
  stop(): Promise<void>;
}

/** Another service instance on the harness's database, with its own connection pool: a scaled-out deployment. */
export async function startSecondInstance(h: Harness): Promise<SecondInstance> {
  const pool = await h.database.reopen();
  const log = process.env.TEST_LOG_LEVEL ? createLogger(process.env.TEST_LOG_LEVEL) : silentLogger();
  const server = await startServer(serviceConfig(h.sandbox, h.database, true), log, { clock: h.clock, port: 0, database: pool });
  return {
    server,
    async stop() {
      await server.stop();
      await pool.close();
    },
  };
}

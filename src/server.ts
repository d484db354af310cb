import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Clock } from './clock.js';
import { createDeps, type AppDeps } from './deps.js';
import { buildApp } from './app.js';
import { createWorker, startMaintenance } from './worker.js';
import type { JobWorker } from './jobs/worker.js';
import type { AppDatabase } from './storage/db.js';

export interface RunningServer {
  deps: AppDeps;
  app: FastifyInstance;
  worker: JobWorker | null;
  url: string;
  stop(): Promise<void>;
}

/** A port the OS has free right now (a local run binds it a moment later). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts HTTP + worker in one process (the embedded default). Thin: everything lives in deps/app. */
export async function startServer(
  config: Config,
  log: Logger,
  opts: {
    clock?: Clock;
    port?: number;
    database?: AppDatabase;
    /** Local runs (demo, tests, benchmarks) on a random port: PUBLIC_URL becomes the address actually bound. */
    publicUrlFromListen?: boolean;
  } = {},
): Promise<RunningServer> {
  // A local run on a random port learns its port before anything is built, so the config (PUBLIC_URL, which robot
  // handlers and document links use) is final from the start.
  let port = opts.port ?? config.PORT;
  if (opts.publicUrlFromListen) {
    if (port === 0) port = await freePort(config.HOST);
    config = { ...config, PUBLIC_URL: `http://127.0.0.1:${port}` };
  }
  const deps = await createDeps(config, log, { clock: opts.clock, database: opts.database });
  const worker = config.WORKER_ENABLED ? createWorker(deps) : null;
  const app = await buildApp(deps);
  const address = await app.listen({ port, host: config.HOST });
  port = (app.server.address() as { port: number }).port;
  worker?.start();
  const stopMaintenance = worker ? startMaintenance(deps) : () => {};
  if (config.publicUrlIsDefault && !opts.publicUrlFromListen) {
    log.warn({ publicUrl: config.PUBLIC_URL }, 'PUBLIC_URL is not set: Bitrix24 cannot reach robot handlers on this address');
  }
  if (!config.B24_CLIENT_ID || !config.B24_CLIENT_SECRET) {
    log.warn('B24_CLIENT_ID / B24_CLIENT_SECRET are not set: access tokens cannot be refreshed');
  }
  log.info({ address, database: deps.database.dialect, publicUrl: config.PUBLIC_URL }, 'b24-qr-billing listening');
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      stopMaintenance();
      await app.close(); // stop taking deliveries first
      await worker?.stop(); // let running jobs finish
      if (deps.ownsDatabase) await deps.database.close();
    })());
  return { deps, app, worker, url: `http://127.0.0.1:${port}`, stop };
}

/**
 * Starts the service the way a new user configures it (README "Configuration") against a FakeBitrix:
 * in-process on a test database, or as a separate `qrbill serve` process for crash tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { silentLogger, createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { TestDatabase } from '../helpers/databases.js';
import type { FakeBitrix } from './fake-bitrix.js';

export async function startService(fake: FakeBitrix, database: TestDatabase): Promise<RunningServer> {
  const config = loadConfig({
    DATA_DIR: database.dataDir,
    B24_CLIENT_ID: fake.clientId,
    B24_CLIENT_SECRET: fake.clientSecret,
    B24_OAUTH_HOSTS: fake.oauthHost,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const log = process.env.TEST_LOG_LEVEL ? createLogger(process.env.TEST_LOG_LEVEL) : silentLogger();
  // Bitrix24 must reach the handlers at the address the service really listens on.
  const server = await startServer(config, log, { port: 0, database, publicUrlFromListen: true });
  return server;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/**
 * `npx tsx src/cli.ts serve` with the README's environment, or with `compiled` the built `node dist/cli.js serve` as
 * installed (build it first: buildService); resolves once /healthz answers.
 */
export async function spawnService(env: Record<string, string>, opts: { compiled?: boolean } = {}): Promise<{ child: ChildProcess; output: () => string }> {
  let out = '';
  const [cmd, args] = opts.compiled ? ['node', ['dist/cli.js', 'serve']] : ['npx', ['tsx', 'src/cli.ts', 'serve']];
  const child = spawn(cmd as string, args as string[], {
    cwd: new URL('../../', import.meta.url).pathname,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: npx → tsx → node, and a crash must take all of them down at once.
    detached: true,
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${out}`);
    const ok = await fetch(`http://127.0.0.1:${env.PORT}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { child, output: () => out };
    await sleep(100);
  }
  killGroup(child);
  throw new Error(`service did not become healthy:\n${out}`);
}

/** SIGKILL to the service's whole process group (the crash: no shutdown hooks run). */
export function killGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    return Promise.resolve();
  }
  return exited;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a truthy value or the time is up (then returns the last value). */
export async function waitFor<T>(check: () => T, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = check();
  while (!v && Date.now() < deadline) {
    await sleep(50);
    v = check();
  }
  return v;
}

/** `npm run build`: dist/ from the sources under test (a stale build would test yesterday's code). */
export function buildService(): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn('npm', ['run', 'build', '--silent'], { cwd: new URL('../../', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`npm run build failed (${code}):\n${out}`))));
  });
}

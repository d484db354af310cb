/**
 * The robot call's accept path under load, against a bare Fastify + `qs` form endpoint in the same run:
 * 50 connections for 10 s of unique robot calls (worker off, so it is acceptance alone: authenticate, record the
 * call and its job durably, answer) against each freshly started server — the figures the targets are read from —
 * then 10 s more on the warm service and a 10,000-call burst, with the service's peak RSS read from the kernel.
 * Both servers run as child processes of their own; the load generator (autocannon) runs here.
 *
 *   npm run bench accept        BENCH_ACCEPT_SECONDS=10 BENCH_ACCEPT_CONNECTIONS=50 BENCH_ACCEPT_BURST=10000
 *   BENCH_DATABASE_URL=postgres://…               the service on PostgreSQL (a schema of its own, dropped after)
 *   BENCH_NODE_FLAGS="--max-semi-space-size=32"   Node flags for both servers (e.g. to try GC settings)
 *   BENCH_PROFILE=/tmp/prof                        a CPU profile of the service
 *   BENCH_SERVICE_OUT=/tmp/out.log                 the service's stdout (with BENCH_NODE_FLAGS=--trace-gc: its pauses)
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import qs from 'qs';
import pg from 'pg';
import { openDatabase } from '../src/storage/db.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import { upsertPortal } from '../src/storage/portals.js';

const ROOT = new URL('../', import.meta.url).pathname;
const SECONDS = Number(process.env.BENCH_ACCEPT_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_ACCEPT_CONNECTIONS ?? 50);
const BURST = Number(process.env.BENCH_ACCEPT_BURST ?? 10_000);

const MEMBER_ID = 'bench0000000000000000000000000001';
const APP_TOKEN = randomBytes(16).toString('hex');
const DOMAIN = 'bench.bitrix24.ru';

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** A delivery as the queue server sends it (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md). */
function robotCall(n: number): string {
  const expires = Math.floor(Date.now() / 1000) + 3600;
  return qs.stringify({
    workflow_id: `bench${n}`,
    code: 'ping',
    document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
    document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
    event_token: `bench${n}.${process.pid}|A1_${n}|${randomBytes(8).toString('hex')}`,
    properties: { message: `Сделка ${n}` },
    use_subscription: 'Y',
    timeout_duration: '0',
    ts: String(Math.floor(Date.now() / 1000)),
    auth: {
      // The same pair in every call: nothing to adopt, as for calls of one portal within an hour.
      access_token: 'bench-access-token',
      refresh_token: 'bench-refresh-token',
      expires: String(expires),
      expires_in: '3600',
      scope: 'crm,bizproc',
      domain: DOMAIN,
      server_endpoint: 'https://oauth.bitrix24.tech/rest/',
      status: 'L',
      client_endpoint: `https://${DOMAIN}/rest/`,
      member_id: MEMBER_ID,
      user_id: '1',
      application_token: APP_TOKEN,
    },
  });
}

async function seed(dataDir: string, databaseUrl: string | undefined): Promise<void> {
  const database = await openDatabase({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
  await migrateToLatest(database);
  const now = new Date();
  await upsertPortal(database.db, {
    member_id: MEMBER_ID,
    domain: DOMAIN,
    client_endpoint: `https://${DOMAIN}/rest/`,
    server_endpoint: 'https://oauth.bitrix24.tech/rest/',
    application_token: APP_TOKEN,
    access_token: 'bench-access-token',
    refresh_token: 'bench-refresh-token',
    access_expires_at: new Date(now.getTime() + 3600_000).toISOString(),
    scope: 'crm,bizproc',
    user_id: 1,
    installed_at: now.toISOString(),
    updated_at: now.toISOString(),
  });
  await database.close();
}

function start(script: string, args: string[], env: Record<string, string>, profile = false): Promise<ChildProcess> {
  const child = fork(script, args, {
    cwd: ROOT,
    // Compiled JavaScript runs as is; TypeScript through tsx. BENCH_PROFILE=dir writes a V8 CPU profile of the
    // service (open it in Chrome DevTools) to find where time goes.
    execArgv: [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), ...(profile && process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])],
    env: { ...process.env, ...env },
    // BENCH_SERVICE_OUT=file keeps the service's stdout (its log lines, or --trace-gc output) for a look afterwards.
    stdio: ['ignore', profile && process.env.BENCH_SERVICE_OUT ? openSync(process.env.BENCH_SERVICE_OUT, 'w') : 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`${script} exited with ${code}`)));
    const port = env.PORT!;
    const poll = async () => {
      for (let i = 0; i < 300; i++) {
        const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
        if (up) return ok(child);
        await new Promise((r) => setTimeout(r, 100));
      }
      fail(new Error(`${script} did not start`));
    };
    void poll();
  });
}

interface Load {
  callsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function load(url: string, opts: { seconds?: number; amount?: number }): Promise<Load> {
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds }),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        setupRequest: (req) => ({ ...req, body: robotCall(n++) }),
      },
    ],
  });
  return {
    // Over the whole run: autocannon's per-second average misreads a burst that ends inside a second.
    callsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

/** CPU time a process used so far (user + system), in ms: /proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Peak resident set of a process so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : NaN;
}

const stop = (child: ChildProcess) =>
  new Promise<void>((ok) => {
    child.removeAllListeners('exit');
    child.once('exit', () => ok());
    child.kill('SIGTERM');
  });

export async function acceptBench(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-accept-'));
  const url = process.env.BENCH_DATABASE_URL;
  const schema = `bench_accept_${Date.now().toString(36)}`;
  const databaseUrl = url ? `${url}${url.includes('?') ? '&' : '?'}schema=${schema}` : undefined;
  try {
    await seed(dataDir, databaseUrl);
    const barePort = String(await freePort());
    const bare = await start('bench/accept/bare.ts', [], { PORT: barePort });
    // /healthz of the bare server is a 404, which still proves it listens.
    const bareCpuBefore = cpuMs(bare.pid!);
    const bareLoad = await load(`http://127.0.0.1:${barePort}/bitrix/robots/ping`, { seconds: SECONDS });
    const bareCpuPerCallUs = ((cpuMs(bare.pid!) - bareCpuBefore) * 1000) / bareLoad.total;
    await stop(bare);

    // The service as `npm start` runs it: the compiled build.
    execSync('npm run -s build', { cwd: ROOT, stdio: 'inherit' });
    const port = String(await freePort());
    const service = await start('dist/cli.js', ['serve'], {
      PORT: port,
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      WORKER_ENABLED: '0',
      LOG_LEVEL: 'info',
      B24_CLIENT_ID: 'local.bench',
      B24_CLIENT_SECRET: 'bench-secret',
    }, true);
    const cpuBefore = cpuMs(service.pid!);
    const ours = await load(`http://127.0.0.1:${port}/bitrix/robots/ping`, { seconds: SECONDS });
    // Calls/s and p99 swing with what else the two cores do; the CPU the service spent per call is steadier, so
    // it is the figure to compare when trying a change.
    const cpuPerCallUs = ((cpuMs(service.pid!) - cpuBefore) * 1000) / ours.total;
    // The same load again on the now warm process: what a billing day meets after the first seconds of a restart
    // (V8 optimises the hot path during the first second, which alone runs at about half speed).
    const warm = await load(`http://127.0.0.1:${port}/bitrix/robots/ping`, { seconds: SECONDS });
    const burst = await load(`http://127.0.0.1:${port}/bitrix/robots/ping`, { amount: BURST });
    const rss = peakRssMb(service.pid!);
    await stop(service);

    const ratio = ours.callsPerSecond / bareLoad.callsPerSecond;
    const row = (name: string, l: Load) =>
      `${name.padEnd(22)}: ${l.callsPerSecond.toFixed(0).padStart(6)} calls/s, p50 ${l.p50} ms, p99 ${l.p99} ms` +
      (l.non2xx || l.errors ? `, ${l.non2xx} non-2xx, ${l.errors} errors` : '');
    console.log(`${CONNECTIONS} connections, ${SECONDS} s of unique robot calls, worker off, ${databaseUrl ? 'PostgreSQL' : 'SQLite'}`);
    console.log(row('bare Fastify + qs', bareLoad));
    console.log(row('POST /bitrix/robots/ping', ours));
    console.log(row('  again, warm', warm));
    console.log(row(`burst of ${BURST}`, burst));
    console.log(`CPU per call          : ${cpuPerCallUs.toFixed(0)} µs (the bare endpoint: ${bareCpuPerCallUs.toFixed(0)} µs), all threads of the server`);
    console.log(`ratio                 : ${(ratio * 100).toFixed(0)}% of the bare endpoint`);
    console.log(`peak RSS (service)    : ${rss.toFixed(0)} MB after 2 × ${SECONDS} s + the burst`);
    console.log(
      `targets               : ≥ 40% ${ratio >= 0.4 ? 'met' : 'MISSED'}, p99 ≤ 20 ms ${ours.p99 <= 20 ? 'met' : 'MISSED'}, ` +
        `peak RSS ≤ 200 MB ${rss <= 200 ? 'met' : 'MISSED'}`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (url) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await acceptBench();

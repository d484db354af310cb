/**
 * Robot calls end to end on the embedded default (SQLite) against the sandbox portal:
 *  - how fast a delivery is acknowledged (the platform never retries, and slow handlers get
 *    deprioritised): p50/p95/p99 of the HTTP answer to a robot call, worker off, so it is pure acceptance;
 *  - invoices issued through generate_invoice under the portal's real budget (2 requests/s, burst 50):
 *    REST requests per invoice and invoices per minute.
 *
 *   npx tsx bench/robots.ts            BENCH_ACK_CALLS=300  BENCH_INVOICES=20
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import qs from 'qs';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/server.js';
import { startSandbox, type Sandbox } from '../src/sandbox/portal.js';
import { seedDemoPortal } from '../src/sandbox/crm/index.js';

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function boot(worker: boolean): Promise<{ sandbox: Sandbox; server: RunningServer; dealId: number; done: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-bench-'));
  const clock = new ManualClock(Date.now(), { running: true });
  const sandbox = await startSandbox({ clock });
  const seed = seedDemoPortal(sandbox.crm);
  const config = loadConfig({
    DATA_DIR: dataDir,
    B24_CLIENT_ID: sandbox.clientId,
    B24_CLIENT_SECRET: sandbox.clientSecret,
    B24_OAUTH_HOSTS: sandbox.oauthHost,
    LOG_LEVEL: 'silent',
    WORKER_ENABLED: worker ? '1' : '0',
  });
  const server = await startServer(config, silentLogger(), { clock, port: 0, publicUrlFromListen: true });
  await sandbox.installApp(`${server.url}/bitrix/install`);
  return {
    sandbox,
    server,
    dealId: seed.deals.tenant!,
    done: async () => {
      await server.stop();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function acknowledgement(calls: number): Promise<void> {
  const { sandbox, server, dealId, done } = await boot(false);
  try {
    const template = await sandbox.deliverRobotCall('ping', dealId, {});
    const samples: number[] = [];
    for (let i = 0; i < calls + 20; i++) {
      const body = qs.stringify({ ...template, event_token: `${String(template.event_token)}-${i}` });
      const t0 = performance.now();
      const res = await fetch(`${server.url}/bitrix/robots/ping`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`robot call answered ${res.status}`);
      if (i >= 20) samples.push(performance.now() - t0); // the first 20 warm up
    }
    console.log(
      `robot call acknowledged: p50 ${percentile(samples, 50).toFixed(2)} ms, p95 ${percentile(samples, 95).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms over ${calls} calls (recorded + enqueued in one SQLite transaction)`,
    );
  } finally {
    await done();
  }
}

async function invoices(count: number): Promise<void> {
  const { sandbox, dealId, done } = await boot(true);
  try {
    const before = sandbox.requests().length;
    const t0 = performance.now();
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const payload = await sandbox.deliverRobotCall('generate_invoice', dealId, { force_new: 'Y' });
      tokens.push(String(payload.event_token));
    }
    await sandbox.runUntilIdle({ timeoutMs: 10 * 60_000 });
    const seconds = (performance.now() - t0) / 1000;
    const answers = sandbox.eventSends().filter((e) => tokens.includes(e.eventToken) && e.returnValues.status === 'ok');
    // Requests the portal saw, not counting the robot deliveries themselves (those are the platform's).
    const requests = sandbox.requests().slice(before).filter((r) => !('inBatch' in r && r.inBatch)).length;
    const perInvoice = requests / count;
    console.log(
      `generate_invoice      : ${answers.length}/${count} invoices in ${seconds.toFixed(1)} s (inside the burst of 50) — ${perInvoice.toFixed(1)} REST requests per invoice; once the burst is spent the 2 req/s budget allows about ${((2 / perInvoice) * 60).toFixed(0)} invoices per minute per portal`,
    );
  } finally {
    await done();
  }
}

export async function robotsBench(): Promise<void> {
  await acknowledgement(Number(process.env.BENCH_ACK_CALLS ?? 300));
  await invoices(Number(process.env.BENCH_INVOICES ?? 20));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await robotsBench();

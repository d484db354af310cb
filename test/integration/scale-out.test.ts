/**
 * Two service instances behind a round-robin balancer on one PostgreSQL, as README "Running on
 * PostgreSQL" promises: every robot call is answered exactly once, whichever instance received it,
 * and invoice numbers stay gapless across both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, startSecondInstance, type Harness, type SecondInstance } from '../helpers/harness.js';
import type { RunningServer } from '../../src/server.js';
import { runMaintenance } from '../../src/worker.js';

const postgres = databaseEngines().filter((e) => e.name === 'postgres');

/** Forwards each request to the next backend in turn, like a load balancer in front of the instances. */
async function roundRobin(backends: () => string[]): Promise<{ url: string; hits: number[]; close(): Promise<void> }> {
  let next = 0;
  const hits: number[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const list = backends();
    const i = next++ % list.length;
    hits[i] = (hits[i] ?? 0) + 1;
    const r = await fetch(`${list[i]}${req.url}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' },
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
    });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.runIf(postgres.length > 0).each(postgres)('scale-out on $name', (engine) => {
  let h: Harness | undefined;
  let second: RunningServer | undefined;
  let balancer: Awaited<ReturnType<typeof roundRobin>> | undefined;
  let extra: SecondInstance | undefined;
  afterEach(async () => {
    await balancer?.close();
    await extra?.stop();
    extra = undefined;
    await h?.stop();
  });

  it('two instances answer every call exactly once and number invoices without gaps', async () => {
    h = await startHarness(engine);
    extra = await startSecondInstance(h);
    second = extra.server;
    const instances = [h.server, second];
    balancer = await roundRobin(() => instances.map((s) => s.url));
    for (const s of instances) s.deps.config.PUBLIC_URL = balancer.url;
    await h.install();

    const tokens: string[] = [];
    for (let i = 0; i < 12; i++) {
      const payload = await h.sandbox.deliverRobotCall('generate_invoice', h.seed.deals.tenant!, { force_new: 'Y' });
      tokens.push(String(payload.event_token));
      if (i % 3 === 0) await h.sandbox.redeliverRobotCall(payload); // a duplicate lands on the other instance
    }
    await h.sandbox.runUntilIdle({ timeoutMs: 30_000 });

    expect(balancer.hits[0]).toBeGreaterThan(0);
    expect(balancer.hits[1]).toBeGreaterThan(0);
    const numbers: number[] = [];
    for (const token of tokens) {
      const answers = h.sandbox.eventSends().filter((e) => e.eventToken === token);
      expect(answers, token).toHaveLength(1);
      expect(answers[0]!.returnValues.status).toBe('ok');
      numbers.push(Number(answers[0]!.returnValues.invoice_number));
    }
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('two instances passing over the same due work at once create each lease period and send each ladder step once', async () => {
    h = await startHarness(engine, { now: '2026-12-20T10:00:00+03:00' });
    extra = await startSecondInstance(h);
    second = extra.server;
    await h.install();
    const contract = h.seed.deals.tenant!;
    await h.sandbox.deliverRobotCall('start_lease_billing', contract, { lease_start: '2027-01-01', lease_end: '2027-04-30', period: 'month' });
    await h.sandbox.runUntilIdle();
    const invoice = await h.sandbox.deliverRobotCall('generate_invoice', h.seed.deals.soleTrader!, { due_days: '5' });
    await h.sandbox.runUntilIdle();
    expect(h.sandbox.eventSends().find((e) => e.eventToken === invoice.event_token)?.returnValues.status).toBe('ok');

    h.clock.set('2027-03-30T10:00:00+03:00'); // four control dates and the whole ladder are due at once
    const both = () => Promise.all([runMaintenance(h!.server.deps), runMaintenance(second!.deps)]);
    for (let i = 0; i < 6; i++) {
      await both();
      await h.sandbox.runUntilIdle({ timeoutMs: 30_000 });
      await new Promise((r) => setTimeout(r, 200));
    }
    const periods = [...h.sandbox.crm.deals.values()].filter((d) => d.UF['UF_CRM_QRB_CONTRACT'] === String(contract)).map((d) => d.UF['UF_CRM_QRB_PER_FROM']);
    expect(periods.sort()).toEqual(['2027-01-01', '2027-02-01', '2027-03-01', '2027-04-01']);
    const manager = h.sandbox.crm.notificationsFor(h.seed.users.manager).filter((n) => n.message.includes('просрочка'));
    expect(manager).toHaveLength(1);
  });
});

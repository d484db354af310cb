/**
 * The portal misbehaving while invoices are issued — every other request refused as over the limit,
 * the access token expiring mid-run: the manager still sees exactly one answer, one timeline comment
 * and one number per deal.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseEngines } from '../helpers/databases.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import {
  RENT,
  STAGE,
  callTokens,
  flat,
  httpRequests,
  invoiceOnIssueStage,
  moveIfOk,
  onlyAnswer,
  pdfAt,
  robot,
} from './invoicing-kit.js';

/** mulberry32: a small deterministic generator, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A gateway between the service and the portal that forwards every REST request, but for the first
 * request matching each pattern lets the portal act and then answers 504 with an HTML page, as a
 * balancer does when the portal is slow: the write happened, the service cannot know.
 */
async function answerLosingGateway(h: Harness, patterns: string[]): Promise<{ lost: string[]; close(): Promise<void> }> {
  const pending = new Set(patterns);
  const lost: string[] = [];
  const target = new URL(h.sandbox.restUrl);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = `${target.origin}${req.url ?? '/'}`;
      void fetch(url, { method: req.method ?? 'POST', headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, body })
        .then(async (upstream) => {
          const text = await upstream.text();
          const seen = `${req.url ?? ''} ${body.toString('utf8')}`;
          const hit = [...pending].find((p) => seen.includes(p));
          if (hit && upstream.status === 200) {
            pending.delete(hit);
            lost.push(hit);
            res.writeHead(504, { 'content-type': 'text/html' }).end('<html><body><h1>504 Gateway Time-out</h1></body></html>');
            return;
          }
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(text);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await h.database.db
    .updateTable('portals')
    .set({ client_endpoint: `http://127.0.0.1:${port}${target.pathname}` })
    .where('member_id', '=', h.sandbox.memberId)
    .execute();
  return { lost, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Waits for automation to go idle, moving the clock on so that retries scheduled by the queue come due. */
async function settle(h: Harness, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await h.sandbox.runUntilIdle({ timeoutMs: 300 });
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      h.clock.advance(30_000);
    }
  }
}

describe.each(databaseEngines())('invoicing under faults on $name', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('half the requests refused (503) and the token expiring mid-run: one ok answer, one comment, numbers 1 and 2', async () => {
    h = await startHarness(engine);
    await h.install();
    invoiceOnIssueStage(h);
    const { tenant, soleTrader } = h.seed.deals;
    const before = httpRequests(h).length;
    h.sandbox.setFaults({ rate503: 0.5, random: seeded(20261125) });

    await Promise.all([h.sandbox.moveDeal(tenant, STAGE.issue), h.sandbox.moveDeal(soleTrader, STAGE.issue)]);
    // Expire the tokens once the service has started talking to the portal.
    await until(() => httpRequests(h).length > before);
    h.sandbox.expireAccessTokens();
    await h.sandbox.runUntilIdle({ timeoutMs: 40_000 });
    h.sandbox.setFaults({});

    const spent = httpRequests(h).slice(before);
    expect(spent.filter((r) => r.httpStatus === 503).length, 'faults were injected').toBeGreaterThan(0);
    expect(spent.filter((r) => r.method === 'oauth.token').length, 'the token was refreshed').toBeGreaterThan(0);

    const numbers: string[] = [];
    for (const dealId of [tenant, soleTrader]) {
      const tokens = callTokens(h, dealId, 'generate_invoice');
      expect(tokens).toHaveLength(1);
      const a = onlyAnswer(h, tokens[0]!);
      expect(a).toMatchObject({ status: 'ok', amount_due: 25000 });
      numbers.push(String(a.invoice_number));
      expect(h.sandbox.crm.commentsOf('deal', dealId)).toHaveLength(1);
      const deal = h.sandbox.crm.deals.get(dealId)!;
      expect(deal.STAGE_ID).toBe(STAGE.sent);
      expect(deal.UF.UF_CRM_QRB_INV_NO).toBe(a.invoice_number);
      expect(flat((await pdfAt(String(a.invoice_url))).text)).toContain(`Счет на оплату № ${String(a.invoice_number)} от`);
    }
    expect(numbers.sort()).toEqual(['1', '2']);
  }, 60_000);

  it('answers lost after the portal acted (504 from a gateway): the invoice still ok with one comment, one smart invoice, one e-mail', async () => {
    h = await startHarness(engine);
    await h.install();
    h.sandbox.setStageAutomation(RENT, STAGE.issue, [
      robot('generate_invoice', { create_smart_invoice: 'Y' }),
      robot('send_documents'),
      moveIfOk('send_documents', STAGE.sent),
    ]);
    const gateway = await answerLosingGateway(h, ['crm.timeline.comment.add', 'crm.item.add', 'crm.activity.add']);
    try {
      const dealId = h.seed.deals.tenant;
      await h.sandbox.moveDeal(dealId, STAGE.issue);
      await settle(h);
      expect(gateway.lost).toEqual(['crm.timeline.comment.add', 'crm.item.add', 'crm.activity.add']);

      const invoice = onlyAnswer(h, callTokens(h, dealId, 'generate_invoice')[0]!);
      expect(invoice).toMatchObject({ status: 'ok', error_text: '', invoice_number: '1' });
      expect(h.sandbox.crm.commentsOf('deal', dealId)).toHaveLength(1);
      expect(h.sandbox.crm.deals.get(dealId)!.UF.UF_CRM_QRB_INV_NO).toBe('1');
      const smart = [...h.sandbox.crm.invoices.values()];
      expect(smart).toHaveLength(1);
      expect(invoice.smart_invoice_id).toBe(smart[0]!.ID);
      expect(smart[0]!.TITLE).toBe('Счёт № 1 от 25.11.2026');
      expect(smart[0]!.OPPORTUNITY).toBe(25000);
      expect(h.sandbox.crm.productRowsOf('SI', smart[0]!.ID)).toHaveLength(1);

      expect(onlyAnswer(h, callTokens(h, dealId, 'send_documents')[0]!).status).toBe('ok');
      expect(h.sandbox.crm.sentEmails).toHaveLength(1);
      expect(h.sandbox.crm.deals.get(dealId)!.STAGE_ID).toBe(STAGE.sent);
      // Nobody was bothered with a transient failure.
      expect(h.sandbox.crm.notifications).toHaveLength(0);
    } finally {
      await gateway.close();
    }
  }, 30_000);

  it('a repeated run with create_smart_invoice returns the smart invoice of the same invoice instead of adding one', async () => {
    h = await startHarness(engine);
    await h.install();
    const { tenant, soleTrader } = h.seed.deals;
    const run = async (dealId: number) => {
      const payload = await h.sandbox.deliverRobotCall('generate_invoice', dealId, { create_smart_invoice: 'Y' });
      await h.sandbox.runUntilIdle();
      return onlyAnswer(h, String(payload.event_token));
    };
    const a = await run(tenant);
    const b = await run(soleTrader);
    const again = await run(soleTrader);
    expect([a.status, b.status, again.status]).toEqual(['ok', 'ok', 'ok']);
    expect(again.invoice_number).toBe(b.invoice_number);
    expect(again.smart_invoice_id).toBe(b.smart_invoice_id);
    expect(a.smart_invoice_id).not.toBe(b.smart_invoice_id);
    expect(h.sandbox.crm.invoices.size).toBe(2);
  });
});

/**
 * Acceptance: generate_invoice on a rental deal of an independent fake Bitrix24 — the answer carries
 * working document links, and a seller with a broken INN gets status=error naming the INN.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseEngines, type TestDatabase } from '../helpers/databases.js';
import type { RunningServer } from '../../src/server.js';
import { FakeBitrix } from './fake-bitrix.js';
import { startService, waitFor } from './service.js';
import { AMOUNT_DUE, DEAL_ID, seedRentalDeal } from './seed.js';

async function pdfText(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/pdf/);
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  const dir = mkdtempSync(path.join(tmpdir(), 'qrbill-pdf-'));
  try {
    writeFileSync(path.join(dir, 'doc.pdf'), bytes);
    return execFileSync('pdftotext', ['-layout', path.join(dir, 'doc.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function decodeQr(png: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'qrbill-qr-'));
  try {
    writeFileSync(path.join(dir, 'qr.png'), png);
    return execFileSync('zbarimg', ['--raw', '-q', path.join(dir, 'qr.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "32 001,00" / "32001.00" with any kind of space. */
const hasAmount = (text: string) => /32[\s\u00a0\u202f]?001[,.]00/.test(text);

describe.each(databaseEngines())('generate_invoice against a fake Bitrix24 on $name', (engine) => {
  let fake: FakeBitrix;
  let database: TestDatabase;
  let server: RunningServer;

  const boot = async (sellerInn?: string) => {
    seedRentalDeal(fake, { sellerInn });
    const res = await fake.installViaEvent(`${server.url}/bitrix/install`);
    expect(res.status, await res.text()).toBe(200);
  };

  beforeEach(async () => {
    fake = await FakeBitrix.start();
    database = await engine.open();
    server = await startService(fake, database);
  });
  afterEach(async () => {
    await server?.stop();
    await fake?.close();
    await database?.close();
  });

  it('issues a QR-invoice with working PDF links and the amount of both product rows', async () => {
    await boot();
    const run = await fake.runRobot('generate_invoice', DEAL_ID, { document_kind: 'qr_invoice' });
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0], 20_000);
    expect(sent, 'bizproc.event.send').toBeDefined();
    const v = sent!.accepted;
    expect(v.status, String(v.error_text)).toBe('ok');
    expect(String(v.invoice_number)).toMatch(/\S/);
    expect(Number(v.amount_due)).toBe(AMOUNT_DUE);

    for (const key of ['qr_invoice_url', 'invoice_url']) {
      expect(String(v[key] ?? ''), key).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      const text = await pdfText(String(v[key]));
      expect(hasAmount(text), `${key} shows 32 001,00:\n${text.slice(0, 1500)}`).toBe(true);
      expect(text).toMatch(new RegExp(`№\\s*${String(v.invoice_number)}\\b`));
      expect(text).toContain('7725088527');
    }
    // The QR image decodes to a GOST R 56042 payload with the seller's account and the sum in kopecks.
    const png = await fetch(String(v.qr_image_url));
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toMatch(/image\/png/);
    const qr = decodeQr(Buffer.from(await png.arrayBuffer()));
    expect(qr).toMatch(/^ST00012\|/);
    for (const part of ['PersonalAcc=40702810138250123017', 'BIC=044525225', 'CorrespAcc=30101810400000000225', 'PayeeINN=7725088527', 'Sum=3200100']) {
      expect(qr.split('|'), qr).toContain(part);
    }
    // The deal remembers the invoice (the fields the install created).
    const deal = fake.crm.deals.get(DEAL_ID)!;
    expect(deal.UF_CRM_QRB_INV_NO).toBe(String(v.invoice_number));
  });

  it("prints the parties' legal addresses kept in the requisites' addresses (crm.address.list)", async () => {
    await boot();
    const run = await fake.runRobot('generate_invoice', DEAL_ID, { document_kind: 'invoice' });
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0], 20_000);
    expect(sent?.accepted.status, String(sent?.accepted.error_text)).toBe('ok');
    const text = (await pdfText(String(sent!.accepted.invoice_url))).replace(/\s+/g, ' ');
    expect(text, 'seller address').toContain('Дубининская');
    expect(text, 'buyer address').toContain('Сущёвский Вал');
  });

  it('send_documents e-mails the issued invoice to the client as a CRM e-mail activity with the PDFs', async () => {
    await boot();
    const issue = await fake.runRobot('generate_invoice', DEAL_ID, { document_kind: 'qr_invoice' });
    expect(issue.status, issue.body).toBe(200);
    const issued = await waitFor(() => fake.eventSends[0], 20_000);
    expect(issued?.accepted.status, String(issued?.accepted.error_text)).toBe('ok');

    const run = await fake.runRobot('send_documents', DEAL_ID, { documents: ['invoice', 'qr_invoice'] });
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[1], 20_000);
    expect(sent, 'bizproc.event.send of send_documents').toBeDefined();
    expect(sent!.accepted.status, String(sent!.accepted.error_text)).toBe('ok');

    expect(fake.crm.activities).toHaveLength(1);
    const mail = fake.crm.activities[0]!;
    // §6.6: TYPE_ID 4 + DIRECTION 2 + COMPLETED Y together, or nothing is sent.
    expect(mail).toMatchObject({ OWNER_TYPE_ID: expect.anything(), OWNER_ID: expect.anything() });
    expect([String(mail.TYPE_ID), String(mail.DIRECTION), String(mail.COMPLETED)]).toEqual(['4', '2', 'Y']);
    expect(String(mail.OWNER_ID)).toBe(DEAL_ID);
    const to = (mail.COMMUNICATIONS as Array<{ VALUE?: string }>).map((c) => c.VALUE);
    expect(to.some((a) => a === 'tenant@example.ru' || a === 'buh@arendator.example.ru'), JSON.stringify(to)).toBe(true);
    const files = (mail.FILES ?? []) as Array<{ fileData?: [string, string] }>;
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const f of files) {
      expect(f.fileData?.[0]).toMatch(/\.pdf$/);
      expect(Buffer.from(String(f.fileData?.[1]), 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    }
    expect(String(sent!.accepted.activity_id)).toBe(String(mail.ID));
  });

  it('generate_act after an invoice for a period given as a Russian portal renders dates (DD.MM.YYYY)', async () => {
    await boot();
    const issue = await fake.runRobot('generate_invoice', DEAL_ID, { period_from: '01.12.2026', period_to: '31.12.2026' });
    expect(issue.status, issue.body).toBe(200);
    const issued = await waitFor(() => fake.eventSends[0], 20_000);
    expect(issued?.accepted.status, String(issued?.accepted.error_text)).toBe('ok');

    // The December act is issued early on purpose: the service's clock may be before 31.12.2026.
    const run = await fake.runRobot('generate_act', DEAL_ID, { allow_early: 'Y' });
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[1], 20_000);
    expect(sent, 'bizproc.event.send of generate_act').toBeDefined();
    expect(sent!.accepted.status, String(sent!.accepted.error_text)).toBe('ok');
    const text = await pdfText(String(sent!.accepted.act_url));
    expect(text).toMatch(/Акт/);
    expect(text).toMatch(/31\.12\.2026|декабр/);
    expect(hasAmount(text)).toBe(true);
  });

  it('invoices a deal whose requisites were never chosen in the card (crm.requisite.link.get: Not found)', async () => {
    await boot();
    fake.crm.links.clear();
    const run = await fake.runRobot('generate_invoice', DEAL_ID, { document_kind: 'invoice' });
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0], 20_000);
    expect(sent, 'bizproc.event.send').toBeDefined();
    expect(sent!.accepted.status, String(sent!.accepted.error_text)).toBe('ok');
    const text = await pdfText(String(sent!.accepted.invoice_url));
    expect(text).toContain('7725088527'); // the portal's own company («My company») as the seller
    expect(text).toContain('7715034360'); // the deal company's requisites as the buyer
    expect(hasAmount(text)).toBe(true);
  });

  it('answers status=error naming the INN when the seller INN checksum is wrong', async () => {
    await boot('7725088528');
    const run = await fake.runRobot('generate_invoice', DEAL_ID, { document_kind: 'qr_invoice' });
    expect(run.status, run.body).toBe(200);
    const sent = await waitFor(() => fake.eventSends[0], 20_000);
    expect(sent, 'bizproc.event.send').toBeDefined();
    expect(sent!.accepted.status).toBe('error');
    expect(String(sent!.accepted.error_text)).toMatch(/ИНН/);
  });
});

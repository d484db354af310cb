/**
 * A whole statement import on a real database: N open invoices stored as the robot stores them (a snapshot per
 * invoice), then `importStatement` of the bench's N-payment statement — the portal's payments lock, reading the open
 * invoices, matching, recording payments, allocations and effects jobs in one transaction — and the same file again
 * (all duplicates). Prints the times; nothing is asserted.
 *
 *   npm run bench payments-import      BENCH_IMPORT_SIZE=100000, BENCH_DATABASE_URL=postgres://… for PostgreSQL
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { systemClock } from '../src/clock.js';
import { silentLogger } from '../src/log.js';
import { JobStore } from '../src/jobs/store.js';
import { WorkSignal } from '../src/jobs/signal.js';
import { openDatabase } from '../src/storage/db.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import { upsertPortal } from '../src/storage/portals.js';
import { importStatement } from '../src/payments/apply.js';
import { LANDLORD, PREFIX, documents, invoices } from './paymentsData.js';
import { encodeStatement, writeStatement } from '../src/payments/statement/write.js';

const MEMBER = 'bench-member';

export async function paymentsImportBench(): Promise<void> {
  const n = Number(process.env.BENCH_IMPORT_SIZE ?? 100_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-bench-import-'));
  const url = process.env.BENCH_DATABASE_URL;
  const schema = `bench_import_${Date.now().toString(36)}`;
  const databaseUrl = url ? `${url}${url.includes('?') ? '&' : '?'}schema=${schema}` : undefined;
  const database = await openDatabase({ dataDir, ...(databaseUrl ? { databaseUrl } : {}), log: silentLogger() });
  try {
    await migrateToLatest(database);
    const now = new Date();
    await upsertPortal(database.db, {
      member_id: MEMBER, domain: 'bench.bitrix24.ru', client_endpoint: 'https://bench.bitrix24.ru/rest/', server_endpoint: 'https://oauth.bitrix.info/rest/',
      application_token: 'x', access_token: 'x', refresh_token: 'x', access_expires_at: now.toISOString(), scope: 'crm', installed_at: now.toISOString(), updated_at: now.toISOString(),
    } as never);
    const list = invoices(n);
    const t0 = performance.now();
    for (let i = 0; i < list.length; i += 500) {
      await database.db
        .insertInto('documents')
        .values(
          list.slice(i, i + 500).map((inv) => ({
            member_id: MEMBER, kind: 'invoice' as const, doc_kind: 'qr_invoice' as const, seller_key: LANDLORD.inn, year: 2026, seq: Number(inv.id), number: inv.number,
            doc_date: inv.date, due_date: inv.date, period_from: null, period_to: null, deal_id: Number(inv.dealId), invoice_id: null, amount_kopecks: inv.totalKopecks, vat_kopecks: 0,
            snapshot_json: JSON.stringify(snapshotOf(inv.number, inv.date, inv.buyerInn, inv.totalKopecks)), state: 'issued', link_version: 1,
            idempotency_key: `bench:${inv.id}`, created_by: 'bench', created_at: now.toISOString(), updated_at: now.toISOString(),
          })),
        )
        .execute();
    }
    const seeded = performance.now() - t0;
    const bytes = encodeStatement(writeStatement({ account: LANDLORD.account, dateFrom: '2026-01-01', dateTo: '2026-12-31', documents: documents(list) }), 'windows-1251');
    const deps = { database, jobs: new JobStore(database, systemClock), clock: systemClock, log: silentLogger(), work: new WorkSignal() };
    const t1 = performance.now();
    const first = await importStatement(deps, MEMBER, bytes);
    const t2 = performance.now();
    const again = await importStatement(deps, MEMBER, bytes);
    const t3 = performance.now();
    console.log(`database         : ${database.dialect}, ${n} open invoices stored in ${(seeded / 1000).toFixed(1)} s`);
    console.log(`first import     : ${(t2 - t1).toFixed(0)} ms — ${Object.entries(first.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`same file again  : ${(t3 - t2).toFixed(0)} ms — duplicate ${again.counts.duplicate}, skipped ${again.counts.skipped}`);
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (url) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
    }
  }
}

/** About what generate_invoice stores: parties, bank, one line, totals (no images). */
function snapshotOf(number: string, date: string, buyerInn: string, totalKopecks: number) {
  return {
    kind: 'qr_invoice', number: number.replace(PREFIX, ''), date, dueDate: date, currency: 'RUB',
    seller: { name: LANDLORD.name, inn: LANDLORD.inn, kpp: LANDLORD.kpp, ogrn: '1027700000000', address: '125009, г. Москва, ул. Тверская, д. 1, офис 1', director: 'Иванов И. И.', accountant: 'Петрова П. П.', bank: { name: LANDLORD.bank.name, bic: LANDLORD.bank.bic, corrAccount: LANDLORD.bank.corrAccount, account: LANDLORD.account } },
    buyer: { name: `ООО "Арендатор ${buyerInn}"`, inn: buyerInn, kpp: '770101001', address: '101000, г. Москва, ул. Мясницкая, д. 2' },
    lines: [{ name: 'Арендная плата за помещение по договору № 12/А от 01.01.2026 за период', quantity: 1, unit: 'мес.', price: (totalKopecks / 100).toFixed(2), amountKopecks: totalKopecks }],
    vat: { mode: 'included', rate: 22 }, totals: { amountKopecks: totalKopecks, vatKopecks: Math.round((totalKopecks * 22) / 122) },
    qr: { mode: 'gost' }, basis: 'Договор аренды № 12/А от 01.01.2026', purpose: `Оплата по счету № ${number} от ${date}`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await paymentsImportBench();

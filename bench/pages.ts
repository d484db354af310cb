/**
 * The app's pages on a busy portal: 10,000 invoices over a year (about 830 tenants billed monthly), the payments
 * that paid most of them (some in part, some late, some not at all), the overdue ladder's steps on the unpaid ones
 * and 200 leases billing themselves — written straight through the storage functions, on SQLite and, when it is
 * reachable, on PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, in a schema of
 * its own dropped afterwards). Then every page in PAGES (whatever pages exist when it runs) is requested as the
 * portal's admin would open it: p50 / p95 / max over BENCH_PAGE_REQUESTS sequential requests, and its weight —
 * the HTML plus every asset it loads, raw and gzipped. Prints the figures against the targets (≤ 200 ms,
 * ≤ 300 KB), never asserts them.
 *
 *   npm run bench -- pages        BENCH_PAGE_INVOICES=10000  BENCH_PAGE_REQUESTS=50
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import qs from 'qs';
import pg from 'pg';
import { DateTime } from 'luxon';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/server.js';
import { startSandbox, type Sandbox } from '../src/sandbox/portal.js';
import { seedDemoPortal } from '../src/sandbox/crm/index.js';
import { openDatabase, transaction, type AppDatabase } from '../src/storage/db.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import { issueDocument } from '../src/storage/documents.js';
import { recordPayments } from '../src/storage/payments.js';
import { claimStep, finishStep } from '../src/storage/overdueSteps.js';
import { claimPeriod, finishPeriod, saveSchedule } from '../src/storage/leases.js';
import { stepInstant } from '../src/overdue/planner.js';
import { DEFAULT_LADDER, stepKey } from '../src/overdue/ladder.js';
import { PAGES } from '../src/web/pages/index.js';
import type { DocumentModel } from '../src/documents/model.js';

const NOW = '2026-11-20T11:00:00+03:00';
const ZONE = 'Europe/Moscow';
const TARGET_MS = 200;
const TARGET_BYTES = 300 * 1024;
const LEASES = 200;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const day = (iso: string, n: number) => DateTime.fromISO(iso).plus({ days: n }).toISODate()!;

/** A snapshot as the robot stores it (the pages read the buyer's name from it); about a kilobyte, like a real one. */
function snapshot(number: string, date: string, dueDate: string, tenant: number, kopecks: number, period: { from: string; to: string }): DocumentModel {
  return {
    kind: 'qr_invoice',
    number,
    date,
    dueDate,
    period,
    seller: {
      name: 'ООО «Арендодатель»', inn: '7704123450', kpp: '770401001', ogrn: '1027700000001', address: 'г. Москва, ул. Ленина, д. 1',
      director: 'Иванов И.И.', accountant: 'Петрова А.А.',
      bank: { name: 'ПАО СБЕРБАНК', bic: '044525225', corrAccount: '30101810400000000225', account: '40702810138250123017' },
    },
    buyer: { name: `ООО «Арендатор ${tenant}»`, inn: String(7700000000 + tenant), kpp: '770101001', address: `г. Москва, ул. Садовая, д. ${tenant}` },
    basis: `Договор аренды № ${tenant} от 01.02.2025`,
    lines: [{ name: `Аренда нежилого помещения № ${tenant} за период с ${period.from} по ${period.to}`, quantity: 1, unit: 'мес', price: (kopecks / 100).toFixed(2) }],
    vat: { mode: 'included', rate: 22 },
    qr: { mode: 'gost' },
  };
}

interface SeedCounts {
  invoices: number;
  payments: number;
  steps: number;
  leases: number;
  periods: number;
  seconds: number;
}

/**
 * A year of billing: invoice i goes to tenant i mod T in month ⌊i / T⌋ (T tenants, twelve months up to this one).
 * 88 % are paid in full (a tenth of those late), 5 % in part, the rest not at all; unpaid ones past their due date
 * have the ladder's steps done up to today.
 */
type Db = AppDatabase['db'];

async function seed(db: Db, memberId: string, invoices: number, now: Date, dealIds: number[]): Promise<SeedCounts> {
  const t0 = performance.now();
  const tenants = Math.ceil(invoices / 12);
  const today = DateTime.fromJSDate(now, { zone: ZONE });
  const todayIso = today.toISODate()!;
  const firstMonth = today.startOf('month').minus({ months: 11 });
  let payments = 0;
  let steps = 0;
  let later: Array<(trx: Db) => Promise<void>> = [];
  const flush = async () => {
    const batch = later;
    later = [];
    if (batch.length) await transaction(db, async (trx) => { for (const f of batch) await f(trx); });
  };
  for (let i = 0; i < invoices; i++) {
    const tenant = i % tenants;
    const month = firstMonth.plus({ months: Math.floor(i / tenants) });
    const date = month.plus({ days: tenant % 5 }).toISODate()!;
    if (date > todayIso) continue;
    const dueDate = day(date, 5);
    const kopecks = 1_500_000 + (tenant % 37) * 100_000;
    const period = { from: month.toISODate()!, to: month.endOf('month').toISODate()! };
    // Tenant 0 rents through the seeded deal (its tab shows a year of invoices); the others' deals need not exist.
    const dealId = tenant === 0 ? dealIds[0]! : 10_000 + tenant;
    const { doc } = await issueDocument(
      db,
      {
        memberId, kind: 'invoice', docKind: 'qr_invoice', sellerKey: '7704123450/770401001', date, idempotencyKey: `bench:${i}`, createdBy: `bench-${i}`,
        dealId, dueDate, periodFrom: period.from, periodTo: period.to, amountKopecks: kopecks, vatKopecks: Math.round((kopecks * 22) / 122), initialState: 'issued',
        build: (seq) => ({ number: `АР-${date.slice(0, 4)}-${seq}`, snapshot: snapshot(`АР-${date.slice(0, 4)}-${seq}`, date, dueDate, tenant, kopecks, period) }),
      },
      now,
    );
    const kind = i % 100;
    const paid = kind < 88 ? kopecks : kind < 93 ? Math.floor(kopecks / 2) : 0;
    const payDate = day(date, kind % 10 === 0 ? 12 : 1 + (i % 4)); // every tenth one late
    // What follows the invoice is written in transactions of a few hundred invoices (a commit each is slow).
    later.push(async (db) => {
      if (paid > 0 && payDate <= todayIso) {
        await recordPayments(
          db, memberId,
          [{
            bankKey: `bench:${i}`, source: 'statement', payDate, number: String(1000 + i), amountKopecks: paid, payerInn: String(7700000000 + tenant),
            payerName: `ООО «Арендатор ${tenant}»`, payerAccount: `40702810${String(tenant).padStart(12, '0')}`, payeeAccount: '40702810138250123017',
            purpose: `Оплата по счету № ${doc.number}`, result: paid === kopecks ? 'paid' : 'partially_paid', reason: 'bench', excessKopecks: 0, candidates: [],
            allocations: [{ invoiceId: doc.id, amountKopecks: paid }],
          }],
          now,
        );
        payments++;
        if (paid === kopecks) return;
      }
      for (const step of DEFAULT_LADDER) {
        const at = stepInstant(dueDate, step, ZONE);
        if (at > now) break;
        const key = stepKey(step);
        await claimStep(db, { memberId, invoiceId: doc.id, stepKey: key, status: 'claimed', dueAt: at, now: at });
        await finishStep(db, doc.id, key, 'done', 'bench', at);
        steps++;
      }
    });
    if (later.length >= 500 || i === invoices - 1) await flush();
  }
  await flush();
  // A few manual-queue payments that matched nothing, as statements always bring.
  await transaction(db, async (db) => {
    for (let k = 0; k < invoices / 100; k++) {
      await recordPayments(
        db, memberId,
        [{
          bankKey: `bench:manual:${k}`, source: 'statement', payDate: day(todayIso, -(k % 60)), number: String(90000 + k), amountKopecks: 1_234_500 + k,
          payerInn: '500100732259', payerName: 'ИП Третье Лицо', payerAccount: '40802810000000000001', payeeAccount: '40702810138250123017',
          purpose: 'Арендная плата', result: 'manual', reason: 'no invoice found', excessKopecks: 0, candidates: [], allocations: [],
        }],
        now,
      );
      payments++;
    }
  });
  // Leases: monthly, started in the last two years, each past period's deal created.
  let periods = 0;
  await transaction(db, async (db) => {
    for (let k = 0; k < LEASES; k++) {
      const start = today.startOf('month').minus({ months: 1 + (k % 24) }).toISODate()!;
      const { schedule } = await saveSchedule(db, {
        memberId, contractDealId: 50_000 + k,
        properties: { lease_start: start, period: 'month', anchor_day: '1', bill_days_before: String(3 + (k % 10)), contract_number: `А-${k}` },
        deal: { title: `Аренда офиса ${100 + k} — ООО «Арендатор ${k}»`, companyId: 1, contactId: 1, assignedById: 1, categoryId: 1, targetCategoryId: 1, targetStageId: null, requisiteLink: null },
        rows: [{ name: `Аренда помещения № ${100 + k}`, priceKopecks: 2_500_000 + k * 1000, quantity: 1, taxRate: 22, taxIncluded: true, measureCode: null }],
        scheduledOn: start, now,
      });
      for (let m = DateTime.fromISO(start); m.toISODate()! <= todayIso; m = m.plus({ months: 1 })) {
        const from = m.toISODate()!;
        const control = day(from, -(3 + (k % 10)));
        if (control > todayIso) break;
        await claimPeriod(db, { scheduleId: schedule.id, from, to: m.endOf('month').toISODate()!, controlDate: control, now });
        await finishPeriod(db, schedule.id, from, 'created', 70_000 + periods, null, now);
        periods++;
      }
    }
  });
  return { invoices, payments, steps, leases: LEASES, periods, seconds: (performance.now() - t0) / 1000 };
}

interface Engine {
  name: string;
  open(): Promise<{ database: AppDatabase; dataDir: string; databaseUrl?: string; drop(): Promise<void> }>;
}

async function postgresEngine(): Promise<Engine | null> {
  const base = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const probe = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await probe.connect();
    await probe.end();
  } catch {
    return null;
  }
  return {
    name: 'postgres',
    async open() {
      const schema = `bench_pages_${randomBytes(4).toString('hex')}`;
      const url = new URL(base);
      url.searchParams.set('schema', schema);
      const dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-bench-pages-'));
      const database = await openDatabase({ dataDir, databaseUrl: url.toString(), log: silentLogger() });
      return {
        database, dataDir, databaseUrl: url.toString(),
        async drop() {
          const admin = new pg.Client({ connectionString: base });
          await admin.connect();
          await admin.query(`drop schema if exists "${schema}" cascade`);
          await admin.end();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}

const sqliteEngine: Engine = {
  name: 'sqlite',
  async open() {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qrbill-bench-pages-'));
    const database = await openDatabase({ dataDir, log: silentLogger() });
    return { database, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  },
};

/** Query parameters a page needs to show something (the deal tab shows one deal). */
function sampleQuery(name: string, dealId: number): Record<string, string> {
  return name === 'deal' ? { id: String(dealId) } : {};
}

interface PageFigures {
  page: string;
  status: number;
  /** The very first request: caches empty (lease calendars worked out, statements prepared). */
  first: number;
  p50: number;
  p95: number;
  max: number;
  htmlBytes: number;
  assetBytes: number;
  gzipBytes: number;
}

async function measurePage(server: RunningServer, token: string, name: string, query: Record<string, string>, requests: number): Promise<PageFigures> {
  const url = `${server.url}/bitrix/app/page/${name}?${new URLSearchParams({ ...query, s: token }).toString()}`;
  let html = '';
  let status = 0;
  const get = async () => {
    const res = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    html = await res.text();
    status = res.status;
  };
  const cold = performance.now();
  await get();
  const first = performance.now() - cold;
  for (let i = 0; i < 4; i++) await get(); // warm-up: JIT, prepared statements, lease calendars
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    await get();
    samples.push(performance.now() - t0);
  }
  // Everything the page loads from us: stylesheets and scripts under /bitrix/app/assets.
  const assets = [...new Set([...html.matchAll(/(?:href|src)="(\/bitrix\/app\/assets\/[^"]+)"/g)].map((m) => m[1]!))];
  let assetBytes = 0;
  let gzipBytes = gzipSync(html).length;
  for (const a of assets) {
    const body = Buffer.from(await (await fetch(`${server.url}${a}`)).arrayBuffer());
    assetBytes += body.length;
    gzipBytes += gzipSync(body).length;
  }
  return { page: name, status, first, p50: percentile(samples, 50), p95: percentile(samples, 95), max: Math.max(...samples), htmlBytes: Buffer.byteLength(html), assetBytes, gzipBytes };
}

async function benchEngine(engine: Engine, invoices: number, requests: number): Promise<void> {
  const { database, dataDir, databaseUrl, drop } = await engine.open();
  let sandbox: Sandbox | undefined;
  let server: RunningServer | undefined;
  try {
    await migrateToLatest(database);
    const clock = new ManualClock(NOW, { running: true });
    sandbox = await startSandbox({ clock });
    const seedCrm = seedDemoPortal(sandbox.crm);
    const config = loadConfig({
      DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      B24_CLIENT_ID: sandbox.clientId, B24_CLIENT_SECRET: sandbox.clientSecret, B24_OAUTH_HOSTS: sandbox.oauthHost,
      LOG_LEVEL: 'silent', WORKER_ENABLED: '0', LINK_SECRET: randomBytes(24).toString('hex'),
    });
    server = await startServer(config, silentLogger(), { clock, port: 0, database, publicUrlFromListen: true });
    await sandbox.installApp(`${server.url}/bitrix/install`);
    const dealIds = [seedCrm.deals.tenant!, seedCrm.deals.soleTrader!, seedCrm.deals.noRequisites!];
    const counts = await seed(database.db, sandbox.memberId, invoices, clock.now(), dealIds);
    console.log(
      `${engine.name.padEnd(8)} seeded ${counts.invoices} invoices, ${counts.payments} payments, ${counts.steps} ladder steps, ` +
        `${counts.leases} leases with ${counts.periods} periods in ${counts.seconds.toFixed(1)} s`,
    );

    const post = sandbox.framePost({ userId: seedCrm.users.admin, placement: 'DEFAULT' });
    const opened = await fetch(`${server.url}/bitrix/app?${qs.stringify(post.query)}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: qs.stringify(post.body), redirect: 'manual',
    });
    await opened.arrayBuffer();
    const token = new URL(opened.headers.get('location') ?? '/', server.url).searchParams.get('s');
    if (!token) throw new Error(`the frame POST answered ${opened.status}`);

    const rows: PageFigures[] = [];
    for (const name of Object.keys(PAGES)) rows.push(await measurePage(server, token, name, sampleQuery(name, seedCrm.deals.tenant!), requests));
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
    console.log(`         ${'page'.padEnd(12)} ${'status'.padEnd(6)} ${'first'.padStart(8)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)}   ${'html'.padStart(7)} ${'+assets'.padStart(8)} ${'gzip'.padStart(7)}   ≤ 200 ms  ≤ 300 KB`);
    for (const r of rows) {
      const total = r.htmlBytes + r.assetBytes;
      // A download (the CSV of every invoice) is a file, not a page: the targets are the pages'; its figures are shown.
      const isFile = 'download' in PAGES[r.page]!;
      const verdict = (ok: boolean) => (isFile ? 'file' : ok ? 'yes' : 'NO');
      console.log(
        `         ${r.page.padEnd(12)} ${String(r.status).padEnd(6)} ${r.first.toFixed(1).padStart(5)} ms ${r.p50.toFixed(1).padStart(5)} ms ${r.p95.toFixed(1).padStart(5)} ms ${r.max.toFixed(1).padStart(5)} ms   ` +
          `${kb(r.htmlBytes).padStart(7)} ${kb(total).padStart(8)} ${kb(r.gzipBytes).padStart(7)}   ${verdict(r.p95 <= TARGET_MS).padEnd(8)}  ${verdict(total <= TARGET_BYTES)}`,
      );
    }
  } finally {
    await server?.stop();
    await sandbox?.close();
    await database.close().catch(() => undefined);
    await drop();
  }
}

export async function pagesBench(): Promise<void> {
  const invoices = Number(process.env.BENCH_PAGE_INVOICES ?? 10_000);
  const requests = Number(process.env.BENCH_PAGE_REQUESTS ?? 50);
  // Wall time on a shared machine says as much about the neighbours as about the code: show how busy it was.
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`${invoices} invoices; per page the first request, then ${requests} sequential ones after 4 more warm-up; size = page HTML + its CSS/JS (raw, and gzip as sent)`);
  const engines: Engine[] = [sqliteEngine];
  const postgres = await postgresEngine();
  if (postgres) engines.push(postgres);
  else console.log('postgres: not reachable (TEST_DATABASE_URL / 127.0.0.1:5432), skipped');
  for (const e of engines) await benchEngine(e, invoices, requests);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await pagesBench();

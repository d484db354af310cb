#!/usr/bin/env node
import { loadConfig, ConfigError } from './config.js';
import { createLogger } from './log.js';

/**
 * `qrbill <command>`: serve, migrate, render, qr, words, demo. Each command module is loaded on
 * demand so `qrbill words` does not open a database or load PDF fonts.
 */
const USAGE = `Usage: qrbill <command> [options]

Commands:
  serve                         start the service (HTTP + worker) on the configured database
  migrate                       apply database migrations and exit
  render --input doc.json --out doc.pdf [--qr-png qr.png] [--qr-encoding auto|utf8|win1251]
                                render an invoice / QR-invoice / act from the document JSON model
  qr --input doc.json [--qr-encoding auto|utf8|win1251]
                                print the GOST R 56042 payment QR payload of a document, as bytes
                                in the charset its header declares (auto: UTF-8 unless the payee
                                block needs Windows-1251)
  words <amount>                amount in words, 1C style (e.g. qrbill words 25000.00)
  demo [--out ./demo-out]       run a sandbox Bitrix24 portal + the service and show the billing cycle
  portals                       list installed portals and their state
  settings <member_id> [key=value ...]
                                show or change a portal's billing settings
  revoke <member_id> <document_id>
                                invalidate every public link of a document
  portal <member_id> [limits=standard|enterprise|5/250] [tz=Europe/Moscow]
                                a portal's REST budget and time zone
  forget <member_id> --yes      delete a portal and all its data from this service
  numbering <member_id> [--json]
                                numbering sequences (seller INN/KPP, kind, year, last number)
  numbering <member_id> seller_inn=<INN> [seller_kpp=<KPP>] kind=invoice|act year=<YYYY> next=<N>
                                continue numbering from N (e.g. after the numbers 1C issued)
  payments <member_id> [--json] [--manual]
                                payments received, their invoices and state (--manual: the manual queue)
  payments <member_id> match <payment_id> <invoice_number> | unmatch <payment_id>
                                resolve the manual queue
  leases <member_id> [--json]   lease schedules: next control date, periods done/total, state
  leases <member_id> preview <schedule_id> [--count 12]
                                the coming control dates, periods and amounts (creates nothing)
  overdue <member_id> [--json]  overdue invoices: amount due, days, last and next ladder step, penalty
  apikey <member_id> [list|create [label]|revoke <id>]
                                API keys for 1C pushing payments and statements (shown once, stored hashed)
  statement parse <file> [--json]
                                read a 1C bank statement (1CClientBankExchange) and print its documents
  statement import <member_id> <file> [--json]
                                apply a 1C bank statement to the portal's invoices (one decision per document)
`;

const io = {
  stdout: (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  stderr: (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
  stdoutBytes: (bytes: Uint8Array) => process.stdout.write(bytes),
  cwd: process.cwd(),
};

async function serve(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const { startServer } = await import('./server.js');
  const server = await startServer(config, log);
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return new Promise<number>(() => {}); // runs until a signal
}

async function migrate(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const { openDatabase } = await import('./storage/db.js');
  const { migrateToLatest } = await import('./storage/migrate.js');
  const database = await openDatabase({ dataDir: config.DATA_DIR, databaseUrl: config.DATABASE_URL, log });
  try {
    const { applied } = await migrateToLatest(database);
    io.stdout(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    return 0;
  } finally {
    await database.close();
  }
}

/** A `.env` in the working folder fills in variables the environment does not set (the environment wins). */
function loadDotEnv(): void {
  try {
    process.loadEnvFile('.env');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export async function main(argv: string[]): Promise<number> {
  loadDotEnv();
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve();
    case 'migrate':
      return migrate();
    case 'render':
      return (await import('./cli/render.js')).renderCommand(rest, io);
    case 'qr':
      return (await import('./cli/qr.js')).qrCommand(rest, io);
    case 'words':
      return (await import('./cli/words.js')).wordsCommand(rest, io);
    case 'portals':
      return (await import('./cli/admin.js')).portalsCommand(rest, io);
    case 'settings':
      return (await import('./cli/admin.js')).settingsCommand(rest, io);
    case 'portal':
      return (await import('./cli/admin.js')).portalCommand(rest, io);
    case 'forget':
      return (await import('./cli/admin.js')).forgetCommand(rest, io);
    case 'revoke':
      return (await import('./cli/admin.js')).revokeCommand(rest, io);
    case 'numbering':
      return (await import('./cli/numbering.js')).numberingCommand(rest, io);
    case 'payments':
      return (await import('./cli/payments.js')).paymentsCommand(rest, io);
    case 'leases':
      return (await import('./cli/leases.js')).leasesCommand(rest, io);
    case 'overdue':
      return (await import('./cli/overdue.js')).overdueCommand(rest, io);
    case 'apikey':
      return (await import('./cli/apikey.js')).apikeyCommand(rest, io);
    case 'statement':
      return (await import('./cli/statement.js')).statementCommand(rest, io);
    case 'demo':
      return (await import('./demo/runDemo.js')).demoCommand(rest, io);
    case undefined:
      io.stderr(USAGE);
      return 2;
    case 'help':
    case '--help':
    case '-h':
      io.stdout(USAGE);
      return 0;
    default:
      io.stderr(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) io.stderr(err.message);
    else io.stderr(`qrbill: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

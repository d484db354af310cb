/**
 * An import that dies at the worst moment, for the crash test:
 * `npx tsx test/helpers/crash-import.ts <dataDir> <databaseUrl or -> <memberId> <statement file>`.
 * It imports the file as `qrbill statement import` does and SIGKILLs itself at the first look at the waiting
 * robots — after the payments committed, before anything answered those robots. It prints `KILLING <pid>` first.
 */
import { readFileSync } from 'node:fs';
import type { KyselyPlugin } from 'kysely';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { JobStore } from '../../src/jobs/store.js';
import { WorkSignal } from '../../src/jobs/signal.js';
import { openDatabase, type AppDatabase } from '../../src/storage/db.js';
import { importStatement } from '../../src/payments/apply.js';

const [dataDir, databaseUrl, memberId, file] = process.argv.slice(2);
if (!dataDir || !databaseUrl || !memberId || !file) {
  console.error('usage: crash-import.ts <dataDir> <databaseUrl|-> <memberId> <file>');
  process.exit(2);
}

const opened = await openDatabase({ dataDir, ...(databaseUrl === '-' ? {} : { databaseUrl }), log: silentLogger() });
// A query plugin sees every statement before it is sent: the first one touching payment_waits is the crash point.
const crashAtWaits: KyselyPlugin = {
  transformQuery(args) {
    if (JSON.stringify(args.node).includes('"payment_waits"')) {
      process.stdout.write(`KILLING ${process.pid}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    return args.node;
  },
  transformResult: async (args) => args.result,
};
const database: AppDatabase = { ...opened, db: opened.db.withPlugin(crashAtWaits) };
await importStatement({ database, jobs: new JobStore(database, systemClock), clock: systemClock, log: silentLogger(), work: new WorkSignal() }, memberId, readFileSync(file));
// Only reached when the import never looked at the waits (nothing was paid).
process.stdout.write('IMPORTED_WITHOUT_CRASH\n');
await opened.close();
process.exit(1);

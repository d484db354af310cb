/**
 * A worker process for the crash test: `npx tsx test/helpers/crash-worker.ts <dataDir> [databaseUrl]`.
 * It claims the `crashy` job, performs its effect (appends its pid to <dataDir>/marker.log), announces
 * `EFFECT_DONE <pid>` on stdout and then hangs until the test kills it with SIGKILL.
 * The pid printed is this process's own: `npx` and `tsx` sit in between and cannot forward SIGKILL.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { JobStore } from '../../src/jobs/store.js';
import { route } from '../../src/jobs/types.js';
import { openDatabase } from '../../src/storage/db.js';

const CRASH_JOB_KIND = 'crashy';
const MARKER_FILE = 'marker.log';

const [dataDir, databaseUrl] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: crash-worker.ts <dataDir> [databaseUrl]');
  process.exit(2);
}

const app = await openDatabase({ dataDir, ...(databaseUrl ? { databaseUrl } : {}), log: silentLogger() });
const worker = new JobWorker({
  store: new JobStore(app, systemClock),
  clock: systemClock,
  log: silentLogger(),
  workerId: `crash-worker:${process.pid}`,
  leaseMs: 20_000,
  routes: [
    route(CRASH_JOB_KIND, async (_job, ctx) => {
      await ctx.effect('marker', async () => {
        appendFileSync(path.join(dataDir, MARKER_FILE), `${process.pid}\n`);
        return { by: process.pid };
      });
      process.stdout.write(`EFFECT_DONE ${process.pid}\n`);
      await new Promise<never>(() => {}); // the heartbeat timer keeps the process alive until SIGKILL
    }),
  ],
});
const ran = await worker.runDue();
// Only reached when there was nothing to claim.
process.stdout.write(`NO_JOB ${ran}\n`);
await app.close();
process.exit(1);

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { JobStore } from '../../src/jobs/store.js';
import { systemClock } from '../../src/clock.js';
import { route } from '../../src/jobs/types.js';
import { databaseEngines, type TestDatabase } from '../helpers/databases.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CRASH_JOB_KIND = 'crashy';
const MARKER_FILE = 'marker.log';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.each(databaseEngines())('a worker process killed mid-job on $name', (engine) => {
  let t: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  let workerPid: number | undefined;

  afterEach(async () => {
    // If an assertion failed before the kill, do not leave the child running.
    if (workerPid !== undefined && isAlive(workerPid)) process.kill(workerPid, 'SIGKILL');
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t?.close();
    t = undefined;
    child = undefined;
    workerPid = undefined;
  });

  it('has its job finished by another worker after the lease expires, without repeating the effect', async () => {
    t = await engine.open();
    const enqueuedAt = new Date();
    const { id } = await new JobStore(t, { now: () => enqueuedAt }).enqueue({ kind: CRASH_JOB_KIND, key: 'crash:1', payload: {} });

    const args = ['tsx', 'test/helpers/crash-worker.ts', t.dataDir, ...(t.databaseUrl ? [t.databaseUrl] : [])];
    const proc = spawn('npx', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d) => (out += String(d)));
    proc.stderr!.on('data', (d) => (err += String(d)));
    const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));

    await expect
      .poll(() => out, { timeout: 20_000, interval: 50 })
      .toMatch(/EFFECT_DONE \d+/);
    workerPid = Number(/EFFECT_DONE (\d+)/.exec(out)![1]);

    const claimed = await new JobStore(t, systemClock).find(id);
    expect(claimed).toMatchObject({ status: 'running', attempts: 1, locked_by: `crash-worker:${workerPid}` });

    process.kill(workerPid, 'SIGKILL');
    await exited;
    expect(isAlive(workerPid)).toBe(false);
    expect(err).not.toMatch(/Error/);

    // Still claimed: the dead worker's lease has not run out for a worker living at the same time.
    const rescueEffects: string[] = [];
    const clock = new ManualClock(new Date());
    const rescuer = new JobWorker({
      store: new JobStore(t, clock),
      clock,
      log: silentLogger(),
      workerId: 'rescuer',
      routes: [
        route(CRASH_JOB_KIND, async (_job, ctx) => {
          const r = await ctx.effect('marker', async () => {
            rescueEffects.push('marker');
            return { by: 'rescuer' };
          });
          rescueEffects.push(`replayed:${JSON.stringify(r)}`);
        }),
      ],
    });
    expect(await rescuer.runDue()).toBe(0);

    // Past the lease (20 s, possibly extended by heartbeats before the kill).
    clock.advance(60_000);
    expect(await rescuer.runDue()).toBe(1);
    await rescuer.stop();

    expect(rescueEffects).toEqual([`replayed:${JSON.stringify({ by: workerPid })}`]);
    expect(readFileSync(path.join(t.dataDir, MARKER_FILE), 'utf8')).toBe(`${workerPid}\n`);
    expect(await new JobStore(t, systemClock).find(id)).toMatchObject({ status: 'done', attempts: 2, locked_by: null });
  });
});

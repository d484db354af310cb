import type { RunningServer } from '../server.js';
import type { Sandbox } from '../sandbox/portal.js';

/**
 * Until the worker is done with what the last step started (jobs pending or running) and the portal's automation is
 * idle. A job waiting for its retry time keeps the queue non-empty, so the wait is bounded (30 s).
 */
export async function settle(server: RunningServer, sandbox: Sandbox): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const c = await server.deps.jobs.counts();
    if (c.pending === 0 && c.running === 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  // A process still waiting for a payment (wait_for_payment) is not a hang: it is what the next scene is about.
  await sandbox.runUntilIdle({ timeoutMs: 30_000, ignoreWaiting: ['wait_for_payment'] });
}

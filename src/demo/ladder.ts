import { DateTime } from 'luxon';
import type { ManualClock } from '../clock.js';
import type { RunningServer } from '../server.js';
import type { Sandbox } from '../sandbox/portal.js';
import type { DemoSeed } from '../sandbox/crm/index.js';
import { runMaintenance } from '../worker.js';
import { settle } from './settle.js';
import type { DemoIo } from './narrator.js';

export interface LadderScene {
  server: RunningServer;
  sandbox: Sandbox;
  clock: ManualClock;
  seed: DemoSeed;
  io: DemoIo;
}

/** The days of the default overdue ladder, counted from the due date (src/overdue/ladder.ts), at 09:05 Moscow. */
export const LADDER_DAYS = [-3, 1, 3, 5, 7];

/**
 * Follows the overdue ladder of a deal's unpaid invoice: each call runs a maintenance pass at the clock's time (as every
 * worker does), then prints the steps it took as written on the deal's timeline and the notifications people got.
 * Returns how many client reminders that pass sent.
 */
export function ladderWatcher(s: LadderScene, dealId: number, indent = '    '): (at: Date) => Promise<number> {
  const { sandbox, seed, io } = s;
  const users = new Map([
    [seed.users.manager, 'менеджеру'],
    [seed.users.head, 'руководителю отдела'],
    [seed.users.accountant, 'бухгалтеру'],
  ]);
  let seen = sandbox.crm.notifications.length;
  let comments = sandbox.crm.commentsOf('deal', dealId).length;
  return async (at) => {
    await runMaintenance(s.server.deps);
    await settle(s.server, sandbox);
    const when = DateTime.fromJSDate(at, { zone: 'Europe/Moscow' }).toFormat('dd.MM.yyyy HH:mm');
    const all = sandbox.crm.commentsOf('deal', dealId);
    const news = all.slice(comments).map((c) => String(c.COMMENT)).filter((c) => c.startsWith('Просрочка'));
    comments = all.length;
    let reminders = 0;
    for (const c of news) {
      const text = c.replace(/^Просрочка \(шаг [^)]*\): /, '').split('. ')[0]!;
      if (text.startsWith('напоминание клиенту')) reminders++;
      io.stdout(`${indent}${when}: ${text}`);
    }
    for (const n of sandbox.crm.notifications.slice(seen)) {
      if (users.has(n.userId)) io.stdout(`${indent}  уведомление ${users.get(n.userId)}: ${n.message.replace(/\[\/?URL[^\]]*\]/g, '').slice(0, 140)}`);
    }
    seen = sandbox.crm.notifications.length;
    return reminders;
  };
}

/** Walks the sandbox clock over the ladder's days (from the due date, at 09:05 Moscow), printing each step. */
export async function climbLadder(s: LadderScene, dealId: number, due: string, days = LADDER_DAYS, indent = '    '): Promise<number> {
  const watch = ladderWatcher(s, dealId, indent);
  let reminders = 0;
  for (const day of days) {
    const at = DateTime.fromISO(due, { zone: 'Europe/Moscow' }).plus({ days: day }).set({ hour: 9, minute: 5 });
    s.clock.set(at.toJSDate());
    reminders += await watch(at.toJSDate());
  }
  return reminders;
}

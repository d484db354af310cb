import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import { transaction } from '../storage/db.js';
import { listPortals } from '../storage/portals.js';
import { getPortalSettings } from '../settings/portalSettings.js';
import { openInvoices } from '../storage/payments.js';
import { claimStep, stepsOf } from '../storage/overdueSteps.js';
import { planOverdueSteps } from '../overdue/planner.js';
import { OVERDUE_STEPS_JOB, type OverdueStepsPayload } from './stepJob.js';

type TickDeps = Pick<AppDeps, 'database' | 'jobs' | 'clock' | 'log' | 'work'>;

/**
 * One pass of the overdue ladder over every active portal: the steps that came due are claimed (each once per
 * invoice, whatever the number of instances) and handed, in order, to one job per invoice; steps too late to send
 * are recorded as skipped. Paid and cancelled invoices are not open, so their ladder has stopped. Returns the
 * number of steps claimed.
 */
export async function runOverdueLadder(deps: TickDeps): Promise<number> {
  const { db } = deps.database;
  let claimed = 0;
  for (const portal of await listPortals(db)) {
    if (portal.status !== 'active') continue;
    const settings = await getPortalSettings(db, portal.member_id);
    if (!settings.escalation.length) continue;
    const invoices = (await openInvoices(db, portal.member_id)).filter((i) => i.dueDate);
    const done = new Map<number, Array<{ key: string; at: Date }>>();
    for (const s of await stepsOf(db, portal.member_id, invoices.map((i) => i.id))) {
      const list = done.get(s.invoice_id) ?? [];
      list.push({ key: s.step_key, at: new Date(s.created_at) });
      done.set(s.invoice_id, list);
    }
    const now = deps.clock.now();
    for (const invoice of invoices) {
      const plan = planOverdueSteps(
        {
          dueDate: invoice.dueDate!,
          totalKopecks: invoice.totalKopecks,
          paidKopecks: invoice.paidKopecks,
          state: 'open',
          done: done.get(invoice.id) ?? [],
          issuedAt: DateTime.fromISO(invoice.date, { zone: portal.time_zone }).startOf('day').toJSDate(),
        },
        settings.escalation,
        { now, timeZone: portal.time_zone, pauseClientRemindersBelowKopecks: Math.round(settings.reminderPauseBelowRub * 100) },
      );
      if (!plan.due.length && !plan.skipped.length) continue;
      const items = [
        ...plan.skipped.map((s) => ({ ...s, skipped: s.reason })),
        ...plan.due.map((s) => ({ ...s, skipped: undefined })),
      ].sort((a, b) => a.at.getTime() - b.at.getTime());
      const steps: OverdueStepsPayload['steps'] = [];
      await transaction(deps.database, async (trx) => {
        for (const s of items) {
          const ok = await claimStep(trx, {
            memberId: portal.member_id,
            invoiceId: invoice.id,
            stepKey: s.key,
            status: s.skipped ? 'skipped' : 'claimed',
            ...(s.skipped ? { detail: s.skipped === 'late' ? 'пропущен: больше двух дней опоздания' : 'пропущен: срок шага прошёл до выставления счёта' } : {}),
            dueAt: s.at,
            now,
          });
          if (ok) steps.push({ key: s.key, action: s.step.action, day: s.step.day, ...(s.skipped ? { skipped: s.skipped } : {}) });
        }
        if (steps.length) {
          await deps.jobs.enqueue(
            { kind: OVERDUE_STEPS_JOB, key: `${OVERDUE_STEPS_JOB.name}:${invoice.id}:${steps.map((s) => s.key).join(',')}`, payload: { memberId: portal.member_id, invoiceId: invoice.id, steps } },
            trx,
          );
        }
      });
      const due = steps.filter((s) => !s.skipped).length;
      claimed += due;
      for (const s of steps.filter((x) => x.skipped)) {
        deps.log.warn({ memberId: portal.member_id, invoiceId: invoice.id, step: s.key, reason: s.skipped }, 'overdue step skipped');
      }
    }
  }
  if (claimed) deps.work.notify();
  return claimed;
}

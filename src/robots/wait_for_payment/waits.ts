import type { AppDeps } from '../../deps.js';
import { transaction } from '../../storage/db.js';
import { getDocument } from '../../storage/documents.js';
import { getPortal } from '../../storage/portals.js';
import { invoicePaid } from '../../storage/payments.js';
import { claimWaitResolution, openWaitsOn, overdueWaits, type PaymentWait } from '../../storage/paymentWaits.js';
import { answerParkedCall } from '../framework/parked.js';
import { waitOutcome } from './outcome.js';

type WaitDeps = Pick<AppDeps, 'database' | 'jobs' | 'clock' | 'log' | 'work'>;

/**
 * Answers the wait_for_payment calls parked on these invoices whose outcome is now known (paid, cancelled,
 * overdue). Safe to call from anywhere and any number of times: each wait is answered once. Returns how many.
 */
export async function resolvePaymentWaits(deps: WaitDeps, memberId: string, invoiceIds: number[]): Promise<number> {
  const waits = await openWaitsOn(deps.database.db, memberId, invoiceIds);
  return resolve(deps, waits);
}

/** The deadline sweep: until_due waits whose invoice went overdue. Run periodically by every worker. */
export async function resolveOverdueWaits(deps: WaitDeps, limit = 100): Promise<number> {
  return resolve(deps, await overdueWaits(deps.database.db, deps.clock.now(), limit));
}

async function resolve(deps: WaitDeps, waits: PaymentWait[]): Promise<number> {
  let answered = 0;
  for (const w of waits) {
    const { db } = deps.database;
    const portal = await getPortal(db, w.member_id);
    const doc = await getDocument(db, w.member_id, w.invoice_id);
    if (!portal || !doc) continue;
    const paid = await invoicePaid(db, w.member_id, w.invoice_id);
    const now = deps.clock.now();
    const values = waitOutcome(
      { state: doc.state, dueDate: doc.due_date, paidKopecks: paid.paidKopecks, lastPaidOn: paid.lastPaidOn },
      { mode: w.mode },
      w.deadline_at ? new Date(w.deadline_at) : undefined,
      now,
      portal.time_zone,
    );
    if (!values) continue;
    const claimed = await transaction(deps.database, async (trx) => {
      if (!(await claimWaitResolution(trx, w.robot_call_id, now))) return false;
      await answerParkedCall(trx, deps.jobs, w.robot_call_id, values);
      return true;
    });
    if (claimed) {
      answered++;
      deps.log.info({ memberId: w.member_id, invoiceId: w.invoice_id, status: values.status }, 'payment wait answered');
    }
  }
  if (answered) deps.work.notify();
  return answered;
}

/**
 * The manual queue: a person confirms which invoice a payment pays (a third party paid, the purpose named no
 * number) or takes a wrong match back. The invoices' states follow, their waiting robots are answered, and the
 * payment's effects (comment, fields, triggers) run again for the new allocation.
 */
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { getPayment, matchPaymentManually, unmatchPayment, type InvoicePaymentChange } from '../storage/payments.js';
import { resolvePaymentWaits } from '../robots/wait_for_payment/waits.js';
import { PAYMENT_EFFECTS_JOB, paymentEffectsJobKey } from './effectsJob.js';
import { withPaymentsLock } from '../storage/paymentsLock.js';

type ManualDeps = Pick<AppDeps, 'database' | 'jobs' | 'clock' | 'log' | 'work'>;

export async function matchPayment(deps: ManualDeps, memberId: string, paymentId: number, invoiceNumber: string): Promise<InvoicePaymentChange[]> {
  const { db } = deps.database;
  const payment = await getPayment(db, memberId, paymentId);
  if (!payment) throw new AppError('PAYMENT_NOT_FOUND', `Платёж ${paymentId} не найден (см. qrbill payments ${memberId}).`);
  const invoices = await db
    .selectFrom('documents')
    .select(['id', 'state'])
    .where('member_id', '=', memberId)
    .where('kind', '=', 'invoice')
    .where('number', '=', invoiceNumber.trim())
    .execute();
  if (invoices.length === 0) throw new AppError('INVOICE_NOT_FOUND', `Счёт № ${invoiceNumber} не найден.`);
  if (invoices.length > 1) throw new AppError('INVOICE_AMBIGUOUS', `Счетов с номером ${invoiceNumber} несколько (разные продавцы или годы): сопоставьте в приложении.`);
  const invoice = invoices[0]!;
  if (invoice.state === 'cancelled') throw new AppError('INVOICE_CANCELLED', `Счёт № ${invoiceNumber} отменён.`);
  const now = deps.clock.now();
  // Under the portal's payments lock, like imports, and with the new round of effects in the same transaction.
  const changes = await withPaymentsLock(deps.database, memberId, async (trx) => {
    const changed = await matchPaymentManually(trx, memberId, paymentId, invoice.id, `Сопоставлено вручную со счётом № ${invoiceNumber}`, now);
    await deps.jobs.enqueue({ kind: PAYMENT_EFFECTS_JOB, key: paymentEffectsJobKey(paymentId, now.getTime()), payload: { memberId, paymentId } }, trx);
    return changed;
  });
  await afterManual(deps, memberId, paymentId, changes);
  return changes;
}

export async function unmatch(deps: ManualDeps, memberId: string, paymentId: number): Promise<InvoicePaymentChange[]> {
  const { db } = deps.database;
  if (!(await getPayment(db, memberId, paymentId))) throw new AppError('PAYMENT_NOT_FOUND', `Платёж ${paymentId} не найден (см. qrbill payments ${memberId}).`);
  const now = deps.clock.now();
  const changes = await withPaymentsLock(deps.database, memberId, (trx) => unmatchPayment(trx, memberId, paymentId, 'Сопоставление отменено вручную', now));
  deps.log.info({ memberId, paymentId }, 'payment unmatched');
  return changes;
}

async function afterManual(deps: ManualDeps, memberId: string, paymentId: number, changes: InvoicePaymentChange[]): Promise<void> {
  await resolvePaymentWaits(deps, memberId, changes.map((c) => c.invoiceId));
  deps.work.notify();
  deps.log.info({ memberId, paymentId, invoices: changes.map((c) => c.invoiceId) }, 'payment matched by hand');
}

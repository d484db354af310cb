import type { RobotDefinition } from '../framework/types.js';
import { PARKED } from '../framework/types.js';
import { AppError } from '../../errors.js';
import { getDocument, latestMatchingDocument } from '../../storage/documents.js';
import { parkPaymentWait } from '../../storage/paymentWaits.js';
import { resolvePaymentWaits } from './waits.js';
import { waitDeadline } from './outcome.js';
import { waitProperties, waitReturnProperties, waitSchema, type WaitProps } from './definition.js';

/**
 * wait_for_payment: the business process waits here until the invoice is paid (or cancelled), or — in `until_due`
 * mode — until it is overdue. The call is parked with its invoice; whatever settles the invoice (an imported
 * statement, a pushed payment, a manual match, the deadline sweep) answers it, exactly once. A payment that
 * arrived before the robot was reached answers it at once.
 */
export const waitForPayment: RobotDefinition<WaitProps> = {
  code: 'wait_for_payment',
  name: { ru: 'QR-биллинг: ждать оплату счёта', en: 'QR billing: wait for the invoice payment' },
  description: {
    ru: 'Ждёт оплаты счёта по выписке из 1С или платежу из 1С; в режиме «до срока оплаты» отвечает «просрочен», если деньги не пришли к сроку.',
    en: 'Waits until the invoice is paid (1C statement or pushed payment); in «until due» mode answers «overdue» when the money is late.',
  },
  useSubscription: true,
  properties: waitProperties,
  returnProperties: waitReturnProperties,
  schema: waitSchema,
  async run(ctx, props) {
    const memberId = ctx.portal.member_id;
    const { db } = ctx.deps.database;
    const invoice = props.invoice_id
      ? await getDocument(db, memberId, props.invoice_id)
      : await latestMatchingDocument(db, memberId, ctx.call.document.id, 'invoice', {});
    if (!invoice || invoice.kind !== 'invoice') {
      throw new AppError(
        'INVOICE_NOT_FOUND',
        props.invoice_id ? `Счёт с ID ${props.invoice_id} не найден.` : 'У сделки нет выставленного счёта: сначала выставьте счёт роботом «QR-биллинг: выставить счёт».',
      );
    }
    const deadline = props.mode === 'until_due' ? waitDeadline(invoice.due_date, props.grace_days, ctx.portal.time_zone) : undefined;
    await parkPaymentWait(db, {
      robot_call_id: ctx.call.id,
      member_id: memberId,
      invoice_id: invoice.id,
      mode: props.mode,
      deadline_at: deadline?.toISOString() ?? null,
      created_at: ctx.clock.now().toISOString(),
    });
    // Already paid, cancelled or past the deadline: answered now rather than at the next payment or sweep.
    await resolvePaymentWaits(ctx.deps, memberId, [invoice.id]);
    ctx.log.info({ invoiceId: invoice.id, mode: props.mode, deadline }, 'waiting for the payment');
    return PARKED;
  },
};

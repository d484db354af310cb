import { AppError, ValidationError } from '../../errors.js';
import { matchPayment, unmatch } from '../../payments/manual.js';
import { importStatement } from '../../payments/apply.js';
import { invoiceNumberOf, payerNames } from '../../storage/paymentQueue.js';
import { translate } from '../i18n/index.js';
import { mayChangeMoney } from '../moneyRights.js';
import type { ActionDef } from './types.js';

const money = { may: mayChangeMoney, deniedKey: 'pay.denied' } as const;

const paymentId = (params: Record<string, string>): number => {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) throw new AppError('PAYMENT_NOT_FOUND', `Payment ${params.id} not found`);
  return id;
};

const changesView = (changes: Awaited<ReturnType<typeof unmatch>>) =>
  changes.map((c) => ({ invoiceId: c.invoiceId, number: c.number, state: c.state, paidKopecks: c.paidKopecks, totalKopecks: c.totalKopecks }));

/**
 * One click on a candidate invoice (its id) or a number typed by hand: the same domain function as
 * `qrbill payments <member> match`, so the invoice, the waiting robot and the deal follow the same way.
 */
export const matchPaymentAction: ActionDef = {
  method: 'POST',
  path: '/payments/:id/match',
  ...money,
  async run(deps, ctx, { params, body }) {
    const id = paymentId(params);
    const b = (body ?? {}) as { invoiceId?: unknown; invoiceNumber?: unknown };
    let number: string | undefined;
    if (b.invoiceId !== undefined) {
      number = Number.isInteger(b.invoiceId) ? await invoiceNumberOf(deps.database.db, ctx.portal.member_id, b.invoiceId as number) : undefined;
      if (!number) throw new AppError('INVOICE_NOT_FOUND', translate(ctx.lang, 'pay.noInvoice'));
    } else {
      number = typeof b.invoiceNumber === 'string' ? b.invoiceNumber.trim() : '';
      if (!number) throw new ValidationError([{ path: 'invoiceNumber', message: translate(ctx.lang, 'pay.numberRequired') }]);
    }
    try {
      return { changes: changesView(await matchPayment(deps, ctx.portal.member_id, id, number)) };
    } catch (err) {
      // A number typed by hand that names no invoice is a field error, shown next to the field.
      if (b.invoiceId === undefined && err instanceof AppError && ['INVOICE_NOT_FOUND', 'INVOICE_CANCELLED', 'INVOICE_AMBIGUOUS'].includes(err.code)) {
        throw new ValidationError([{ path: 'invoiceNumber', message: err.message }]);
      }
      throw err;
    }
  },
};

/** Takes a wrong match back: the payment returns to the queue and its invoices to what they had before. */
export const unmatchPaymentAction: ActionDef = {
  method: 'POST',
  path: '/payments/:id/unmatch',
  ...money,
  async run(deps, ctx, { params }) {
    return { changes: changesView(await unmatch(deps, ctx.portal.member_id, paymentId(params))) };
  },
};

/** A 1C statement file uploaded from the page: exactly what POST /api/v1/statements does, plus the payers' names. */
export const statementUploadAction: ActionDef = {
  method: 'POST',
  path: '/statements',
  ...money,
  async run(deps, ctx, { body }) {
    if (!Buffer.isBuffer(body) || body.length === 0) throw new ValidationError([{ path: 'statement', message: translate(ctx.lang, 'pay.fileRequired') }]);
    let summary;
    try {
      summary = await importStatement(deps, ctx.portal.member_id, body);
    } catch (err) {
      if (err instanceof AppError && err.code.startsWith('STATEMENT_')) throw new ValidationError([{ path: 'statement', message: err.message }]);
      throw err;
    }
    const ids = summary.decisions.map((d) => d.payment_id).filter((x): x is number => x !== undefined);
    const names = await payerNames(deps.database.db, ctx.portal.member_id, ids);
    return {
      period: summary.period,
      counts: summary.counts,
      decisions: summary.decisions.map((d) => ({ ...d, payer_name: d.payment_id !== undefined ? (names.get(d.payment_id) ?? '') : '' })),
    };
  },
};

export const PAYMENT_ACTIONS = [matchPaymentAction, unmatchPaymentAction, statementUploadAction];

import type { Sandbox } from '../sandbox/portal.js';

/** The rental pipeline of the demo, in order. */
export const STAGES = ['C1:NEW', 'C1:PREPARATION', 'C1:PREPAYMENT_INVOICE', 'C1:EXECUTING', 'C1:FINAL_INVOICE', 'C1:1', 'C1:WON'];

const ok = (robot: string) => ({ robot, returnValue: 'status', equals: 'ok' });

/**
 * Robots and stage moves as an admin would set them up in «Роботы и триггеры»: the invoice is issued
 * and e-mailed in «Выставить счет», the deal then waits for payment; once paid, the act is issued and
 * e-mailed for signature.
 */
export function rentalPipeline(sandbox: Sandbox, categoryId: number): void {
  sandbox.setStageAutomation(categoryId, 'C1:PREPARATION', [
    { type: 'robot', code: 'ping', properties: { message: 'проверка связи' } },
    { type: 'robot', code: 'generate_invoice', properties: { document_kind: 'qr_invoice', due_days: '5' } },
    { type: 'robot', code: 'send_documents', properties: { documents: ['qr_invoice'], template: 'invoice' } },
    { type: 'move', toStageId: 'C1:PREPAYMENT_INVOICE', when: ok('send_documents') },
  ]);
  sandbox.setStageAutomation(categoryId, 'C1:PREPAYMENT_INVOICE', [{ type: 'move', toStageId: 'C1:EXECUTING' }]);
  // «Ожидание оплаты»: the process waits for the money; the trigger «счёт оплачен» (bound to «Оплачено») moves the deal.
  sandbox.setStageAutomation(categoryId, 'C1:EXECUTING', [{ type: 'robot', code: 'wait_for_payment', properties: { mode: 'until_paid' } }]);
  sandbox.setStageTriggers(categoryId, 'C1:FINAL_INVOICE', [{ code: 'qrbill_invoice_paid' }]);
  sandbox.setStageAutomation(categoryId, 'C1:FINAL_INVOICE', [
    { type: 'robot', code: 'generate_act', properties: {} },
    { type: 'robot', code: 'send_documents', properties: { documents: ['act'], template: 'act' } },
    { type: 'move', toStageId: 'C1:1', when: ok('send_documents') },
  ]);
}

import type { AutomationStep, Sandbox } from '../sandbox/portal.js';

/** The rental pipeline of the demo, in order. */
export const STAGES = ['C1:NEW', 'C1:PREPARATION', 'C1:PREPAYMENT_INVOICE', 'C1:EXECUTING', 'C1:FINAL_INVOICE', 'C1:1', 'C1:WON'];

const ok = (robot: string) => ({ robot, returnValue: 'status', equals: 'ok' });

/**
 * Robots and stage moves as an admin would set them up in «Роботы и триггеры»: the invoice is issued
 * and e-mailed in «Выставить счет», the deal then waits for payment; once paid, the act is issued and
 * e-mailed for signature.
 */
export function rentalPipeline(sandbox: Sandbox, categoryId: number): void {
  invoiceAndPaymentStages(sandbox, categoryId, [{ type: 'robot', code: 'ping', properties: { message: 'проверка связи' } }]);
  sandbox.setStageAutomation(categoryId, 'C1:FINAL_INVOICE', [
    { type: 'robot', code: 'generate_act', properties: {} },
    { type: 'robot', code: 'send_documents', properties: { documents: ['act'], template: 'act' } },
    { type: 'move', toStageId: 'C1:1', when: ok('send_documents') },
  ]);
}

/**
 * What both pipelines share: «Выставить счет» issues and e-mails the QR-invoice (after `first`), the deal goes on to
 * «Ожидание оплаты», where the process waits for the money; the trigger «счёт оплачен» (bound to «Оплачено») moves it.
 */
function invoiceAndPaymentStages(sandbox: Sandbox, categoryId: number, first: AutomationStep[] = []): void {
  sandbox.setStageAutomation(categoryId, 'C1:PREPARATION', [
    ...first,
    { type: 'robot', code: 'generate_invoice', properties: { document_kind: 'qr_invoice', due_days: '5' } },
    { type: 'robot', code: 'send_documents', properties: { documents: ['qr_invoice'], template: 'invoice' } },
    { type: 'move', toStageId: 'C1:PREPAYMENT_INVOICE', when: ok('send_documents') },
  ]);
  sandbox.setStageAutomation(categoryId, 'C1:PREPAYMENT_INVOICE', [{ type: 'move', toStageId: 'C1:EXECUTING' }]);
  sandbox.setStageAutomation(categoryId, 'C1:EXECUTING', [{ type: 'robot', code: 'wait_for_payment', properties: { mode: 'until_paid' } }]);
  sandbox.setStageTriggers(categoryId, 'C1:FINAL_INVOICE', [{ code: 'qrbill_invoice_paid' }]);
}

/** The stage where a lease period's closing documents are issued, once its period is over (lease demo). */
export const ACT_STAGE = 'C1:1';

/**
 * The rental pipeline for deals a lease creates by itself (`qrbill demo --lease`): a period deal is created in
 * «Выставить счет», so the invoice is issued and e-mailed at once and the deal waits for payment; the payment moves
 * it to «Оплачено» (trigger). The act is for a period that is over: on the period's last day the deal moves to
 * «Акт за период» (in a portal, a stage-change robot delayed until the «Период по» field), whose robots issue and
 * e-mail the act; the signed original closes the deal as won.
 */
export function leasePipeline(sandbox: Sandbox, categoryId: number): void {
  invoiceAndPaymentStages(sandbox, categoryId);
  const actStage = sandbox.crm.statuses.find((s) => s.STATUS_ID === ACT_STAGE);
  if (actStage) actStage.NAME = 'Акт за период'; // the admin renamed «Акт отправлен» for this pipeline
  sandbox.setStageAutomation(categoryId, ACT_STAGE, [
    { type: 'robot', code: 'generate_act', properties: {} },
    { type: 'robot', code: 'send_documents', properties: { documents: ['act'], template: 'act' } },
  ]);
  sandbox.setStageAutomation(categoryId, 'C1:WON', [{ type: 'robot', code: 'generate_act', properties: { signed_original_received: 'Y' } }]);
}

import type { BitrixClient } from '../bitrix/client.js';
import type { Lang } from '../lang.js';

/**
 * The application's automation triggers: registered on install (crm.automation.trigger.add), linked by a portal
 * admin to a stage in the automation designer, fired for a deal (crm.automation.trigger.execute) — so the deal moves
 * with Bitrix24's own automation, no code. Both methods need an administrator in the application's context
 * (b24restdocs: api-reference/crm/automation/triggers/index.md); our tokens are the installing admin's.
 */
export const AUTOMATION_TRIGGERS = {
  invoicePaid: { code: 'qrbill_invoice_paid', name: { ru: 'QR-биллинг: счёт оплачен', en: 'QR billing: invoice paid' } },
  invoicePartlyPaid: { code: 'qrbill_invoice_part_paid', name: { ru: 'QR-биллинг: счёт оплачен частично', en: 'QR billing: invoice partly paid' } },
  invoiceOverdue: { code: 'qrbill_invoice_overdue', name: { ru: 'QR-биллинг: счёт просрочен', en: 'QR billing: invoice overdue' } },
} as const satisfies Record<string, { code: string; name: Lang }>;

export type AutomationTrigger = (typeof AUTOMATION_TRIGGERS)[keyof typeof AUTOMATION_TRIGGERS];

/** crm.enum.ownertype: 2 is a deal (b24restdocs: api-reference/crm/auxiliary/enum/crm-enum-owner-type.md). */
const DEAL_OWNER_TYPE = 2;

/**
 * Tells the portal's automation the trigger fired for the deal. `true` from the platform does not mean the deal
 * moved (no stage linked, already there…): that is the admin's configuration, not our failure
 * (b24restdocs: api-reference/crm/automation/triggers/crm-automation-trigger-execute.md).
 */
export async function fireDealTrigger(client: BitrixClient, trigger: AutomationTrigger, dealId: number): Promise<void> {
  await client.call('crm.automation.trigger.execute', { CODE: trigger.code, OWNER_TYPE_ID: DEAL_OWNER_TYPE, OWNER_ID: dealId });
}

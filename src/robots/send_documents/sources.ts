import type { BitrixClient } from '../../bitrix/client.js';
import type { BitrixDeal } from '../../crm/dealSources.js';
import { AppError } from '../../errors.js';
import { findEmailActivityParams, firstActivityId } from '../../crm/emailActivity.js';
import { cardEmails, linkedId, personName } from '../../crm/cards.js';

export interface MailClient {
  kind: 'company' | 'contact';
  id: number;
  title: string;
  /** Work addresses first. */
  emails: string[];
  /** The card whose e-mail is the default recipient: the company's contact person when the company has none. */
  emailOwner: { kind: 'company' | 'contact'; id: number };
}

export interface SendSources {
  deal: BitrixDeal;
  client: MailClient | undefined;
  /** «Имя Фамилия» of the deal's responsible user; '' when unknown. */
  managerName: string;
  /** A letter of this robot call already on the deal (an earlier attempt sent it, then crashed). */
  existingActivityId: number | undefined;
}

interface BitrixUser {
  NAME?: string;
  LAST_NAME?: string;
}


/** The client as the letter needs it: name for the greeting, e-mails, the card to bind the letter to. */
export function mailClientOf(
  company: Record<string, unknown> | undefined,
  contact: Record<string, unknown> | undefined,
): MailClient | undefined {
  if (company) {
    const id = Number(company.ID);
    const own = cardEmails(company);
    const person = contact ? cardEmails(contact) : [];
    const useContact = !own.length && person.length > 0 && contact;
    return {
      kind: 'company',
      id,
      title: String(company.TITLE ?? ''),
      emails: useContact ? person : own,
      emailOwner: useContact ? { kind: 'contact', id: Number(contact.ID) } : { kind: 'company', id },
    };
  }
  if (contact) {
    const id = Number(contact.ID);
    return {
      kind: 'contact',
      id,
      title: personName(contact, ['LAST_NAME', 'NAME', 'SECOND_NAME']),
      emails: cardEmails(contact),
      emailOwner: { kind: 'contact', id },
    };
  }
  return undefined;
}

/**
 * Everything the letter needs from the portal in one `batch`: the deal, its client, the responsible
 * manager who signs the letter, and whether a letter of this call already exists.
 */
export async function loadSendSources(bitrix: BitrixClient, dealId: number, originId: string): Promise<SendSources> {
  const ref = (path: string) => `$result[${path}]`;
  const res = await bitrix.batch({
    deal: { method: 'crm.deal.get', params: { id: dealId } },
    company: { method: 'crm.company.get', params: { id: ref('deal][COMPANY_ID') } },
    contact: { method: 'crm.contact.get', params: { id: ref('deal][CONTACT_ID') } },
    manager: { method: 'user.get', params: { FILTER: { ID: ref('deal][ASSIGNED_BY_ID') } } },
    sent: { method: 'crm.activity.list', params: findEmailActivityParams(dealId, originId) },
  });
  const deal = res.result.deal as BitrixDeal | undefined;
  if (res.errors.deal || !deal) {
    throw new AppError(
      'DEAL_NOT_FOUND',
      `Сделка ${dealId} не найдена или нет доступа: ${res.errors.deal?.error_description ?? ''}`.trim(),
    );
  }
  if (res.errors.sent) {
    // Without this answer a retry could send the letter twice; better to try again later.
    throw new AppError('EMAIL_LOOKUP_FAILED', `Не удалось проверить, отправлялось ли письмо: ${res.errors.sent.error_description}`, {
      retryable: true,
    });
  }
  const company = linkedId(deal.COMPANY_ID) ? (res.result.company as Record<string, unknown> | undefined) : undefined;
  const contact = linkedId(deal.CONTACT_ID) ? (res.result.contact as Record<string, unknown> | undefined) : undefined;
  const users = (res.result.manager as BitrixUser[] | undefined) ?? [];
  return {
    deal,
    client: mailClientOf(company, contact),
    managerName: users[0] ? personName(users[0] as Record<string, unknown>, ['NAME', 'LAST_NAME']) : '',
    existingActivityId: firstActivityId(res.result.sent),
  };
}

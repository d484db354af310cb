/**
 * An e-mail to the client sent by the portal and recorded in the deal's timeline: one
 * `crm.activity.add` with TYPE_ID 4 (e-mail), DIRECTION 2 (outgoing) and COMPLETED Y — all three, or
 * the platform stores the activity and silently sends nothing (b24restdocs: api-reference/crm/timeline/activities/activity-base/crm-activity-add.md).
 *
 * The platform never deduplicates: each call is one more letter. So every letter carries a marker in
 * ORIGIN_ID, and a retry looks for it before sending again.
 */
import { createHash } from 'node:crypto';
import type { BitrixClient } from '../bitrix/client.js';
import { BitrixError } from '../bitrix/errors.js';
import { AppError } from '../errors.js';

/** CRM owner types (crm.enum.ownertype). */
export const OWNER_TYPE = { deal: 2, contact: 3, company: 4 } as const;

/** CCrmContentType: 1 plain text, 2 BB code, 3 HTML. */
const DESCRIPTION_TYPE_HTML = 3;

/** SUBJECT is a short text column; a runaway template must not make the platform reject the letter. */
export const SUBJECT_MAX = 250;

export interface EmailAttachment {
  name: string;
  content: Uint8Array;
}

export interface EmailActivityInput {
  dealId: number;
  /** The deal's responsible user: the letter appears as theirs in the timeline. */
  responsibleId: number;
  /** The client card the letter is bound to (each recipient is recorded as its communication). */
  client: { kind: 'company' | 'contact'; id: number };
  /**
   * Every address the letter goes to. crm.activity.add has no Cc: copies are further communications,
   * i.e. more «To» addresses of the same letter.
   */
  recipients: string[];
  subject: string;
  html: string;
  /** `Name <address>`; omitted: the platform uses the employee's CRM mailbox, else the portal's. */
  from?: string;
  attachments: EmailAttachment[];
  originId: string;
  at: Date;
}

/** `qrbill:<hash of the event token>`: one robot call, one letter — whatever the number of attempts. */
export function emailOriginId(eventToken: string): string {
  return `qrbill:${createHash('sha256').update(eventToken).digest('hex').slice(0, 40)}`;
}

/** The parameters of `crm.activity.add` for one outgoing e-mail. Pure. */
export function emailActivityParams(input: EmailActivityInput): { fields: Record<string, unknown> } {
  const subject = input.subject.replace(/\s+/g, ' ').trim();
  if (!subject) {
    throw new AppError('EMAIL_SUBJECT_EMPTY', 'Тема письма получилась пустой: проверьте шаблон темы письма.');
  }
  if (!input.recipients.length) {
    throw new AppError('EMAIL_NO_RECIPIENTS', 'Письмо некому отправить: не указан ни один адрес.');
  }
  if (!Number.isInteger(input.responsibleId) || input.responsibleId <= 0) {
    throw new AppError('EMAIL_NO_RESPONSIBLE', 'У сделки нет ответственного: назначьте ответственного и запустите робот снова.');
  }
  const entityTypeId = input.client.kind === 'company' ? OWNER_TYPE.company : OWNER_TYPE.contact;
  const at = input.at.toISOString();
  return {
    fields: {
      OWNER_TYPE_ID: OWNER_TYPE.deal,
      OWNER_ID: input.dealId,
      TYPE_ID: 4,
      DIRECTION: 2,
      COMPLETED: 'Y',
      RESPONSIBLE_ID: input.responsibleId,
      SUBJECT: subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 1)}…` : subject,
      DESCRIPTION: input.html,
      DESCRIPTION_TYPE: DESCRIPTION_TYPE_HTML,
      START_TIME: at,
      END_TIME: at,
      COMMUNICATIONS: input.recipients.map((value) => ({ VALUE: value, ENTITY_ID: input.client.id, ENTITY_TYPE_ID: entityTypeId })),
      // The timeline keeps the record; a copy of every invoice in the sender's mailbox is noise.
      SETTINGS: { ...(input.from ? { MESSAGE_FROM: input.from } : {}), DISABLE_SENDING_MESSAGE_COPY: 'Y' },
      FILES: input.attachments.map((f) => ({ fileData: [f.name, Buffer.from(f.content).toString('base64')] })),
      ORIGIN_ID: input.originId,
    },
  };
}

/** Prefix of the platform's errors raised after the activity was stored but the mail did not go out. */
export const EMAIL_SEND_ERROR_PREFIX = 'Email send error.';

export function isEmailSendError(err: unknown): boolean {
  return err instanceof BitrixError && (err.description ?? '').trim().startsWith(EMAIL_SEND_ERROR_PREFIX);
}

/** The letter already created for this marker on the deal (by an attempt that crashed before recording it). */
export function findEmailActivityParams(dealId: number, originId: string) {
  return {
    filter: { OWNER_TYPE_ID: OWNER_TYPE.deal, OWNER_ID: dealId, ORIGIN_ID: originId },
    select: ['ID'],
    order: { ID: 'ASC' },
  };
}

export function firstActivityId(listResult: unknown): number | undefined {
  const rows = Array.isArray(listResult) ? listResult : [];
  const id = Number((rows[0] as { ID?: unknown } | undefined)?.ID ?? 0);
  return id > 0 ? id : undefined;
}

export type SendEmailOutcome =
  | { activityId: number }
  /** The platform stored the activity but did not send the letter. */
  | { activityId: number | undefined; notSent: string };

async function findEmailActivity(client: BitrixClient, dealId: number, originId: string): Promise<number | undefined> {
  return firstActivityId(await client.call('crm.activity.list', findEmailActivityParams(dealId, originId)));
}

/**
 * Creates the activity (and so sends the letter). A letter the platform stored but did not send is an
 * outcome, not an exception, so the caller can record it and never send a second one.
 *
 * A failed call is followed by a look for the letter by its ORIGIN_ID: the platform answers a failed
 * send with an empty error code after saving the activity, and an answer lost in transit says nothing
 * at all. Found after a refusal → stored, not sent; found after a lost answer → sent; not found after a
 * lost answer → retryable (the next attempt looks again before sending).
 */
export async function sendEmailActivity(client: BitrixClient, params: { fields: Record<string, unknown> }): Promise<SendEmailOutcome> {
  const dealId = Number(params.fields.OWNER_ID);
  const originId = String(params.fields.ORIGIN_ID ?? '');
  let id: number;
  try {
    id = Number(await client.call('crm.activity.add', params));
  } catch (err) {
    if (!(err instanceof BitrixError)) throw err;
    // Rate limits and refused connections: the portal did not run the call, nothing exists yet.
    if (err.retryable && !err.ambiguous) {
      throw new AppError('EMAIL_ACTIVITY_FAILED', `Битрикс24 временно не принял письмо: ${err.message}`, { cause: err, retryable: true });
    }
    const found = originId ? await findEmailActivity(client, dealId, originId) : undefined;
    if (err.ambiguous) {
      if (found) return { activityId: found };
      throw new AppError('EMAIL_ACTIVITY_UNCERTAIN', 'Битрикс24 не ответил на отправку письма; проверим и повторим.', {
        cause: err,
        retryable: true,
      });
    }
    if (found || isEmailSendError(err)) {
      return {
        activityId: found,
        notSent: isEmailSendError(err)
          ? (err.description ?? '').trim()
          : 'Битрикс24 отклонил отправку — проверьте адрес отправителя и адреса получателей',
      };
    }
    throw new AppError('EMAIL_ACTIVITY_FAILED', `Битрикс24 не принял письмо: ${err.description || err.message}`, { cause: err });
  }
  if (!Number.isInteger(id) || id <= 0) {
    // The answer is malformed but the letter may exist: look before anyone sends again.
    const found = originId ? await findEmailActivity(client, dealId, originId) : undefined;
    if (found) return { activityId: found };
    throw new AppError('EMAIL_ACTIVITY_FAILED', 'Битрикс24 не вернул номер дела «Письмо».', { retryable: true });
  }
  return { activityId: id };
}

/**
 * «Отправить ещё раз» on the deal tab: the send_documents robot's letter for one chosen document. Each click of the
 * button is a job (`deal-resend:<member>:<document>:<click id>`), and the job's unique key is what makes one click
 * one letter: the request that enqueues it sends at once and answers with the outcome; a second request with the
 * same click id (a double click, a retry after a lost answer) finds the job and gets that outcome, never a letter.
 * The job itself is the safety net, due a few minutes later: if the request died before it knew whether the letter
 * went out, the worker finishes it through the same effect journal (a letter already sent is not sent again).
 */
import { z } from 'zod';
import type { AppDeps } from '../../deps.js';
import type { JobHandler } from '../../jobs/types.js';
import type { SendableDocument } from '../../robots/send_documents/definition.js';
import type { StoredDocument } from '../../storage/documents.js';
import { defineJobKind } from '../../jobs/types.js';
import { AppError } from '../../errors.js';
import { getDocument } from '../../storage/documents.js';
import { getPortal } from '../../storage/portals.js';
import { defaultTemplateFor } from '../../robots/send_documents/definition.js';
import { loadSendSources } from '../../robots/send_documents/sources.js';
import { sendLetter } from '../../robots/send_documents/letter.js';
import { emailOriginId } from '../../crm/emailActivity.js';

export const DEAL_RESEND_JOB = defineJobKind({
  name: 'deal-resend',
  payload: z.object({ memberId: z.string().min(1), documentId: z.number().int().positive(), userId: z.number().int().nonnegative() }),
  maxAttempts: 6,
});
export type DealResendPayload = z.infer<typeof DEAL_RESEND_JOB.payload>;

export const dealResendJobKey = (memberId: string, documentId: number, clickId: string) => `${DEAL_RESEND_JOB.name}:${memberId}:${documentId}:${clickId}`;

/** The request sends at once; the worker looks only after this, in case the request never finished. */
export const SAFETY_NET_DELAY_MS = 10 * 60_000;

/** What became of a click, journaled under the job's key as effect `outcome`. */
export type ResendOutcome =
  | { sent: true; activityId: number; recipients: string[] }
  | { sent: false; code: string; message: string };

/** The letter the send_documents robot would send for this one document. */
function lettersDocuments(doc: StoredDocument): SendableDocument[] {
  if (doc.kind === 'act') return ['act'];
  return [doc.doc_kind === 'qr_invoice' ? 'qr_invoice' : 'invoice'];
}

/**
 * Sends the document's letter once for the job key and records the outcome. A refusal that another try cannot
 * change (no client, no e-mail, the invoice cancelled) is recorded too, so the safety net does not send it later
 * behind the user's back; an error worth retrying is thrown and left to the caller (and to the job).
 */
export async function sendAgainOnce(deps: AppDeps, key: string, p: DealResendPayload): Promise<ResendOutcome> {
  const done = await deps.jobs.recordedEffect(key, 'outcome');
  if (done.found) return done.result as ResendOutcome;
  let outcome: ResendOutcome;
  try {
    const doc = await getDocument(deps.database.db, p.memberId, p.documentId);
    if (!doc) throw new AppError('DOCUMENT_NOT_FOUND', 'Документ не найден в этом портале.');
    if (doc.kind === 'invoice' && doc.state === 'cancelled') throw new AppError('INVOICE_CANCELLED', `Счёт № ${doc.number} аннулирован: отправлять его клиенту нельзя.`);
    const bitrix = deps.bitrix.forPortal(p.memberId);
    const originId = emailOriginId(key);
    const sources = await loadSendSources(bitrix, doc.deal_id, originId);
    const documents = lettersDocuments(doc);
    const letter = await sendLetter(
      {
        deps,
        bitrix,
        memberId: p.memberId,
        dealId: doc.deal_id,
        effect: (name, fn) => deps.jobs.effect(key, name, fn),
        now: deps.clock.now(),
        fallbackUserId: p.userId,
        documents: doc.kind === 'act' ? { act: doc } : { invoice: doc },
      },
      { documents, template: defaultTemplateFor(documents), to: undefined, cc_accountant: false },
      sources,
      originId,
    );
    outcome = { sent: true, activityId: letter.activityId, recipients: letter.recipients };
  } catch (err) {
    if (!(err instanceof AppError) || err.retryable) throw err;
    outcome = { sent: false, code: err.code, message: err.message };
  }
  return deps.jobs.effect(key, 'outcome', async () => outcome);
}

/** The safety net: a click whose request did not record an outcome is finished by the worker. */
export function dealResendJobHandler(deps: AppDeps): JobHandler<DealResendPayload> {
  return async (job) => {
    const portal = await getPortal(deps.database.db, job.payload.memberId);
    if (!portal || portal.status === 'uninstalled') return;
    await sendAgainOnce(deps, job.key, job.payload);
  };
}

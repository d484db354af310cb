/**
 * The deal tab's two changes. Both are for the deal's responsible manager, portal admins and the app's accountants
 * (src/web/deal/access.ts); both are safe to repeat: a double click changes nothing twice and sends nothing twice.
 */
import type { ActionDef } from './types.js';
import type { AppDeps } from '../../deps.js';
import type { WebContext } from '../context.js';
import { AppError, ValidationError } from '../../errors.js';
import { getDocument, type StoredDocument } from '../../storage/documents.js';
import { markSignedOriginalOnce } from '../../storage/dealTab.js';
import { getPortalSettings } from '../../settings/portalSettings.js';
import { requireMayAct } from '../deal/access.js';
import { translate } from '../i18n/index.js';
import { DEAL_RESEND_JOB, SAFETY_NET_DELAY_MS, dealResendJobKey, sendAgainOnce, type ResendOutcome } from '../deal/resend.js';
import { writeDealResults } from '../../crm/dealWrites.js';
import { formatDateShort } from '../../documents/dates.js';

function documentId(params: Record<string, string>): number {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) throw new AppError('DOCUMENT_NOT_FOUND', 'No such document');
  return id;
}

async function mayAct(deps: AppDeps, ctx: WebContext, doc: StoredDocument): Promise<void> {
  const settings = await getPortalSettings(deps.database.db, ctx.portal.member_id);
  await requireMayAct(deps, ctx.session, doc.deal_id, settings.accountantUserIds, translate(ctx.lang, 'deal.error.forbidden'));
}

/**
 * The client's signed original of the act came back. The act robot's option «Получен подписанный оригинал» does the
 * same; from the tab a person does it, so the deal's timeline also says who noted it and when (the state alone
 * would leave no trace in the CRM). The comment is written once: only the request that moved the state writes it.
 */
export const markActSignedAction: ActionDef = {
  method: 'POST',
  path: '/deal/acts/:id/signed',
  async run(deps, ctx, { params }) {
    const { db } = deps.database;
    const memberId = ctx.portal.member_id;
    const act = await getDocument(db, memberId, documentId(params));
    if (!act || act.kind !== 'act') throw new AppError('ACT_NOT_FOUND', translate(ctx.lang, 'deal.error.actNotFound'));
    await mayAct(deps, ctx, act);
    const changed = await markSignedOriginalOnce(db, memberId, act.id, deps.clock.now());
    let commented = false;
    if (changed) {
      const who = ctx.session.name || `пользователь ${ctx.session.userId}`;
      const text = `[B]Получен подписанный оригинал акта № ${act.number} от ${formatDateShort(act.doc_date)}[/B]\nОтметил(а) в QR-биллинге: ${who}`;
      try {
        await writeDealResults(deps.bitrix.forPortal(memberId), act.deal_id, {}, { text, marker: `акта № ${act.number} от`, lookFirst: false });
        commented = true;
      } catch (err) {
        // The state is what billing relies on and it is stored; a timeline that did not answer is not worth undoing it.
        deps.log.warn({ err, memberId, actId: act.id }, 'deal tab: the signed-original comment was not written');
      }
    }
    return { actId: act.id, state: 'signed_original_received', changed, commented };
  },
};

const CLICK_ID_RE = /^[A-Za-z0-9-]{16,64}$/;

/**
 * Sends one document to the client again: the very letter of the send_documents robot (template, PDF attached,
 * link, recorded in the deal's timeline as an e-mail). One letter per click id, whatever the number of requests
 * carrying it (src/web/deal/resend.ts).
 */
export const resendDocumentAction: ActionDef = {
  method: 'POST',
  path: '/deal/documents/:id/resend',
  async run(deps, ctx, { params, body }) {
    const { db } = deps.database;
    const memberId = ctx.portal.member_id;
    const clickId = String((body as { clickId?: unknown } | undefined)?.clickId ?? '');
    if (!CLICK_ID_RE.test(clickId)) throw new ValidationError([{ path: 'clickId', message: 'clickId: 16–64 latin letters, digits or «-»' }]);
    const doc = await getDocument(db, memberId, documentId(params));
    if (!doc) throw new AppError('DOCUMENT_NOT_FOUND', translate(ctx.lang, 'deal.error.docNotFound'));
    if (doc.kind === 'invoice' && doc.state === 'cancelled') throw new AppError('INVOICE_CANCELLED', translate(ctx.lang, 'deal.error.cancelled'));
    await mayAct(deps, ctx, doc);

    const key = dealResendJobKey(memberId, doc.id, clickId);
    const payload = { memberId, documentId: doc.id, userId: ctx.session.userId };
    const now = deps.clock.now();
    const { created } = await deps.jobs.enqueue({ kind: DEAL_RESEND_JOB, key, payload, runAt: new Date(now.getTime() + SAFETY_NET_DELAY_MS) });
    if (!created) {
      // Another request of the same click owns it: answer with what it did (or that it is under way).
      const done = await deps.jobs.recordedEffect(key, 'outcome');
      const outcome = done.found ? (done.result as ResendOutcome) : undefined;
      return { duplicate: true, sent: outcome?.sent ?? false, recipients: outcome?.sent ? outcome.recipients : [] };
    }
    let outcome: ResendOutcome;
    try {
      outcome = await sendAgainOnce(deps, key, payload);
    } catch (err) {
      // The portal did not answer: the job sends it in a few minutes, and a click again would be a second letter.
      deps.log.warn({ err, memberId, documentId: doc.id }, 'deal tab: the letter is left to the job');
      return { duplicate: false, sent: false, queued: true, message: translate(ctx.lang, 'deal.queued') };
    }
    if (!outcome.sent) throw new AppError(outcome.code, outcome.message);
    deps.log.info({ memberId, dealId: doc.deal_id, documentId: doc.id, userId: ctx.session.userId, activityId: outcome.activityId }, 'deal tab: document sent again');
    return { duplicate: false, sent: true, activityId: outcome.activityId, recipients: outcome.recipients };
  },
};

export const DEAL_ACTIONS: ActionDef[] = [markActSignedAction, resendDocumentAction];

/**
 * A letter as the client would get it, rendered from the portal's latest real invoice with the same context the
 * send_documents robot builds (letterContext) and the template text being edited (or the one in force).
 */
import type { AppDeps } from '../../deps.js';
import type { WebContext } from '../context.js';
import { ValidationError } from '../../errors.js';
import { compileEmailTemplate, renderEmail, type RenderedEmail } from '../../invoicing/email.js';
import { emailTemplateDirs, loadPortalEmailTemplate } from '../../invoicing/emailTemplates.js';
import { issued, letterContext } from '../../robots/send_documents/documents.js';
import { documentLinks } from '../../robots/shared/documentLinks.js';
import { latestInvoiceForPreview } from '../../storage/previewDocuments.js';
import { getPortalSettings, portalSettingsSchema } from '../../settings/portalSettings.js';
import type { LinkFile } from '../../documents/links.js';

export interface EmailPreview extends RenderedEmail {
  /** The invoice the preview is made from («№ 12 от 01.12.2026»). */
  invoiceNumber: string;
  invoiceDate: string;
}

/** Deal title and the responsible's name for the signature, from the portal; a failure only makes them plainer. */
async function dealFacts(deps: AppDeps, memberId: string, dealId: number): Promise<{ title: string; manager: string }> {
  try {
    const res = await deps.bitrix.forPortal(memberId).batch({
      deal: { method: 'crm.deal.get', params: { id: dealId } },
      user: { method: 'user.get', params: { FILTER: { ID: '$result[deal][ASSIGNED_BY_ID]' } } },
    });
    const deal = res.result.deal as { TITLE?: string } | undefined;
    const user = (res.result.user as Array<{ NAME?: string; LAST_NAME?: string }> | undefined)?.[0];
    return { title: String(deal?.TITLE ?? ''), manager: [user?.NAME, user?.LAST_NAME].filter(Boolean).join(' ') };
  } catch {
    return { title: '', manager: '' };
  }
}

export async function previewEmail(
  deps: AppDeps,
  ctx: WebContext,
  input: { template: string; subject?: string | undefined; body?: string | undefined },
): Promise<EmailPreview | undefined> {
  const { db } = deps.database;
  const memberId = ctx.portal.member_id;
  const docs = await latestInvoiceForPreview(db, memberId);
  if (!docs) return undefined;
  let template;
  if (input.subject !== undefined && input.body !== undefined) {
    // The text being edited: checked with the rules saving it would apply, errors shown at its fields.
    const parsed = portalSettingsSchema.shape.emailTemplates.safeParse({ [input.template]: { subject: input.subject, body: input.body } });
    if (!parsed.success) {
      throw new ValidationError(parsed.error.issues.map((i) => ({ path: String(i.path.at(-1) ?? 'body'), message: i.message })));
    }
    template = compileEmailTemplate(input.subject, input.body);
  } else {
    const settings = await getPortalSettings(db, memberId);
    template = await loadPortalEmailTemplate(settings.emailTemplates, emailTemplateDirs(deps.config.EMAIL_TEMPLATES_DIR), input.template);
  }
  const invoice = issued(docs.invoice);
  const act = docs.act ? issued(docs.act) : undefined;
  const files: LinkFile[] = [docs.invoice.doc_kind === 'qr_invoice' ? 'qr_invoice' : 'invoice', ...(act ? (['act'] as const) : [])];
  const links: Partial<Record<LinkFile, string>> = {};
  for (const file of files) links[file] = documentLinks(deps, file === 'act' ? docs.act! : docs.invoice, [file])[file];
  const facts = await dealFacts(deps, memberId, docs.invoice.deal_id);
  const letterCtx = letterContext({ deal: { id: docs.invoice.deal_id, title: facts.title }, clientName: undefined, managerName: facts.manager, invoice, act, links });
  // Reminder templates print the overdue block: show it as on the first overdue day of this invoice.
  const overdue = { days: 1, remainder: letterCtx.invoice?.amount ?? '' };
  try {
    const mail = renderEmail(template, { ...letterCtx, overdue });
    return { ...mail, invoiceNumber: docs.invoice.number, invoiceDate: docs.invoice.doc_date };
  } catch (err) {
    throw new ValidationError([{ path: 'body', message: `шаблон не отрисовался: ${err instanceof Error ? err.message : String(err)}` }]);
  }
}

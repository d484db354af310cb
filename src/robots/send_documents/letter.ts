import type { AppDeps } from '../../deps.js';
import type { BitrixClient } from '../../bitrix/client.js';
import type { BitrixDeal } from '../../crm/dealSources.js';
import type { EmailAttachment } from '../../crm/emailActivity.js';
import type { EmailContext } from '../../invoicing/email.js';
import type { LinkFile } from '../../documents/links.js';
import type { SendProps } from './definition.js';
import type { SendSources } from './sources.js';
import type { StoredDocument } from '../../storage/documents.js';
import { checkTemplateFits, letterContext, letterFiles, type LetterFiles } from './documents.js';
import { documentLinks } from '../shared/documentLinks.js';
import { markActSent } from '../generate_act/state.js';
import { AppError } from '../../errors.js';
import { getPortalSettings } from '../../settings/portalSettings.js';
import { latestDocumentForDeal } from '../../storage/documents.js';
import { resolveRecipients } from '../../crm/recipients.js';
import { emailActivityParams, sendEmailActivity } from '../../crm/emailActivity.js';
import { renderEmail } from '../../invoicing/email.js';
import { emailTemplateDirs, loadPortalEmailTemplate } from '../../invoicing/emailTemplates.js';
import { documentFileName } from '../../documents/fileNames.js';
import { renderDocument } from '../../documents/render.js';

/**
 * Who sends a letter about a deal: the send_documents robot, or the overdue ladder reminding a client. The letter
 * is journaled under `effect('email')`, so a retry never sends a second one.
 */
export interface LetterRun {
  deps: AppDeps;
  bitrix: BitrixClient;
  memberId: string;
  dealId: number;
  effect<T>(name: string, fn: () => Promise<T>): Promise<T>;
  now: Date;
  /** Responsible of the e-mail activity when the deal has none. */
  fallbackUserId: number;
  /** Further values for the template (the overdue reminder's days and penalty). */
  extra?: Pick<EmailContext, 'overdue'>;
  /** These documents instead of the deal's latest (the deal tab sends one chosen document again). */
  documents?: { invoice?: StoredDocument; act?: StoredDocument };
}

/** What the journal keeps of the letter: enough to answer a retried job without sending again. */
export interface SentLetter {
  activityId: number;
  recipients: string[];
  /** Set when the platform stored the letter but did not send it. */
  notSent?: string;
}

async function attachments(letter: LetterFiles): Promise<EmailAttachment[]> {
  const out: EmailAttachment[] = [];
  for (const file of letter.files) {
    const doc = file === 'act' ? letter.act! : letter.invoice!;
    // The plain invoice of a QR-invoice is the same snapshot printed without the QR block.
    const model = file === 'invoice' ? { ...doc.model, kind: 'invoice' as const } : doc.model;
    out.push({ name: documentFileName(doc.model, file), content: await renderDocument(model) });
  }
  return out;
}

function responsibleOf(run: LetterRun, deal: BitrixDeal): number {
  return Number(deal.ASSIGNED_BY_ID) || run.fallbackUserId || 0;
}

function notSentMessage(reason: string): string {
  const hint = /"From"/.test(reason)
    ? ' Укажите адрес отправителя в настройках приложения или подключите почтовый ящик к CRM.'
    : '';
  return `письмо создано, но не отправлено: ${reason.replace(/[.\s]+$/, '')}.${hint}`;
}

export async function sendLetter(run: LetterRun, props: Pick<SendProps, 'documents' | 'template' | 'to' | 'cc_accountant'>, sources: SendSources, originId: string): Promise<SentLetter> {
  const { db } = run.deps.database;
  const { memberId, dealId } = run;
  const settings = await getPortalSettings(db, memberId);
  const wantsInvoice = props.documents.some((d) => d !== 'act');
  const letter = letterFiles(props.documents, {
    invoice: wantsInvoice ? (run.documents?.invoice ?? (await latestDocumentForDeal(db, memberId, dealId, 'invoice'))) : undefined,
    act: props.documents.includes('act') ? (run.documents?.act ?? (await latestDocumentForDeal(db, memberId, dealId, 'act'))) : undefined,
  });
  const { to, cc } = resolveRecipients({
    to: props.to,
    client: sources.client,
    ccAccountant: props.cc_accountant,
    accountantEmails: settings.accountantEmails,
  });
  const recipients = [...to, ...cc];
  if (!sources.client) {
    throw new AppError('DEAL_WITHOUT_CLIENT', 'В сделке не указан клиент: выберите компанию или контакт в карточке сделки и запустите робот снова.');
  }
  const client = sources.client;
  const template = await loadPortalEmailTemplate(settings.emailTemplates, emailTemplateDirs(run.deps.config.EMAIL_TEMPLATES_DIR), props.template);
  checkTemplateFits(props.template, template.requires, letter);

  const links: Partial<Record<LinkFile, string>> = {};
  for (const file of letter.files) {
    const doc = file === 'act' ? letter.act! : letter.invoice!;
    links[file] = documentLinks(run.deps, doc.row, [file])[file];
  }
  const mail = renderEmail(
    template,
    {
      ...letterContext({
      deal: { id: dealId, title: String(sources.deal.TITLE ?? '') },
      clientName: client.title,
      managerName: sources.managerName,
      invoice: letter.invoice,
      act: letter.act,
      links,
    }),
      ...(run.extra ?? {}),
    },
  );
  // A letter to an address typed in «Кому» is still the client's: bind it to the client card.
  const boundTo = props.to ? { kind: client.kind, id: client.id } : client.emailOwner;

  const sent = await run.effect('email', async (): Promise<SentLetter> => {
    // An earlier attempt sent it and crashed before recording that: never send a second letter.
    if (sources.existingActivityId) return { activityId: sources.existingActivityId, recipients };
    const params = emailActivityParams({
      dealId,
      responsibleId: responsibleOf(run, sources.deal),
      client: boundTo,
      recipients,
      subject: mail.subject,
      html: mail.html,
      ...(settings.emailFrom ? { from: settings.emailFrom } : {}),
      attachments: await attachments(letter),
      originId,
      at: run.now,
    });
    const outcome = await sendEmailActivity(run.bitrix, params);
    return 'notSent' in outcome
      ? { activityId: outcome.activityId ?? 0, recipients, notSent: outcome.notSent }
      : { activityId: outcome.activityId, recipients };
  });
  if (sent.notSent !== undefined) {
    throw new AppError('EMAIL_NOT_SENT', notSentMessage(sent.notSent), { details: { activityId: sent.activityId } });
  }
  if (letter.act) await markActSent(run.deps, memberId, letter.act.row.id);
  return sent;
}


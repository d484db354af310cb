import type { RobotDefinition, RobotRunContext } from '../framework/types.js';
import type { BitrixDeal } from '../../crm/dealSources.js';
import type { EmailAttachment } from '../../crm/emailActivity.js';
import type { LinkFile } from '../../documents/links.js';
import { sendProperties, sendReturnProperties, sendSchema, type SendProps } from './definition.js';
import { loadSendSources, type SendSources } from './sources.js';
import { checkTemplateFits, letterContext, letterFiles, type LetterFiles } from './documents.js';
import { reportToResponsible } from '../shared/dealContext.js';
import { documentLinks } from '../shared/documentLinks.js';
import { markActSent } from '../generate_act/state.js';
import { AppError } from '../../errors.js';
import { getPortalSettings } from '../../storage/portalSettings.js';
import { latestDocumentForDeal } from '../../storage/documents.js';
import { resolveRecipients } from '../../crm/recipients.js';
import { emailActivityParams, emailOriginId, sendEmailActivity } from '../../crm/emailActivity.js';
import { renderEmail } from '../../invoicing/email.js';
import { DEFAULT_EMAIL_TEMPLATE_DIR, loadEmailTemplateFrom } from '../../invoicing/emailTemplates.js';
import { documentFileName } from '../../documents/fileNames.js';
import { renderDocument } from '../../documents/pdf/render.js';

/** What the journal keeps of the letter: enough to answer a retried job without sending again. */
interface SentLetter {
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

function responsibleOf(ctx: RobotRunContext, deal: BitrixDeal): number {
  return Number(deal.ASSIGNED_BY_ID) || ctx.call.userId || ctx.portal.user_id || 0;
}

function notSentMessage(reason: string): string {
  const hint = /"From"/.test(reason)
    ? ' Укажите адрес отправителя в настройках приложения или подключите почтовый ящик к CRM.'
    : '';
  return `письмо создано, но не отправлено: ${reason.replace(/[.\s]+$/, '')}.${hint}`;
}

async function sendLetter(ctx: RobotRunContext, props: SendProps, sources: SendSources, originId: string): Promise<SentLetter> {
  const { db } = ctx.deps.database;
  const memberId = ctx.portal.member_id;
  const dealId = ctx.call.document.id;
  const settings = await getPortalSettings(db, memberId);
  const wantsInvoice = props.documents.some((d) => d !== 'act');
  const letter = letterFiles(props.documents, {
    invoice: wantsInvoice ? await latestDocumentForDeal(db, memberId, dealId, 'invoice') : undefined,
    act: props.documents.includes('act') ? await latestDocumentForDeal(db, memberId, dealId, 'act') : undefined,
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
  const custom = ctx.deps.config.EMAIL_TEMPLATES_DIR;
  const template = await loadEmailTemplateFrom(custom ? [custom, DEFAULT_EMAIL_TEMPLATE_DIR] : [DEFAULT_EMAIL_TEMPLATE_DIR], props.template);
  checkTemplateFits(props.template, template.requires, letter);

  const links: Partial<Record<LinkFile, string>> = {};
  for (const file of letter.files) {
    const doc = file === 'act' ? letter.act! : letter.invoice!;
    links[file] = documentLinks(ctx.deps, doc.row, [file])[file];
  }
  const mail = renderEmail(
    template,
    letterContext({
      deal: { id: dealId, title: String(sources.deal.TITLE ?? '') },
      clientName: client.title,
      managerName: sources.managerName,
      invoice: letter.invoice,
      act: letter.act,
      links,
    }),
  );
  // A letter to an address typed in «Кому» is still the client's: bind it to the client card.
  const boundTo = props.to ? { kind: client.kind, id: client.id } : client.emailOwner;

  const sent = await ctx.effect('email', async (): Promise<SentLetter> => {
    // An earlier attempt sent it and crashed before recording that: never send a second letter.
    if (sources.existingActivityId) return { activityId: sources.existingActivityId, recipients };
    const params = emailActivityParams({
      dealId,
      responsibleId: responsibleOf(ctx, sources.deal),
      client: boundTo,
      recipients,
      subject: mail.subject,
      html: mail.html,
      ...(settings.emailFrom ? { from: settings.emailFrom } : {}),
      attachments: await attachments(letter),
      originId,
      at: ctx.clock.now(),
    });
    const outcome = await sendEmailActivity(ctx.bitrix, params);
    return 'notSent' in outcome
      ? { activityId: outcome.activityId ?? 0, recipients, notSent: outcome.notSent }
      : { activityId: outcome.activityId, recipients };
  });
  if (sent.notSent !== undefined) {
    throw new AppError('EMAIL_NOT_SENT', notSentMessage(sent.notSent), { details: { activityId: sent.activityId } });
  }
  if (letter.act) await markActSent(ctx.deps, memberId, letter.act.row.id);
  return sent;
}

export const sendDocuments: RobotDefinition<SendProps> = {
  code: 'send_documents',
  name: { ru: 'QR-биллинг: отправить документы клиенту', en: 'QR billing: e-mail documents to the client' },
  description: {
    ru: 'Отправляет клиенту письмо по шаблону со счётом и/или актом в PDF и ссылками; письмо сохраняется в истории сделки.',
    en: 'E-mails the client the invoice and/or act as PDF with links, from a template; the letter is recorded on the deal.',
  },
  useSubscription: true,
  properties: sendProperties,
  returnProperties: sendReturnProperties,
  schema: sendSchema,
  async run(ctx, props) {
    let sources: SendSources | undefined;
    try {
      const originId = emailOriginId(ctx.call.eventToken);
      sources = await loadSendSources(ctx.bitrix, ctx.call.document.id, originId);
      const sent = await sendLetter(ctx, props, sources, originId);
      return { activity_id: sent.activityId, sent_to: sent.recipients.join(', ') };
    } catch (err) {
      await reportToResponsible(ctx, sources?.deal, err);
      throw err;
    }
  },
};

import type { RobotDefinition } from '../framework/types.js';
import { sendProperties, sendReturnProperties, sendSchema, type SendProps } from './definition.js';
import { loadSendSources } from './sources.js';
import { sendLetter } from './letter.js';
import { emailOriginId } from '../../crm/emailActivity.js';

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
    const originId = emailOriginId(ctx.call.eventToken);
    const sources = await loadSendSources(ctx.bitrix, ctx.call.document.id, originId);
    ctx.noteDeal(sources.deal);
    const sent = await sendLetter(
      { deps: ctx.deps, bitrix: ctx.bitrix, memberId: ctx.portal.member_id, dealId: ctx.call.document.id, effect: ctx.effect, now: ctx.clock.now(), fallbackUserId: ctx.call.userId ?? ctx.portal.user_id ?? 0 },
      props,
      sources,
      originId,
    );
    return { activity_id: sent.activityId, sent_to: sent.recipients.join(', ') };
  },
};

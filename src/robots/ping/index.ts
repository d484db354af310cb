import { z } from 'zod';
import { DateTime } from 'luxon';
import type { RobotDefinition } from '../framework/types.js';
import { optional } from '../framework/props.js';

/**
 * Diagnostic robot: proves the whole path (robot call → queue → worker → REST → bizproc.event.send)
 * works on a portal. An admin drops it on any deal stage and sees the deal title come back.
 */
const schema = z.object({ message: optional(z.string().max(500)) });

export const ping: RobotDefinition<z.infer<typeof schema>> = {
  code: 'ping',
  name: { ru: 'QR-биллинг: проверка связи', en: 'QR billing: ping' },
  description: {
    ru: 'Проверяет, что приложение установлено и отвечает: возвращает название сделки и время портала.',
    en: 'Checks the app is installed and answering: returns the deal title and the portal time.',
  },
  useSubscription: true,
  properties: {
    message: {
      name: { ru: 'Сообщение (вернётся как есть)', en: 'Message (echoed back)' },
      type: 'string',
    },
  },
  returnProperties: {
    deal_title: { name: { ru: 'Название сделки', en: 'Deal title' }, type: 'string' },
    portal_time: { name: { ru: 'Время портала', en: 'Portal time' }, type: 'string' },
    echo: { name: { ru: 'Эхо сообщения', en: 'Echoed message' }, type: 'string' },
  },
  schema,
  async run(ctx, props) {
    const deal = await ctx.bitrix.call<{ TITLE?: string }>('crm.deal.get', { id: ctx.call.document.id });
    const portalTime = DateTime.fromJSDate(ctx.clock.now()).setZone(ctx.portal.time_zone);
    return {
      deal_title: deal.TITLE ?? '',
      portal_time: portalTime.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"),
      echo: props.message ?? '',
    };
  },
};

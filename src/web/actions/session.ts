import type { ActionDef } from './types.js';

/** Who the page's session belongs to; pages call it to keep a long-open session fresh. */
export const sessionAction: ActionDef = {
  method: 'GET',
  path: '/session',
  async run(_deps, ctx) {
    return { userId: ctx.session.userId, admin: ctx.session.admin, name: ctx.session.name, lang: ctx.lang, expiresAt: new Date(ctx.session.exp * 1000).toISOString() };
  },
};

import compress from '@fastify/compress';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { AppError, ValidationError } from '../errors.js';
import { SessionSigner } from '../web/session.js';
import { WebRenderer, pageUrl } from '../web/render.js';
import { loadAssets } from '../web/assets.js';
import { PRIVATE_HEADERS, pageHeaders, sameOrigin } from '../web/security.js';
import { openFrame, sessionContext } from '../web/open.js';
import { translate, type WebLang } from '../web/i18n/index.js';
import { PAGES } from '../web/pages/index.js';
import { ACTIONS } from '../web/actions/index.js';
import type { WebContext } from '../web/context.js';
import { contentDisposition } from './documents.js';

type Dict = Record<string, unknown>;

/** Statements from 1C run to a few megabytes; a year of a busy account stays well under this. */
const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;
const SESSION_HEADER = 'x-qrbill-session';

/**
 * The app's own pages inside Bitrix24.
 * POST /bitrix/app                 — the main app page (left menu), opened by the portal's frame POST.
 * POST /bitrix/placement/deal-tab  — the deal card's tab (CRM_DEAL_DETAIL_TAB), PLACEMENT_OPTIONS.ID = the deal.
 * GET  /bitrix/app/page/:page?s=   — the pages that follow (the session token rides in the link).
 * *    /bitrix/app/api/...         — JSON actions of the pages (session token in the x-qrbill-session header).
 * GET  /bitrix/app/assets/:file    — CSS, the pages' script, the chart library.
 */
export const webRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  const signer = new SessionSigner(deps.linkSecret);
  const renderer = new WebRenderer();
  const assets = loadAssets();
  await app.register(compress, { global: true, threshold: 1024 });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT_BYTES }, (_req, body, done) => done(null, body));

  const html = (reply: FastifyReply, portalOrigin: string | undefined, status: number, body: string) =>
    reply.code(status).headers(pageHeaders(portalOrigin)).type('text/html; charset=utf-8').send(body);
  const errorPage = (reply: FastifyReply, lang: WebLang, status: number, key: string) =>
    html(reply, undefined, status, renderer.render('error', { lang, message: translate(lang, key) }));

  const renderPage = async (reply: FastifyReply, ctx: WebContext, name: string, query: Dict) => {
    const page = PAGES[name];
    if (!page) return errorPage(reply, ctx.lang, 404, 'error.notFound');
    const q = Object.fromEntries(Object.entries(query).filter(([k]) => k !== 's').map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
    if ('download' in page) {
      const file = await page.download(deps, ctx, q);
      return reply
        .code(200)
        .headers(PRIVATE_HEADERS)
        .header('content-disposition', contentDisposition(file.name).replace(/^inline/, 'attachment'))
        .type(file.type)
        .send(file.body);
    }
    const view = await page.load(deps, ctx, q);
    const body = renderer.render(page.template, {
      ...view,
      lang: ctx.lang,
      token: ctx.token,
      zone: ctx.zone,
      nav: page.nav,
      title: page.title,
      scripts: page.scripts ?? [],
      frameOnly: page.frameOnly ?? false,
      user: { admin: ctx.session.admin, name: ctx.session.name },
    });
    return html(reply, ctx.portalOrigin, 200, body);
  };

  const open = (target: (frame: { placement: string; options: Dict }) => { page: string; query: Dict }) =>
    async (req: FastifyRequest<{ Body: Dict }>, reply: FastifyReply) => {
      const lang: WebLang = String(req.body?.LANG ?? (req.query as Dict)?.LANG ?? 'ru').toLowerCase() === 'en' ? 'en' : 'ru';
      try {
        const opened = await openFrame(deps, signer, req.body, req.query);
        req.logExtra = { memberId: opened.user.memberId, userId: opened.user.userId, placement: opened.frame.placement };
        const { page, query } = target(opened.frame);
        const landing = PAGES[page];
        if (landing && 'prepare' in landing && landing.prepare) {
          landing.prepare(deps, opened.ctx).catch((err: unknown) => req.log.warn({ err, page }, 'page preparation failed'));
        }
        // Post/Redirect/Get: the page a user reloads is a GET, not the portal's POST again.
        return reply.code(303).header('cache-control', 'no-store').redirect(pageUrl(page, opened.ctx.token, query), 303);
      } catch (err) {
        const code = err instanceof AppError ? err.code : 'INTERNAL';
        req.log.info({ code, why: err instanceof AppError ? err.details?.why : undefined }, 'frame open refused');
        if (code === 'FRAME_PORTAL_UNAVAILABLE') return errorPage(reply, lang, 502, 'error.failed');
        if (code === 'FRAME_NO_CRM_ACCESS') return html(reply, undefined, 403, renderer.render('error', { lang, message: (err as AppError).message }));
        if (code === 'FRAME_FORBIDDEN' || code === 'FRAME_REQUEST_INVALID') return errorPage(reply, lang, 403, 'error.forbidden');
        throw err;
      }
    };

  app.post<{ Body: Dict }>('/bitrix/app', open((f) => (f.placement === 'CRM_DEAL_DETAIL_TAB' ? dealTarget(f.options) : { page: 'dashboard', query: {} })));
  app.post<{ Body: Dict }>('/bitrix/placement/deal-tab', open((f) => dealTarget(f.options)));

  app.get<{ Params: { page: string }; Querystring: Dict }>('/bitrix/app/page/:page', async (req, reply) => {
    let ctx: WebContext;
    try {
      ctx = await sessionContext(deps, signer, req.query.s);
    } catch {
      return errorPage(reply, 'ru', 401, 'error.session');
    }
    req.logExtra = { memberId: ctx.session.memberId, userId: ctx.session.userId, page: req.params.page };
    return renderPage(reply, ctx, req.params.page, req.query);
  });

  app.get<{ Params: { file: string } }>('/bitrix/app/assets/:file', async (req, reply) => {
    const asset = assets.get(req.params.file);
    if (!asset) return reply.code(404).type('text/plain').send('Not found');
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.header('cache-control', 'public, max-age=3600').header('etag', asset.etag).type(asset.type).send(asset.body);
  });

  for (const action of ACTIONS) {
    app.route<{ Params: Record<string, string>; Querystring: Record<string, string> }>({
      method: action.method,
      url: `/bitrix/app/api${action.path}`,
      handler: async (req, reply) => {
        if (!sameOrigin(req.headers.origin, deps.config.PUBLIC_URL, req.headers.host)) {
          return reply.code(403).send({ error: 'CROSS_ORIGIN', message: 'Cross-site request refused' });
        }
        let ctx: WebContext;
        try {
          // Only the header: a token in a URL or a cookie could ride along with a forged cross-site request.
          ctx = await sessionContext(deps, signer, req.headers[SESSION_HEADER]);
        } catch {
          return reply.code(401).send({ error: 'SESSION_INVALID', message: translate('ru', 'error.session') });
        }
        req.logExtra = { memberId: ctx.session.memberId, userId: ctx.session.userId, action: action.path };
        if (action.admin && !ctx.session.admin) return reply.code(403).send({ error: 'ADMIN_ONLY', message: translate(ctx.lang, 'error.adminOnly') });
        if (action.may && !(await action.may(deps, ctx))) return reply.code(403).send({ error: 'FORBIDDEN', message: translate(ctx.lang, action.deniedKey ?? 'error.adminOnly') });
        const fresh = signer.renewIfOld(ctx.session, deps.clock.now().getTime());
        if (fresh) reply.header(SESSION_HEADER, fresh);
        reply.header('cache-control', 'no-store');
        try {
          const result = await action.run(deps, ctx, { params: req.params, query: req.query, body: req.body });
          return reply.code(200).send(result ?? { ok: true });
        } catch (err) {
          if (err instanceof ValidationError) return reply.code(400).send({ error: err.code, message: err.message, issues: err.issues });
          if (err instanceof AppError && !err.retryable) return reply.code(actionStatus(err.code)).send({ error: err.code, message: err.message });
          throw err;
        }
      },
    });
  }
};

/** `…_NOT_FOUND` → 404, `…_FORBIDDEN` → 403, any other refusal of a valid request → 409. */
function actionStatus(code: string): number {
  if (code.endsWith('NOT_FOUND')) return 404;
  if (code.endsWith('FORBIDDEN')) return 403;
  return 409;
}

function dealTarget(options: Dict): { page: string; query: Dict } {
  const id = Number(options.ID ?? options.id);
  return { page: 'deal', query: Number.isInteger(id) && id > 0 ? { id } : {} };
}

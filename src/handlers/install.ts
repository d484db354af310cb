import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { oauthHosts } from '../config.js';
import { parseInstall } from '../install/parseInstall.js';
import { verifyInstall } from '../install/verifyInstall.js';
import { installPortal } from '../install/installPortal.js';
import { uninstallPortal } from '../install/uninstallPortal.js';
import { authenticatePortal } from '../install/applicationToken.js';
import { installPage } from '../install/installPage.js';
import { acceptPendingApplicationToken } from '../install/pendingApplicationToken.js';
import { AppError } from '../errors.js';

type Dict = Record<string, unknown>;

const formBody = { type: 'object' } as const;

/**
 * The app's life cycle in a portal:
 * GET  /bitrix/install — the install page a portal opens in its frame; finishes with BX24.installFinish().
 * POST /bitrix/install — the local app's install POST (frame: AUTH_ID/REFRESH_ID) or the ONAPPINSTALL event
 *                        (`auth[...]`); also takes ONAPPUNINSTALL if bound here.
 * POST /bitrix/events  — application events bound with event.bind (ONAPPINSTALL, ONAPPUNINSTALL).
 */
export const installRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get('/bitrix/install', async (_req, reply) => reply.type('text/html; charset=utf-8').send(installPage({ ok: true })));

  app.post<{ Body: Dict }>('/bitrix/install', { schema: { body: formBody } }, async (req, reply) => {
    if (String(req.body.event ?? '').toUpperCase() === 'ONAPPUNINSTALL') return uninstall(deps, req.body, reply);
    return install(deps, req, reply);
  });

  app.post<{ Body: Dict }>('/bitrix/events', { schema: { body: formBody } }, async (req, reply) => {
    const event = String(req.body.event ?? '').toUpperCase();
    if (event === 'ONAPPINSTALL') return install(deps, req, reply);
    if (event === 'ONAPPUNINSTALL') return uninstall(deps, req.body, reply);
    return reply.code(400).send({ error: 'UNSUPPORTED_EVENT', message: `Event ${event || '(none)'} is not handled` });
  });
};

async function install(deps: AppDeps, req: FastifyRequest<{ Body: Dict }>, reply: FastifyReply) {
  const body = req.body;
  const query = (req.query ?? {}) as Dict;
  const wantsHtml = !body.auth;
  try {
    const auth = body.auth as Dict | undefined;
    if (auth && typeof auth === 'object' && !auth.access_token) {
      await acceptPendingApplicationToken(deps, auth);
      return reply.code(200).send({ status: 'application_token_stored' });
    }
    const parsed = parseInstall(body, query, deps.clock.now(), oauthHosts(deps.config));
    await verifyInstall(deps.database.db, parsed);
    const report = await installPortal(deps, parsed);
    if (wantsHtml) return reply.type('text/html; charset=utf-8').send(installPage({ ok: true, report }));
    return reply.code(200).send({ status: 'installed', ...report });
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'INSTALL_FAILED';
    const status = !(err instanceof AppError) ? 500 : code === 'INSTALL_PAYLOAD_INVALID' ? 400 : code === 'INSTALL_REJECTED' ? 403 : 502;
    req.log.error({ err, code }, 'install failed');
    // Our own errors are written for the admin; anything else (a database error, a bug) stays in the log.
    const message = err instanceof AppError ? err.message : 'Внутренняя ошибка сервиса при установке; подробности в журнале сервиса.';
    if (wantsHtml) return reply.code(status).type('text/html; charset=utf-8').send(installPage({ ok: false, error: message }));
    return reply.code(status).send({ error: code, message });
  }
}

/** ONAPPUNINSTALL: no tokens arrive with it; the application token is the only proof (b24restdocs: api-reference/common/events/on-app-uninstall.md). */
async function uninstall(deps: AppDeps, body: Dict, reply: FastifyReply) {
  const portal = await authenticatePortal(deps.database.db, body.auth);
  if (!portal) return reply.code(401).send({ error: 'UNAUTHORIZED' });
  const data = (body.data ?? {}) as Dict;
  const clean = ['1', 'Y', 'true'].includes(String(data.CLEAN ?? '0'));
  await uninstallPortal(deps, portal, clean);
  return reply.code(200).send({ status: 'uninstalled', clean });
}

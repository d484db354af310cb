import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { parseInstall } from '../install/parseInstall.js';
import { oauthHosts } from '../config.js';
import { verifyInstall } from '../install/verifyInstall.js';
import { installPortal } from '../install/installPortal.js';
import { handleUninstall } from './events.js';
import { AppError } from '../errors.js';
import { installPage } from '../install/installPage.js';
import { acceptPendingApplicationToken } from '../install/pendingApplicationToken.js';

/**
 * GET  /bitrix/install — the install page a portal opens in its frame; finishes with BX24.installFinish().
 * POST /bitrix/install — the local app's install POST (frame: AUTH_ID/REFRESH_ID) or the ONAPPINSTALL
 *                        event (`auth[...]`); also accepts ONAPPUNINSTALL if bound here.
 */
export function installRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/bitrix/install', async (_req, reply) => reply.type('text/html; charset=utf-8').send(installPage({ ok: true })));

  app.post('/bitrix/install', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (String(body.event ?? '').toUpperCase() === 'ONAPPUNINSTALL') return handleUninstall(deps, body, reply);
    return installFromRequest(deps, req, reply);
  });
}

export async function installFromRequest(deps: AppDeps, req: FastifyRequest, reply: FastifyReply) {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const query = (req.query ?? {}) as Record<string, unknown>;
  const wantsHtml = !body.auth;
  try {
    const auth = body.auth as Record<string, unknown> | undefined;
    if (auth && typeof auth === 'object' && !auth.access_token) {
      await acceptPendingApplicationToken(deps, auth);
      return reply.code(200).send({ status: 'application_token_stored' });
    }
    const install = parseInstall(body, query, deps.clock.now(), oauthHosts(deps.config));
    await verifyInstall(deps.database.db, install);
    const report = await installPortal(deps, install);
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

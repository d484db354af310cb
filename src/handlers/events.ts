import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { authenticatePortal } from '../install/applicationToken.js';
import { uninstallPortal } from '../install/uninstallPortal.js';
import { installFromRequest } from './install.js';

/** POST /bitrix/events — application events bound with event.bind (ONAPPINSTALL, ONAPPUNINSTALL). */
export function eventRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post('/bitrix/events', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const event = String(body.event ?? '').toUpperCase();
    if (event === 'ONAPPINSTALL') return installFromRequest(deps, req, reply);
    if (event === 'ONAPPUNINSTALL') return handleUninstall(deps, body, reply);
    return reply.code(400).send({ error: 'UNSUPPORTED_EVENT', message: `Event ${event || '(none)'} is not handled` });
  });
}

export async function handleUninstall(
  deps: AppDeps,
  body: Record<string, unknown>,
  reply: import('fastify').FastifyReply,
) {
  // No tokens arrive with ONAPPUNINSTALL; the application token is the only proof (§4.2).
  const portal = await authenticatePortal(deps.database.db, body.auth);
  if (!portal) return reply.code(401).send({ error: 'UNAUTHORIZED' });
  const data = (body.data ?? {}) as Record<string, unknown>;
  const clean = ['1', 'Y', 'true'].includes(String(data.CLEAN ?? '0'));
  await uninstallPortal(deps, portal, clean);
  return reply.code(200).send({ status: 'uninstalled', clean });
}

import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { findRobot } from '../robots/registry.js';
import { authenticatePortal } from '../install/applicationToken.js';
import { parseRobotCall } from '../robots/parseCall.js';
import { acceptRobotCall } from '../robots/acceptCall.js';
import { AppError } from '../errors.js';
import { adoptCallTokens } from '../install/callTokens.js';

/**
 * POST /bitrix/robots/:code — a Bitrix24 robot delivery. Authenticate, validate, record + enqueue,
 * answer 200 at once: the platform never retries a delivery and slow handlers get deprioritised.
 */
export function robotRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Params: { code: string } }>('/bitrix/robots/:code', async (req, reply) => {
    const robot = findRobot(req.params.code);
    if (!robot) return reply.code(404).send({ error: 'UNKNOWN_ROBOT', message: `No robot ${req.params.code}` });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const portal = await authenticatePortal(deps.database.db, body.auth);
    if (!portal) {
      req.log.warn({ robot: robot.code }, 'robot call rejected: unknown portal or wrong application_token');
      return reply.code(401).send({ error: 'UNAUTHORIZED' });
    }
    let call;
    try {
      call = parseRobotCall(body);
    } catch (err) {
      if (err instanceof AppError) return reply.code(400).send({ error: err.code, message: err.message });
      throw err;
    }
    await adoptCallTokens(deps, portal, body.auth);
    const res = await acceptRobotCall(deps, portal, robot, call);
    req.log.info({ robot: robot.code, memberId: portal.member_id, duplicate: !res.created, invalid: res.invalid }, 'robot call accepted');
    return reply.code(200).send({ status: res.created ? 'queued' : 'duplicate' });
  });
}

import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { authenticatePortal } from '../install/applicationToken.js';
import { parseRobotCall } from '../robots/parseCall.js';
import { acceptRobotCall } from '../robots/acceptCall.js';
import { AppError } from '../errors.js';
import { adoptCallTokens } from '../install/callTokens.js';

/** Bitrix24's CODE alphabet (§1.1), bounded: anything else was never registered by anyone. */
const ROBOT_CODE = /^[a-zA-Z0-9._-]{1,100}$/;

/**
 * POST /bitrix/robots/:code — a Bitrix24 robot delivery. Authenticate, validate, record + enqueue,
 * answer 200 at once: the platform never retries a delivery and slow handlers get deprioritised.
 * Once the portal is authenticated, a call is refused only when it cannot be answered at all (no
 * event_token); a bad document, bad properties or a robot this version does not know are recorded
 * and answered by the worker with status=error, so the waiting step never hangs.
 */
export function robotRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Params: { code: string } }>('/bitrix/robots/:code', async (req, reply) => {
    const code = req.params.code;
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    // Authenticate first: an outsider learns nothing, not even which robot codes exist.
    const portal = await authenticatePortal(deps.database.db, body.auth);
    if (!portal) {
      req.log.warn({ robot: code.slice(0, 100) }, 'robot call rejected: unknown portal or wrong application_token');
      return reply.code(401).send({ error: 'UNAUTHORIZED' });
    }
    if (!ROBOT_CODE.test(code)) return reply.code(404).send({ error: 'UNKNOWN_ROBOT', message: 'No such robot' });
    let call;
    try {
      call = parseRobotCall(body);
    } catch (err) {
      if (err instanceof AppError) return reply.code(400).send({ error: err.code, message: err.message });
      throw err;
    }
    await adoptCallTokens(deps, portal, body.auth);
    const res = await acceptRobotCall(deps, portal, code, call);
    req.log.info({ robot: code, memberId: portal.member_id, duplicate: !res.created, invalid: res.invalid }, 'robot call accepted');
    return reply.code(200).send({ status: res.created ? 'queued' : 'duplicate' });
  });
}

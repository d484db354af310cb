import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';
import type { Portal } from '../storage/schema.js';
import { PortalAuthenticator } from '../install/portalAuth.js';
import { noteServerEndpoint } from '../install/callTokens.js';
import { carriedPair } from '../bitrix/authPayload.js';
import { MAX_EVENT_TOKEN_LENGTH, parseRobotCall } from '../robots/framework/parseCall.js';
import { RobotCallAcceptor } from '../robots/framework/accept.js';
import { errorReply } from './schemas.js';
import { AppError } from '../errors.js';

/** Bitrix24's CODE alphabet (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md), bounded. */
const ROBOT_CODE = /^[a-zA-Z0-9._-]{1,100}$/;

const schema = {
  params: { type: 'object', properties: { code: { type: 'string', maxLength: 200 } }, required: ['code'] },
  // What a delivery carries (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md, "handler"):
  // form-encoded bracket keys, parsed with qs. Only the shape is checked here; parseRobotCall reads the values.
  body: {
    type: 'object',
    properties: {
      event_token: { type: 'string', minLength: 1, maxLength: MAX_EVENT_TOKEN_LENGTH },
      workflow_id: { type: 'string' },
      code: { type: 'string' },
      document_id: { type: 'array', items: { type: 'string' } },
      document_type: { type: 'array', items: { type: 'string' } },
      properties: { type: 'object' },
      use_subscription: { type: 'string' },
      auth: { type: 'object' },
    },
    required: ['event_token'],
  },
  response: {
    200: { type: 'object', properties: { status: { type: 'string', enum: ['queued', 'duplicate'] } }, required: ['status'] },
    '4xx': errorReply,
  },
} as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** The portal a robot delivery proved it came from (set before validation). */
    portal: Portal | null;
  }
}

/**
 * POST /bitrix/robots/:code — a Bitrix24 robot delivery: authenticate, validate, record + enqueue, answer 200 at
 * once (the platform never retries a delivery and slow handlers get deprioritised). Authentication runs before
 * validation, so an outsider learns nothing, not even which robot codes exist. Once the portal is authenticated a
 * call is refused only when it cannot be answered at all (no event_token); bad properties, a bad document or a
 * robot this version does not know are recorded and answered by the worker with status=error.
 */
export const robotRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  const portals = new PortalAuthenticator(deps.database.db);
  const acceptor = new RobotCallAcceptor({ database: deps.database, jobs: deps.jobs, clock: deps.clock, log: deps.log, wake: () => deps.work.notify() });
  app.decorateRequest('portal', null);

  app.post<{ Params: { code: string }; Body: Record<string, unknown> }>('/bitrix/robots/:code', {
    schema,
    preValidation: async (req, reply) => {
      const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
      req.portal = (await portals.authenticate(body.auth)) ?? null;
      if (!req.portal) {
        deps.metrics.robotCalls.inc({ robot: 'unknown', outcome: 'refused' });
        req.logExtra = { robot: String(req.params.code).slice(0, 100), refused: 'unknown portal or wrong application_token' };
        return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'Unknown portal or wrong application token' });
      }
    },
    handler: async (req, reply) => {
      const portal = req.portal!;
      const code = req.params.code;
      if (!ROBOT_CODE.test(code)) return reply.code(404).send({ error: 'UNKNOWN_ROBOT', message: 'No such robot' });
      let call;
      try {
        call = parseRobotCall(req.body);
      } catch (err) {
        if (err instanceof AppError) return reply.code(400).send({ error: err.code, message: err.message });
        throw err;
      }
      if (await noteServerEndpoint(deps, portal, req.body.auth)) portals.forget(portal.member_id);
      const res = await acceptor.accept(portal, code, call, carriedPair(req.body.auth, deps.clock.now()));
      deps.metrics.robotCalls.inc({ robot: code, outcome: res.created ? 'accepted' : 'duplicate' });
      req.logExtra = { robot: code, memberId: portal.member_id, duplicate: !res.created, ...(res.invalid ? { invalid: true } : {}) };
      return reply.code(200).send({ status: res.created ? 'queued' : 'duplicate' });
    },
  });
};

import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import qs from 'qs';
import type { AppDeps } from './deps.js';
import { healthRoutes } from './handlers/health.js';
import { installRoutes } from './handlers/install.js';
import { eventRoutes } from './handlers/events.js';
import { robotRoutes } from './handlers/robots.js';
import { documentRoutes } from './handlers/documents.js';

/**
 * Bitrix24 posts PHP-style bracket keys (`properties[items][0]=…`). qs's default arrayLimit of 20
 * would turn larger indexed arrays into objects, so raise it (§2.4).
 */
export const parseBitrixForm = (body: string) => qs.parse(body, { depth: 10, arrayLimit: 1000, parameterLimit: 10_000 });

/** Builds the HTTP app on the given deps. Never listens: the server (or a test) decides that. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: 5 * 1024 * 1024,
  });
  await app.register(formbody, { parser: parseBitrixForm });
  healthRoutes(app, deps);
  installRoutes(app, deps);
  eventRoutes(app, deps);
  robotRoutes(app, deps);
  documentRoutes(app, deps);
  return app;
}

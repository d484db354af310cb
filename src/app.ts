import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import qs from 'qs';
import type { AppDeps } from './deps.js';
import { lazyRequestLogger, requestLineLogger, type Logger } from './log.js';
import { healthRoutes } from './handlers/health.js';
import { installRoutes } from './handlers/install.js';
import { robotRoutes } from './handlers/robots.js';
import { documentRoutes } from './handlers/documents.js';
import { apiRoutes } from './handlers/api.js';
import { metricsRoutes } from './handlers/metrics.js';
import { webRoutes } from './handlers/web.js';

/**
 * Bitrix24 posts PHP-style bracket keys (`properties[items][0]=…`). qs's default arrayLimit of 20
 * would turn larger indexed arrays into objects, so raise it (b24restdocs: api-reference/events/index.md).
 */
export const parseBitrixForm = (body: string) => qs.parse(body, { depth: 10, arrayLimit: 1000, parameterLimit: 10_000 });

/** Robot calls and install events are a few kilobytes; 1 MB leaves room for long property values. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** Fields a handler adds to the one log line of its request. */
    logExtra: Record<string, string | number | boolean> | null;
  }
}

/** Builds the HTTP app on the given deps. Never listens: the server (or a test) decides that. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify's own request lines carry the full URL, and a public document link (`/d/<token>`) is a
    // bearer secret: log the route pattern instead (below).
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger, bindings, opts) => lazyRequestLogger(logger as Logger, bindings, opts) as FastifyBaseLogger,
  });
  app.decorateRequest('logExtra', null);
  const requestLine = requestLineLogger(deps.log);
  // One line per request, with what the handler added (robot, portal, outcome), and its latency histogram.
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    deps.metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    requestLine.info({ reqId: req.id, method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime), ...req.logExtra }, 'request');
  });
  // Nothing internal (SQL, stack, file paths) reaches a caller: 5xx answers say only that it failed.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err, route: req.routeOptions.url }, 'request failed');
      return reply.code(status).send({ error: 'INTERNAL_ERROR', message: 'The service could not handle this request' });
    }
    req.log.info({ code: err.code, status, route: req.routeOptions.url }, 'request refused');
    const code = err.validation ? 'INVALID_REQUEST' : (err.code ?? 'BAD_REQUEST');
    return reply.code(status).send({ error: code, message: err.message });
  });
  await app.register(formbody, { parser: parseBitrixForm });
  await app.register(healthRoutes, { deps });
  await app.register(installRoutes, { deps });
  await app.register(robotRoutes, { deps });
  await app.register(documentRoutes, { deps });
  await app.register(metricsRoutes, { deps });
  await app.register(apiRoutes, { deps });
  await app.register(webRoutes, { deps });
  return app;
}

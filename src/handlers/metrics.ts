import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /metrics — Prometheus text format, only when METRICS_TOKEN is set (404 otherwise) and only for
 * `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise): the figures name portals and robots.
 */
export const metricsRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  const token = deps.config.METRICS_TOKEN;
  if (!token) return;
  const expected = digest(`Bearer ${token}`);
  app.get('/metrics', async (req, reply) => {
    const presented = req.headers.authorization ?? '';
    if (!timingSafeEqual(digest(presented), expected)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'UNAUTHORIZED', message: 'Bearer token required' });
    }
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
};

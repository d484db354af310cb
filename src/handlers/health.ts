import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import { pendingMigrations } from '../storage/migrate.js';
import { listPortals } from '../storage/portals.js';

const count = { type: 'integer' } as const;
const readySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'migrations_pending', 'unavailable'] },
    clock: {
      type: 'object',
      properties: {
        now: { type: 'string' },
        trial: { type: ['object', 'null'], properties: { startedAt: { type: 'string' } } },
      },
    },
    database: { type: 'string' },
    migrations: { type: 'object', properties: { pending: { type: 'array', items: { type: 'string' } } } },
    portals: {
      type: 'object',
      properties: {
        total: count,
        needingAttention: {
          type: 'array',
          items: {
            type: 'object',
            properties: { memberId: { type: 'string' }, domain: { type: 'string' }, status: { type: 'string' }, reason: { type: ['string', 'null'] } },
          },
        },
      },
    },
    jobs: { type: ['object', 'null'], properties: { pending: count, running: count, done: count, failed: count } },
  },
  required: ['status'],
} as const;

export const healthRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  // Liveness: the process answers. Nothing else, so a slow database never gets us restarted.
  app.get('/healthz', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));

  // Readiness: safe to route traffic here. Portals needing attention are reported, not fatal:
  // one portal with a revoked token must not take the service down for the others.
  app.get('/readyz', { schema: { response: { 200: readySchema, 503: readySchema } } }, async (_req, reply) => {
    const { db } = deps.database;
    try {
      await sql`select 1`.execute(db);
      const pending = await pendingMigrations(deps.database);
      // Before the migrations ran there are no tables to look into.
      const portals = pending.length ? [] : await listPortals(db);
      const attention = portals.flatMap((p): Array<{ memberId: string; domain: string; status: string; reason: string | null }> => {
        if (p.status === 'needs_reinstall') return [{ memberId: p.member_id, domain: p.domain, status: p.status, reason: p.status_reason }];
        // Without the application token every robot call of the portal is refused (401).
        if (p.status === 'active' && p.application_token === '') {
          const reason = 'application token not received yet (ONAPPINSTALL did not arrive): open the app in the portal again or reinstall it';
          return [{ memberId: p.member_id, domain: p.domain, status: p.status, reason }];
        }
        return [];
      });
      const body = {
        status: pending.length ? 'migrations_pending' : 'ready',
        // A trial clock (QRBILL_NOW) must be impossible to miss: every date the service computes follows it.
        clock: { now: deps.clock.now().toISOString(), trial: deps.config.QRBILL_NOW ? { startedAt: deps.config.QRBILL_NOW.toISOString() } : null },
        database: deps.database.dialect,
        migrations: { pending },
        portals: { total: portals.length, needingAttention: attention },
        jobs: pending.length ? null : await deps.jobs.counts(),
      };
      return reply.code(pending.length ? 503 : 200).send(body);
    } catch (err) {
      deps.log.error({ err }, 'readiness: database unreachable');
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
  });
};

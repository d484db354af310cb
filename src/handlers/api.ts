import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { parseMoney } from '../documents/money.js';
import { authenticateApiKey } from '../storage/apiKeys.js';
import { findPush, savePush } from '../storage/payments.js';
import { applyPushedPayment, importStatement, type PaymentDecisionView } from '../payments/apply.js';
import { decisionSchema, openApiDocument, pushBodySchema } from '../api/openapi.js';
import { apiDocsPage } from '../api/docsPage.js';
import { errorReply } from './schemas.js';

/** A year of statements of a busy account is a few MB; far below this. */
const STATEMENT_LIMIT_BYTES = 20 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** The portal an API key proved it acts for (set before validation). */
    apiMemberId: string | null;
  }
}

interface PushBody {
  date: string;
  number: string;
  amount: string;
  payer_inn: string;
  payer_name?: string;
  payer_account: string;
  payee_account: string;
  purpose: string;
}

/**
 * The payments API for 1C: POST /api/v1/statements (a statement file as the body) and POST /api/v1/payments (one
 * payment, JSON, with an Idempotency-Key), both with `Authorization: Bearer <key>`; the OpenAPI document and a
 * readable page. The key is checked before the body is validated, so an outsider learns nothing.
 */
export const apiRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  app.decorateRequest('apiMemberId', null);
  // A statement comes as bytes in whatever encoding 1C wrote: the parser, not HTTP, decides how to read it.
  app.addContentTypeParser(['text/plain', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: STATEMENT_LIMIT_BYTES }, (_req, body, done) => done(null, body));

  const authenticate = async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const found = key ? await authenticateApiKey(deps.database.db, key, deps.clock.now()) : undefined;
    if (!found) {
      reply.header('www-authenticate', 'Bearer');
      return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'An API key is required: Authorization: Bearer <key> (qrbill apikey <member_id> create)' });
    }
    req.apiMemberId = found.memberId;
    req.logExtra = { memberId: found.memberId, apiKey: found.keyId };
  };

  app.get('/api/openapi.json', async () => openApiDocument);
  app.get('/api/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(apiDocsPage()));

  app.post('/api/v1/statements', {
    bodyLimit: STATEMENT_LIMIT_BYTES,
    preValidation: authenticate,
    schema: {
      response: {
        200: { type: 'object', properties: { decisions: { type: 'array', items: decisionSchema } }, required: ['decisions'] },
        '4xx': errorReply,
      },
    },
    handler: async (req, reply) => {
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        return reply.code(400).send({ error: 'STATEMENT_EMPTY', message: 'Send the statement file as the body (Content-Type: text/plain or application/octet-stream)' });
      }
      try {
        const summary = await importStatement(deps, req.apiMemberId!, body);
        req.logExtra = { ...req.logExtra, documents: summary.decisions.length, ...summary.counts };
        return { decisions: summary.decisions };
      } catch (err) {
        if (err instanceof AppError && err.code.startsWith('STATEMENT_')) return reply.code(400).send({ error: err.code, message: err.message });
        throw err;
      }
    },
  });

  app.post<{ Body: PushBody; Headers: { 'idempotency-key'?: string } }>('/api/v1/payments', {
    preValidation: authenticate,
    schema: {
      body: pushBodySchema,
      headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } }, required: ['idempotency-key'] },
      response: { 200: decisionSchema, '4xx': errorReply },
    },
    handler: async (req, reply) => {
      const memberId = req.apiMemberId!;
      const key = req.headers['idempotency-key']!;
      const b = req.body;
      const requestHash = createHash('sha256').update(JSON.stringify([b.date, b.number, b.amount, b.payer_inn, b.payer_account, b.payee_account, b.purpose])).digest('hex');
      const earlier = await findPush(deps.database.db, memberId, key);
      if (earlier) {
        if (earlier.requestHash !== requestHash) {
          return reply.code(409).send({ error: 'IDEMPOTENCY_KEY_REUSED', message: 'This Idempotency-Key was used for another payment' });
        }
        return earlier.response as PaymentDecisionView;
      }
      let amountKopecks: number;
      try {
        amountKopecks = parseMoney(b.amount, 'amount');
      } catch (err) {
        return reply.code(400).send({ error: 'INVALID_REQUEST', message: err instanceof Error ? err.message : 'amount' });
      }
      if (amountKopecks <= 0) return reply.code(400).send({ error: 'INVALID_REQUEST', message: 'amount must be above zero' });
      const decision = await applyPushedPayment(deps, memberId, {
        date: b.date,
        number: b.number.trim(),
        amountKopecks,
        payerInn: b.payer_inn,
        payerName: b.payer_name ?? '',
        payerAccount: b.payer_account,
        payeeAccount: b.payee_account,
        purpose: b.purpose,
      });
      await savePush(deps.database.db, memberId, key, requestHash, decision, deps.clock.now());
      req.logExtra = { ...req.logExtra, result: decision.result };
      return decision;
    },
  });
};

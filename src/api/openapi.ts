/**
 * The payments API as OpenAPI 3.1: served at /api/openapi.json and rendered for people at /api/docs. The route
 * schemas in handlers/api.ts are taken from here, so the document and the validation cannot drift apart.
 */
export const decisionSchema = {
  type: 'object',
  description: 'What happened to one bank document',
  properties: {
    number: { type: 'string', description: 'Payment order number' },
    date: { type: 'string', format: 'date' },
    amount: { type: 'string', pattern: '^\\d+\\.\\d{2}$', description: 'Rubles, e.g. "25000.00"' },
    payer_inn: { type: 'string' },
    result: {
      type: 'string',
      enum: ['paid', 'partially_paid', 'overpaid', 'manual', 'duplicate', 'skipped'],
      description: 'paid — the invoice is paid in full; partially_paid — it keeps waiting for the rest; overpaid — paid, the excess recorded; manual — a person must match it (qrbill payments … match); duplicate — applied before; skipped — not a payment to the landlord',
    },
    invoice_number: { type: ['string', 'null'], description: 'Invoice(s) paid, or the best candidate of a manual decision' },
    reason: { type: 'string', description: 'Why, in Russian, for the accountant' },
    payment_id: { type: 'integer', description: 'The recorded payment, when one was recorded' },
  },
  required: ['number', 'date', 'amount', 'payer_inn', 'result', 'invoice_number', 'reason'],
} as const;

export const pushBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'The day the money arrived' },
    number: { type: 'string', minLength: 1, maxLength: 50, description: 'Payment order number' },
    amount: { type: 'string', pattern: '^\\d{1,13}(\\.\\d{1,2})?$', description: 'Rubles as a decimal string, e.g. "25000.00"' },
    payer_inn: { type: 'string', pattern: '^(\\d{10}|\\d{12})?$' },
    payer_name: { type: 'string', maxLength: 500 },
    payer_account: { type: 'string', pattern: '^\\d{20}$' },
    payee_account: { type: 'string', pattern: '^\\d{20}$', description: "The landlord's account the money came to" },
    purpose: { type: 'string', maxLength: 2000, description: 'Назначение платежа' },
  },
  required: ['date', 'number', 'amount', 'payer_inn', 'payer_account', 'payee_account', 'purpose'],
} as const;

const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error'],
} as const;

const bearer = [{ apiKey: [] }];
const refused = {
  '401': { description: 'No key, an unknown or revoked key', content: { 'application/json': { schema: errorSchema } } },
  '400': { description: 'Not a statement (the message names the line) or an invalid payment', content: { 'application/json': { schema: errorSchema } } },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'QR-биллинг: платежи из 1С',
    version: '1',
    description:
      'Bank statements (1CClientBankExchange 1.02/1.03, any encoding) and single payments pushed from 1C are matched to the invoices the robots issued. A payment is known by its bank-side identity (date, number, amount, payer account): importing a file twice, overlapping statements or a retried push apply nothing twice. Keys: `qrbill apikey <member_id> create`.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A key made with `qrbill apikey <member_id> create`' } },
    schemas: { Decision: decisionSchema, Payment: pushBodySchema, Error: errorSchema },
  },
  paths: {
    '/api/v1/statements': {
      post: {
        summary: 'Import a 1C bank statement',
        security: bearer,
        requestBody: {
          required: true,
          description: 'The statement file as exported by 1C or the bank, bytes as they are (UTF-8, Windows-1251 or DOS)',
          content: { 'text/plain': { schema: { type: 'string', format: 'binary' } }, 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        responses: {
          '200': {
            description: 'One decision per document of the statement',
            content: { 'application/json': { schema: { type: 'object', properties: { decisions: { type: 'array', items: decisionSchema } }, required: ['decisions'] } } },
          },
          ...refused,
        },
      },
    },
    '/api/v1/payments': {
      post: {
        summary: 'Push one payment',
        security: bearer,
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            description: 'Unique per payment (e.g. the 1C document GUID): a retry with the same key gets the same answer',
            schema: { type: 'string', minLength: 1, maxLength: 200 },
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: pushBodySchema } } },
        responses: {
          '200': { description: 'The decision', content: { 'application/json': { schema: decisionSchema } } },
          '409': { description: 'The Idempotency-Key was used for another payment', content: { 'application/json': { schema: errorSchema } } },
          ...refused,
        },
      },
    },
  },
} as const;

/**
 * The yardstick of the accept bench: a bare Fastify endpoint that parses the same form-encoded robot call with
 * `qs` and answers at once, nothing stored. Started as its own process so both servers get the same footing.
 */
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import qs from 'qs';

const app = Fastify({ logger: false });
await app.register(formbody, { parser: (s) => qs.parse(s, { depth: 5, arrayLimit: 100 }) });
app.post('/bitrix/robots/:code', async (req) => {
  const body = req.body as { event_token?: string };
  return { status: body.event_token ? 'queued' : 'duplicate' };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');

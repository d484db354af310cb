/** Shared pieces of the sandbox portal tests: a portal with a fixed clock, REST calls, and a form-POST receiver. */
import Fastify from 'fastify';
import qs from 'qs';
import { ManualClock } from '../../src/clock.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/portal.js';

export function startTestSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ clock: new ManualClock('2026-03-02T09:00:00Z'), ...opts });
}

export interface RestAnswer {
  status: number;
  body: any;
}

/** POSTs JSON the way b24jssdk does (`auth` in the body). */
export async function rest(sb: { restUrl: string }, method: string, params: Record<string, unknown>, auth?: string): Promise<RestAnswer> {
  const res = await fetch(`${sb.restUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, ...(auth === undefined ? {} : { auth }) }),
  });
  return { status: res.status, body: await res.json() };
}

export async function restForm(sb: { restUrl: string }, method: string, params: Record<string, unknown>, auth: string): Promise<RestAnswer> {
  const res = await fetch(`${sb.restUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: qs.stringify({ ...params, auth }),
  });
  return { status: res.status, body: await res.json() };
}

export interface Received {
  url: string;
  contentType: string;
  raw: string;
  body: Record<string, any>;
}

/** A tiny HTTP service that records form-encoded POSTs, parsed like our service parses robot calls. */
export async function startReceiver(reply: (r: Received) => number = () => 200) {
  const received: Received[] = [];
  const app = Fastify();
  // Keep the raw text too, to check the wire format.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, { raw: String(body), parsed: qs.parse(String(body), { arrayLimit: 1000, depth: 10 }) });
  });
  app.post('/*', async (req, res) => {
    const b = req.body as { raw: string; parsed: Record<string, any> };
    const r: Received = { url: req.url, contentType: String(req.headers['content-type']), raw: b.raw, body: b.parsed };
    received.push(r);
    return res.code(reply(r)).send({ status: 'queued' });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return { base, received, close: () => app.close() };
}

/** Polls (real time) until `check` returns something truthy. */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

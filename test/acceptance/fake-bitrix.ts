/**
 * A small, independent fake of one Bitrix24 portal + its OAuth server, written only from the public
 * REST docs (bitrix24/b24restdocs) and /work/shared/reference/bitrix24.md — deliberately sharing
 * nothing with src/sandbox, so acceptance tests catch assumptions the sandbox and the service share.
 *
 * Wire behaviour copied from the docs: PHP-style values (classic CRM fields are strings, product rows
 * carry numbers), `{result, time}` envelopes, `{error, error_description}` errors, list pages of 50
 * with `total`/`next`, batch `cmd` strings parsed like PHP's parse_str with `$result[..]` references and
 * PHP's habit of encoding empty maps as `[]`, rotating refresh tokens, a leaky bucket (2 req/s, 50).
 */
import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import qs from 'qs';

type Dict = Record<string, unknown>;
type Row = Record<string, unknown>;

export class RestError extends Error {
  constructor(readonly status: number, readonly code: string, readonly description: string) {
    super(`${code}: ${description}`);
  }
}

export interface RestCall { method: string; params: Dict; inBatch: boolean }
export interface EventSend { token: string; returnValues: Dict; accepted: Dict; code: string | null; closedStep: boolean; logMessage?: string }
export interface RobotStep { code: string; token: string; closed: boolean; payload: Dict }
export interface RobotRun { status: number; ms: number; body: string; payload: Dict; token: string }

const hex = (n: number) => randomBytes(n).toString('hex');
const ciGet = (o: Dict, key: string): unknown => o[Object.keys(o).find((k) => k.toLowerCase() === key.toLowerCase()) ?? ''];
const upperKeys = (o: unknown): Dict =>
  Object.fromEntries(Object.entries((o && typeof o === 'object' ? o : {}) as Dict).map(([k, v]) => [k.toUpperCase(), v]));
/** PHP json_encode turns an empty array into `[]`, also where a map is expected. */
const phpMap = (o: Dict): Dict | [] => (Object.keys(o).length ? o : []);
const timeInfo = () => {
  const now = Date.now() / 1000;
  return { start: now, finish: now, duration: 0.001, processing: 0.001, date_start: new Date().toISOString(),
    date_finish: new Date().toISOString(), operating_reset_at: Math.floor(now) + 600, operating: 0 };
};

/** Filter with the documented key prefixes (`=`, `!`, `!=`, `@`, `!@`, `>`, `<`, `>=`, `<=`, `%`). */
function matches(row: Row, filter: Dict): boolean {
  return Object.entries(filter).every(([rawKey, want]) => {
    const [, op = '=', key = ''] = /^(>=|<=|!@|!=|!%|=%|%=|>|<|@|=|!|%)?(.+)$/.exec(rawKey) ?? [];
    const have = row[key.toUpperCase()] ?? row[key];
    const s = have === null || have === undefined ? '' : String(have);
    const list = Array.isArray(want) ? want.map(String) : [String(want)];
    switch (op) {
      case '@': return list.includes(s);
      case '!@': return !list.includes(s);
      case '!': case '!=': return s !== String(want);
      case '>': return Number(s) > Number(want);
      case '<': return Number(s) < Number(want);
      case '>=': return Number(s) >= Number(want);
      case '<=': return Number(s) <= Number(want);
      case '%': case '=%': case '%=': return s.toLowerCase().includes(String(want).replace(/%/g, '').toLowerCase());
      default: return s === String(want);
    }
  });
}

/** What a list method answers: `result` plus `total` and `next` beside it. */
class Page {
  constructor(readonly result: Row[], readonly total?: number, readonly next?: number) {}
}

/** A list method page: select/filter/order/start as documented, 50 rows a page. */
function listPage(rows: Row[], params: Dict, opts: { ufByDefault?: boolean } = {}) {
  const filter = (ciGet(params, 'filter') ?? {}) as Dict;
  const order = (ciGet(params, 'order') ?? {}) as Dict;
  const select = ((ciGet(params, 'select') ?? []) as unknown[]).map(String);
  let found = rows.filter((r) => matches(r, filter));
  for (const [field, dir] of Object.entries(order).reverse()) {
    const sign = String(dir).toUpperCase() === 'DESC' ? -1 : 1;
    found = [...found].sort((a, b) => sign * (Number(a[field]) - Number(b[field]) || String(a[field]).localeCompare(String(b[field]))));
  }
  const project = (r: Row): Row => {
    if (!select.length || (select.includes('*') && select.includes('UF_*'))) return opts.ufByDefault || select.includes('UF_*') ? r : dropUf(r);
    const keep = (k: string) => select.includes(k) || (select.includes('*') && !k.startsWith('UF_')) || (select.includes('UF_*') && k.startsWith('UF_'));
    return Object.fromEntries(Object.entries(r).filter(([k]) => keep(k)));
  };
  const start = Number(ciGet(params, 'start') ?? 0);
  if (start === -1) return new Page(found.slice(0, 50).map(project));
  return new Page(found.slice(start, start + 50).map(project), found.length, start + 50 < found.length ? start + 50 : undefined);
}
const dropUf = (r: Row) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('UF_')));

type Handler = (params: Dict, auth: { userId: string }) => unknown;

export class FakeBitrix {
  readonly memberId = hex(16);
  readonly applicationToken = hex(16);
  readonly clientId = `local.${hex(7)}.${hex(4)}`;
  readonly clientSecret = hex(24);
  readonly secret = hex(16);
  url = '';
  /** Every REST method executed (batch sub-calls included, `batch` itself too). */
  readonly calls: RestCall[] = [];
  /** Every HTTP request that reached the fake (REST and OAuth). */
  httpRequests = 0;
  oauthRefreshes = 0;
  readonly robots = new Map<string, Dict>();
  readonly userFieldAdds: Dict[] = [];
  readonly eventSends: EventSend[] = [];
  readonly steps = new Map<string, RobotStep>();
  readonly bindings: Array<{ event: string; handler: string }> = [];
  readonly crm = {
    deals: new Map<string, Row>(), productRows: new Map<string, Row[]>(), companies: new Map<string, Row>(),
    contacts: new Map<string, Row>(), requisites: new Map<string, Row>(), bankDetails: new Map<string, Row>(),
    links: new Map<string, Row>(), users: new Map<string, Row>(), userFields: [] as Row[], addresses: [] as Row[],
    comments: [] as Row[], activities: [] as Row[], notifications: [] as Dict[], dealUpdates: [] as Dict[],
  };
  private appHost: string | null = null;
  private access = new Map<string, { userId: string; expired: boolean }>();
  private refresh = new Map<string, string>();
  private bucket = { level: 0, at: Date.now() };
  private failures: RestError[] = [];
  private seq = 1000;
  private server: http.Server;
  /** The authorization server (like oauth.bitrix24.tech): its own host, the only place tokens are renewed. */
  private oauthServer: http.Server;
  private oauthOrigin = '';
  private methods: Record<string, Handler>;

  private constructor(readonly opts: { eventMethods: boolean }) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.oauthServer = http.createServer((req, res) => void this.serveOAuth(req, res));
    this.crm.users.set('1', { ID: '1', ACTIVE: true, NAME: 'Анна', LAST_NAME: 'Админова', EMAIL: 'admin@example.ru', UF_DEPARTMENT: [1] });
    this.methods = this.buildMethods();
  }

  /** `eventMethods: false` (default) answers event.* with ERROR_METHOD_NOT_FOUND, as a portal without that scope. */
  static async start(opts: { eventMethods?: boolean } = {}): Promise<FakeBitrix> {
    const fake = new FakeBitrix({ eventMethods: opts.eventMethods ?? false });
    await new Promise<void>((ok) => fake.server.listen(0, '127.0.0.1', ok));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    await new Promise<void>((ok) => fake.oauthServer.listen(0, '127.0.0.1', ok));
    fake.oauthOrigin = `http://127.0.0.1:${(fake.oauthServer.address() as AddressInfo).port}`;
    return fake;
  }
  get domain() { return new URL(this.url).host; }
  get restUrl() { return `${this.url}/rest/`; }
  /** What every payload announces as server_endpoint. */
  get serverEndpoint() { return `${this.oauthOrigin}/rest/`; }
  /** host:port of the authorization server (for B24_OAUTH_HOSTS). */
  get oauthHost() { return new URL(this.oauthOrigin).host; }
  get oauthUrl() { return `${this.oauthOrigin}/oauth/token/`; }
  nextId() { return String(++this.seq); }
  async close() {
    for (const srv of [this.server, this.oauthServer]) {
      await new Promise<void>((ok) => { srv.closeAllConnections(); srv.close(() => ok()); });
    }
  }
  /** Calls of one REST method (in batches too). */
  callsOf(method: string) { return this.calls.filter((c) => c.method === method); }
  /** Makes every issued access token answer 401 expired_token (an hour has passed). */
  expireAccessTokens() { for (const t of this.access.values()) t.expired = true; }
  /** Every token issued so far dies (refresh → invalid_grant), e.g. the app was reinstalled elsewhere. */
  revokeAllTokens() { this.expireAccessTokens(); this.refresh.clear(); }
  /** The next `n` REST requests are refused before they run, e.g. 503 QUERY_LIMIT_EXCEEDED. */
  failNext(n: number, status = 503, code = 'QUERY_LIMIT_EXCEEDED', description = 'Too many requests') {
    for (let i = 0; i < n; i++) this.failures.push(new RestError(status, code, description));
  }

  issueTokens(userId = '1') {
    const pair = { access_token: hex(16), refresh_token: hex(16) };
    this.access.set(pair.access_token, { userId, expired: false });
    this.refresh.set(pair.refresh_token, userId);
    return pair;
  }
  private authBlock(userId: string, withApplicationToken = true): Dict {
    const t = this.issueTokens(userId);
    return { ...t, expires: String(Math.floor(Date.now() / 1000) + 3600), expires_in: '3600', scope: 'crm,bizproc,placement,user,department,im,disk',
      domain: this.domain, server_endpoint: this.serverEndpoint, status: 'L', client_endpoint: this.restUrl,
      member_id: this.memberId, user_id: userId, ...(withApplicationToken ? { application_token: this.applicationToken } : {}) };
  }
  private post(url: string, body: Dict, query?: Dict) {
    const full = query ? `${url}${url.includes('?') ? '&' : '?'}${qs.stringify(query)}` : url;
    return fetch(full, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Bitrix24 Webhook Engine' }, body: qs.stringify(body) });
  }

  /** ONAPPINSTALL as a local server app's install callback delivers it (form-encoded `auth[...]`). */
  installViaEvent(installUrl: string) {
    this.appHost = new URL(installUrl).hostname;
    return this.post(installUrl, { event: 'ONAPPINSTALL', data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'ru' },
      ts: String(Math.floor(Date.now() / 1000)), auth: this.authBlock('1') });
  }
  /** The install page opened in the portal frame (§4.6): tokens in the body, DOMAIN/PROTOCOL in the query. */
  installViaFrame(installUrl: string, opts: { applicationToken?: boolean } = {}) {
    this.appHost = new URL(installUrl).hostname;
    const t = this.issueTokens('1');
    return this.post(installUrl, { AUTH_ID: t.access_token, AUTH_EXPIRES: '3600', REFRESH_ID: t.refresh_token, SERVER_ENDPOINT: this.serverEndpoint,
      member_id: this.memberId, status: 'L', PLACEMENT: 'DEFAULT', PLACEMENT_OPTIONS: '{}', APPLICATION_SCOPE: 'crm,bizproc,placement,user,department,im,disk',
      ...(opts.applicationToken ? { APPLICATION_TOKEN: this.applicationToken } : {}) },
    { DOMAIN: this.domain, PROTOCOL: '0', LANG: 'ru', APP_SID: hex(16) });
  }
  /** BX24.installFinish(): the portal fires ONAPPINSTALL to bound handlers (docs sample: no tokens). */
  async finishInstall(): Promise<Array<{ handler: string; status: number; body: string }>> {
    const out = [];
    for (const h of this.bindings.filter((b) => b.event === 'ONAPPINSTALL')) {
      const res = await this.post(h.handler, { event: 'ONAPPINSTALL', data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'ru' },
        ts: String(Math.floor(Date.now() / 1000)), auth: { domain: this.domain, server_endpoint: this.serverEndpoint, status: 'L',
          client_endpoint: this.restUrl, member_id: this.memberId, application_token: this.applicationToken } });
      out.push({ handler: h.handler, status: res.status, body: await res.text() });
    }
    return out;
  }

  /** ONAPPUNINSTALL (§4.2): no tokens, only the application token proves it; CLEAN=1 asks to delete data. */
  uninstall(url: string, opts: { applicationToken?: string; clean?: boolean } = {}) {
    this.robots.clear(); // the portal drops the app's robots with the app
    return this.post(url, { event: 'ONAPPUNINSTALL', data: { LANGUAGE_ID: 'ru', CLEAN: opts.clean ? '1' : '0' },
      ts: String(Math.floor(Date.now() / 1000)), auth: { domain: this.domain, server_endpoint: this.serverEndpoint,
        client_endpoint: this.restUrl, member_id: this.memberId, application_token: opts.applicationToken ?? this.applicationToken } });
  }

  /** What the queue server POSTs to a registered robot's HANDLER when a deal reaches its stage (§2.2, §2.3). */
  robotPayload(code: string, dealId: string, properties: Dict = {}, opts: { applicationToken?: string } = {}): Dict {
    const robot = this.robots.get(code);
    if (!robot) throw new Error(`robot ${code} is not registered`);
    const workflowId = `${hex(7)}.${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const base = `${workflowId}|A${[1, 2, 3, 4].map(() => Math.floor(Math.random() * 90000 + 10000)).join('_')}|${randomBytes(24).toString('base64url').slice(0, 32)}`;
    const token = `${base}.${createHmac('sha256', this.secret).update(base).digest('hex')}`;
    // Every declared property arrives: the admin's value, else its Default, else ''; multiple ones as [0..n].
    const props: Dict = {};
    for (const [key, def] of Object.entries((robot.PROPERTIES ?? {}) as Dict)) {
      const d = upperKeys(def);
      const value = properties[key] ?? (d.DEFAULT === undefined ? '' : d.DEFAULT);
      props[key] = d.MULTIPLE === 'Y' && value !== '' ? (Array.isArray(value) ? value : [value]).map(String) : String(value);
    }
    const useSub = robot.USE_SUBSCRIPTION === 'Y' ? 'Y' : 'N';
    const auth = this.authBlock(String(robot.AUTH_USER_ID ?? '1'));
    if (opts.applicationToken !== undefined) auth.application_token = opts.applicationToken;
    const payload: Dict = { workflow_id: workflowId, code, document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'], event_token: token, ...(Object.keys(props).length ? { properties: props } : {}),
      use_subscription: useSub, timeout_duration: '0', ts: String(Math.floor(Date.now() / 1000)), auth };
    // Without a subscription the step closes right after the call is queued (§2.5).
    this.steps.set(token, { code, token, closed: useSub !== 'Y', payload });
    return payload;
  }
  /** Delivers a robot call (or re-delivers an earlier payload) to the robot's HANDLER. */
  async deliver(payload: Dict): Promise<RobotRun> {
    const robot = this.robots.get(String(payload.code));
    if (!robot) throw new Error(`robot ${String(payload.code)} is not registered`);
    const t0 = Date.now();
    const res = await this.post(String(robot.HANDLER), payload);
    return { status: res.status, ms: Date.now() - t0, body: await res.text(), payload, token: String(payload.event_token) };
  }
  async runRobot(code: string, dealId: string, properties: Dict = {}, opts: { applicationToken?: string } = {}) {
    return this.deliver(this.robotPayload(code, dealId, properties, opts));
  }

  // ---- HTTP ----

  private async serve(req: http.IncomingMessage, res: http.ServerResponse) {
    this.httpRequests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', this.url);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    let params: Dict;
    try {
      const body = String(req.headers['content-type'] ?? '').includes('json') && raw ? (JSON.parse(raw) as Dict) : qs.parse(raw, { depth: 20, arrayLimit: 1000 });
      params = { ...qs.parse(u.search.slice(1), { depth: 20, arrayLimit: 1000 }), ...body };
    } catch {
      return send(400, { error: 'INVALID_REQUEST', error_description: 'Bad request body' });
    }
    const m = /^\/rest\/+([a-z0-9_.]+?)(\.json)?\/?$/i.exec(u.pathname);
    if (!m) return send(404, { error: 'NOT_FOUND', error_description: 'Not found' });
    // Leaky bucket (§5.1): +1 per request, drains 2/s, above 50 → 503.
    const now = Date.now();
    this.bucket.level = Math.max(0, this.bucket.level - ((now - this.bucket.at) / 1000) * 2);
    this.bucket.at = now;
    if (this.bucket.level + 1 > 50) return send(503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    this.bucket.level += 1;
    const injected = this.failures.shift();
    if (injected) return send(injected.status, { error: injected.code, error_description: injected.description });
    try {
      const auth = this.authenticate(params.auth);
      const method = (m[1] ?? '').toLowerCase();
      const out = method === 'batch' ? this.batch(params, auth) : this.call(method, params, auth, false);
      send(200, { ...out, time: timeInfo() });
    } catch (err) {
      if (err instanceof RestError) return send(err.status, { error: err.code, error_description: err.description });
      send(500, { error: 'INTERNAL_SERVER_ERROR', error_description: String(err) });
    }
  }

  private async serveOAuth(req: http.IncomingMessage, res: http.ServerResponse) {
    this.httpRequests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', this.oauthOrigin);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (u.pathname !== '/oauth/token/' && u.pathname !== '/oauth/token') return send(404, { error: 'NOT_FOUND', error_description: 'Not found' });
    const params = { ...qs.parse(u.search.slice(1)), ...qs.parse(Buffer.concat(chunks).toString('utf8')) } as Dict;
    return this.oauth(params, send);
  }

  private oauth(p: Dict, send: (s: number, b: unknown) => void) {
    if (p.client_id !== this.clientId || p.client_secret !== this.clientSecret) return send(401, { error: 'invalid_client', error_description: 'Invalid client' });
    const userId = this.refresh.get(String(p.refresh_token));
    if (p.grant_type !== 'refresh_token' || !userId) return send(400, { error: 'invalid_grant', error_description: 'Invalid grant' });
    this.refresh.delete(String(p.refresh_token)); // each refresh returns a new refresh token; the old one dies
    this.oauthRefreshes++;
    const t = this.issueTokens(userId);
    send(200, { ...t, expires: Math.floor(Date.now() / 1000) + 3600, expires_in: 3600, scope: 'crm,bizproc,placement,user,department,im,disk',
      domain: new URL(this.oauthOrigin).host, server_endpoint: this.serverEndpoint, status: 'L', client_endpoint: this.restUrl, member_id: this.memberId, user_id: Number(userId) });
  }

  private authenticate(token: unknown) {
    if (!token) throw new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    const t = this.access.get(String(token));
    if (!t) throw new RestError(401, 'invalid_token', 'Unable to get application by token');
    if (t.expired) throw new RestError(401, 'expired_token', 'The access token provided has expired.');
    return { userId: t.userId };
  }

  private call(method: string, params: Dict, auth: { userId: string }, inBatch: boolean): Dict {
    this.calls.push({ method, params, inBatch });
    const h = this.methods[method];
    if (!h || (method.startsWith('event.') && !this.opts.eventMethods)) throw new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
    const out = h(params, auth);
    if (!(out instanceof Page)) return { result: out };
    return { result: out.result, ...(out.total !== undefined ? { total: out.total } : {}), ...(out.next !== undefined ? { next: out.next } : {}) };
  }

  /** `batch` (§5.4): cmd strings `method?query` parsed PHP-style, `$result[key][field]` references. */
  private batch(params: Dict, auth: { userId: string }) {
    this.calls.push({ method: 'batch', params, inBatch: false });
    const cmd = (params.cmd ?? {}) as Dict;
    if (Object.keys(cmd).length > 50) throw new RestError(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
    const halt = ['1', 'true', 'Y'].includes(String(params.halt ?? '0'));
    const out = { result: {} as Dict, result_error: {} as Dict, result_total: {} as Dict, result_next: {} as Dict, result_time: {} as Dict };
    const ref = (path: string): unknown => {
      const [, kind = 'result', rest = ''] = /^\$(result|result_error|result_total|result_next|result_time)(.*)$/.exec(path) ?? [];
      let v: unknown = out[kind as keyof typeof out];
      for (const [, k] of rest.matchAll(/\[([^\]]*)\]/g)) v = v && typeof v === 'object' ? (v as Dict)[k ?? ''] : undefined;
      return v;
    };
    const resolve = (v: unknown): unknown => {
      if (typeof v === 'string') {
        const re = /\$(?:result|result_error|result_total|result_next|result_time)(?:\[[^\]]*\])+/g;
        const whole = v.match(re);
        if (whole?.length === 1 && whole[0] === v) return ref(v);
        return v.replace(re, (r) => String(ref(r) ?? ''));
      }
      if (Array.isArray(v)) return v.map(resolve);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
      return v;
    };
    for (const [key, line] of Object.entries(cmd)) {
      if (typeof line !== 'string') throw new RestError(400, 'INVALID_REQUEST', `cmd[${key}] must be a string "method?query"`);
      const q = line.indexOf('?');
      const method = (q < 0 ? line : line.slice(0, q)).toLowerCase();
      const sub = resolve(qs.parse(q < 0 ? '' : line.slice(q + 1), { depth: 20, arrayLimit: 1000 })) as Dict;
      try {
        if (method === 'batch') throw new RestError(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');
        const r = this.call(method, sub, auth, true);
        out.result[key] = r.result;
        if (r.total !== undefined) out.result_total[key] = r.total;
        if (r.next !== undefined) out.result_next[key] = r.next;
        out.result_time[key] = timeInfo();
      } catch (err) {
        if (!(err instanceof RestError)) throw err;
        out.result_error[key] = { error: err.code, error_description: err.description };
        if (halt) break;
      }
    }
    return { result: { result: phpMap(out.result), result_error: phpMap(out.result_error), result_total: phpMap(out.result_total),
      result_next: phpMap(out.result_next), result_time: phpMap(out.result_time) } };
  }

  // ---- methods ----

  private buildMethods(): Record<string, Handler> {
    const c = this.crm;
    const notFound = () => new RestError(400, '', 'Not found');
    const idOf = (p: Dict) => {
      const id = ciGet(p, 'id');
      if (!/^\d+$/.test(String(id ?? ''))) throw new RestError(400, '', 'ID is not defined or invalid');
      return String(Number(id));
    };
    const getFrom = (map: Map<string, Row>) => (p: Dict) => map.get(idOf(p)) ?? (() => { throw notFound(); })();
    const validation = (m: string) => new RestError(400, 'ERROR_ACTIVITY_VALIDATION_FAILURE', m);
    const checkRobot = (f: Dict, isAdd: boolean) => {
      if (isAdd && !/^[a-zA-Z0-9._-]+$/.test(String(f.CODE ?? ''))) throw validation(f.CODE ? 'Wrong activity code!' : 'Empty activity code!');
      const name = f.NAME;
      if (isAdd && !(typeof name === 'string' ? name : Object.values((name ?? {}) as Dict).join(''))) throw validation('Empty activity NAME!');
      if (f.HANDLER !== undefined || isAdd) {
        let h: URL;
        try { h = new URL(String(f.HANDLER)); } catch { throw new RestError(400, 'ERROR_WRONG_HANDLER_URL', 'Wrong handler URL'); }
        if (!['http:', 'https:'].includes(h.protocol)) throw new RestError(400, 'ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported protocol');
        if (this.appHost && h.hostname !== this.appHost) throw new RestError(400, 'ERROR_HANDLER_URL_MATCH', 'Handler URL host must match the application host');
      }
      for (const group of ['PROPERTIES', 'RETURN_PROPERTIES']) {
        if (f[group] === undefined) continue;
        if (!f[group] || typeof f[group] !== 'object') throw validation('Wrong properties array!');
        for (const [k, def] of Object.entries(f[group] as Dict)) {
          if (!/^[a-z][a-z0-9_]*$/i.test(k)) throw validation(`Wrong property key ${k}!`);
          const n = upperKeys(def).NAME;
          if (!(typeof n === 'string' ? n : Object.values((n ?? {}) as Dict).join(''))) throw validation(`Empty property NAME ${k}!`);
        }
      }
      if (f.USE_SUBSCRIPTION !== undefined && !['Y', 'N', ''].includes(String(f.USE_SUBSCRIPTION))) throw validation('Wrong USE_SUBSCRIPTION');
    };
    return {
      'app.info': () => ({ ID: '7', CODE: this.clientId, VERSION: 1, STATUS: 'L', INSTALLED: true, PAYMENT_EXPIRED: 'N', DAYS: null, LICENSE: 'ru_project' }),
      'user.current': (_p, a) => c.users.get(a.userId),
      // b24restdocs: api-reference/common/users/profile.md — the current user, ADMIN as a boolean.
      profile: (_p, a) => {
        const u = c.users.get(a.userId) ?? {};
        return { ID: a.userId, ADMIN: a.userId === '1', NAME: u.NAME ?? '', LAST_NAME: u.LAST_NAME ?? '', PERSONAL_GENDER: '', TIME_ZONE: '' };
      },
      'user.get': (p) => listPage([...c.users.values()], { filter: ciGet(p, 'filter') ?? (p.ID ? { ID: p.ID } : {}), start: p.start }, { ufByDefault: true }),
      'bizproc.robot.list': () => [...this.robots.keys()],
      'bizproc.robot.add': (p) => {
        const f = upperKeys(p);
        checkRobot(f, true);
        if (this.robots.has(String(f.CODE))) throw new RestError(400, 'ERROR_ACTIVITY_ALREADY_INSTALLED', 'Activity already installed!');
        this.robots.set(String(f.CODE), f);
        return true;
      },
      'bizproc.robot.update': (p) => {
        const code = String(ciGet(p, 'CODE') ?? '');
        const fields = upperKeys(ciGet(p, 'FIELDS'));
        if (!this.robots.has(code)) throw new RestError(400, 'ERROR_ACTIVITY_NOT_FOUND', 'Activity or Automation rule not found!');
        if (!Object.keys(fields).length) throw validation('No fields to update');
        checkRobot(fields, false);
        this.robots.set(code, { ...this.robots.get(code), ...fields });
        return true;
      },
      'bizproc.robot.delete': (p) => {
        if (!this.robots.delete(String(ciGet(p, 'CODE') ?? ''))) throw new RestError(400, 'ERROR_ACTIVITY_NOT_FOUND', 'Activity or Automation rule not found!');
        return true;
      },
      'bizproc.event.send': (p) => {
        const token = String(ciGet(p, 'EVENT_TOKEN') ?? '');
        const dot = token.lastIndexOf('.');
        const signed = dot > 0 && createHmac('sha256', this.secret).update(token.slice(0, dot)).digest('hex') === token.slice(dot + 1);
        if (!signed) throw new RestError(403, 'ACCESS_DENIED', 'Access denied!');
        const values = (ciGet(p, 'RETURN_VALUES') ?? {}) as Dict;
        const step = this.steps.get(token);
        const declared = Object.keys((this.robots.get(step?.code ?? '')?.RETURN_PROPERTIES ?? {}) as Dict);
        const accepted: Dict = {};
        for (const [k, v] of Object.entries(values)) {
          const d = declared.find((x) => x.toLowerCase() === k.toLowerCase());
          if (d) accepted[d] = v; // undeclared keys are silently dropped
        }
        const closedStep = !!step && !step.closed; // later sends (or no subscription) are ignored, still `true`
        if (step) step.closed = true;
        const logMessage = ciGet(p, 'LOG_MESSAGE');
        this.eventSends.push({ token, returnValues: values, accepted, code: step?.code ?? null, closedStep, ...(logMessage ? { logMessage: String(logMessage) } : {}) });
        return true;
      },
      'event.bind': (p) => {
        const event = String(ciGet(p, 'event') ?? '').toUpperCase();
        const handler = String(ciGet(p, 'handler') ?? '');
        if (this.bindings.some((b) => b.event === event && b.handler === handler)) throw new RestError(400, 'ERROR_EVENT_HANDLER_ALREADY_BINDED', 'Handler already binded');
        this.bindings.push({ event, handler });
        return true;
      },
      'event.get': () => this.bindings.map((b) => ({ event: b.event, handler: b.handler, auth_type: '0', offline: 0 })),
      'crm.deal.userfield.list': (p) => listPage(c.userFields, p),
      'crm.deal.userfield.add': (p) => {
        const f = upperKeys(ciGet(p, 'fields'));
        const name = String(f.FIELD_NAME ?? '');
        if (!name) throw new RestError(400, '', "The 'FIELD_NAME' field is not found.");
        if (!/^[A-Z0-9_]+$/.test(name)) throw new RestError(400, '', 'Field name contains invalid characters. Allowed characters are: A-Z, 0-9, and _.');
        const full = name.startsWith('UF_CRM_') ? name : `UF_CRM_${name}`;
        if (full.length > 50) throw new RestError(400, '', 'Field name is too long (more than 50 characters).');
        const types = ['string', 'integer', 'double', 'boolean', 'datetime', 'date', 'money', 'url', 'address', 'enumeration', 'file', 'employee', 'crm_status', 'iblock_section', 'iblock_element', 'crm'];
        if (!f.USER_TYPE_ID) throw new RestError(400, '', "The 'USER_TYPE_ID' field is not found.");
        if (!types.includes(String(f.USER_TYPE_ID))) throw new RestError(400, '', 'Invalid custom type specified');
        if (c.userFields.some((u) => u.FIELD_NAME === full)) throw new RestError(400, 'ERROR_CORE', `Field ${full} already exists`);
        this.userFieldAdds.push(f);
        const id = this.nextId();
        c.userFields.push({ ID: id, ENTITY_ID: 'CRM_DEAL', FIELD_NAME: full, USER_TYPE_ID: String(f.USER_TYPE_ID), XML_ID: f.XML_ID ?? null,
          SORT: String(f.SORT ?? '100'), MULTIPLE: String(f.MULTIPLE ?? 'N'), MANDATORY: String(f.MANDATORY ?? 'N'), SHOW_FILTER: String(f.SHOW_FILTER ?? 'N'),
          SHOW_IN_LIST: 'Y', EDIT_IN_LIST: 'Y', IS_SEARCHABLE: 'N', SETTINGS: f.SETTINGS ?? {} });
        return Number(id);
      },
      'crm.deal.get': (p) => {
        const deal = getFrom(c.deals)(p);
        // User fields are part of the deal, empty ones as null.
        return { ...Object.fromEntries(c.userFields.map((u) => [String(u.FIELD_NAME), null])), ...deal };
      },
      'crm.deal.update': (p) => {
        const deal = getFrom(c.deals)(p);
        const fields = (ciGet(p, 'fields') ?? {}) as Dict;
        c.dealUpdates.push({ id: deal.ID, fields });
        const known = new Set([...Object.keys(deal), ...c.userFields.map((u) => String(u.FIELD_NAME))]);
        for (const [k, v] of Object.entries(fields)) if (known.has(k.toUpperCase())) deal[k.toUpperCase()] = v; // unknown fields are ignored
        return true;
      },
      'crm.deal.productrows.get': (p) => { getFrom(c.deals)(p); return c.productRows.get(idOf(p)) ?? []; },
      // crm.deal.add / list / productrows.set / requisite.link.register: what the lease scheduler creates a period deal with.
      'crm.deal.add': (p) => {
        const f = upperKeys(ciGet(p, 'fields'));
        if (!f.TITLE) throw new RestError(400, '', 'TITLE is required');
        const id = this.nextId();
        const stamp = new Date().toISOString();
        c.deals.set(id, { STAGE_ID: 'NEW', CATEGORY_ID: '0', OPPORTUNITY: '0.00', ...Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v === null ? null : String(v)])), ID: id, DATE_CREATE: stamp, DATE_MODIFY: stamp });
        return Number(id);
      },
      'crm.deal.list': (p) => listPage([...c.deals.values()], p),
      'crm.deal.productrows.set': (p) => {
        const deal = getFrom(c.deals)(p);
        const rows = (ciGet(p, 'rows') ?? []) as Dict[];
        c.productRows.set(String(deal.ID), rows.map((r, i) => ({ ...upperKeys(r), ID: this.nextId(), OWNER_ID: String(deal.ID), OWNER_TYPE: 'D', SORT: (i + 1) * 10 })));
        return true;
      },
      'crm.requisite.link.register': (p) => {
        const f = upperKeys(ciGet(p, 'fields'));
        c.links.set(`${String(f.ENTITY_TYPE_ID)}:${String(f.ENTITY_ID)}`, f);
        return true;
      },
      'crm.requisite.link.get': (p) => {
        const type = String(ciGet(p, 'entityTypeId') ?? '');
        const id = String(ciGet(p, 'entityId') ?? '');
        if (!/^\d+$/.test(type)) throw new RestError(400, '', 'entityTypeId is not defined or invalid');
        if (!/^\d+$/.test(id)) throw new RestError(400, '', 'entityId is not defined or invalid');
        return c.links.get(`${type}:${id}`) ?? (() => { throw notFound(); })();
      },
      'crm.company.get': getFrom(c.companies),
      'crm.company.list': (p) => listPage([...c.companies.values()], p),
      'crm.contact.get': getFrom(c.contacts),
      'crm.requisite.get': getFrom(c.requisites),
      'crm.requisite.list': (p) => listPage([...c.requisites.values()], p, { ufByDefault: true }),
      // Addresses are their own entity (ENTITY_TYPE_ID 8 = requisite); crm.requisite.* carry none (crm.requisite.fields).
      'crm.address.list': (p) => listPage(c.addresses, p),
      'crm.requisite.bankdetail.list': (p) => listPage([...c.bankDetails.values()], p, { ufByDefault: true }),
      'crm.timeline.comment.add': (p, a) => {
        const f = (p.fields ?? {}) as Dict; // the key must be lowercase `fields` (crm ≥ 23.100)
        if (!f.ENTITY_ID || !f.ENTITY_TYPE || !f.COMMENT) throw new RestError(400, '', 'ENTITY_ID, ENTITY_TYPE and COMMENT are required');
        const id = this.nextId();
        c.comments.push({ ID: id, CREATED: new Date().toISOString(), ENTITY_ID: String(f.ENTITY_ID), ENTITY_TYPE: String(f.ENTITY_TYPE).toLowerCase(),
          AUTHOR_ID: a.userId, COMMENT: String(f.COMMENT), FILES: f.FILES ?? [] });
        return Number(id);
      },
      'crm.timeline.comment.list': (p) => listPage(c.comments, p),
      'im.notify.system.add': (p) => {
        if (!ciGet(p, 'USER_ID') || !ciGet(p, 'MESSAGE')) throw new RestError(400, 'USER_ID_EMPTY', 'User ID or message can\'t be empty');
        c.notifications.push(p);
        return Number(this.nextId());
      },
      'crm.activity.add': (p, a) => {
        const f = upperKeys(ciGet(p, 'fields'));
        if (!f.SUBJECT || !f.OWNER_ID || !f.OWNER_TYPE_ID) throw new RestError(400, '', 'Required fields are missing');
        const id = this.nextId();
        c.activities.push({ ...f, ID: id, AUTHOR_ID: a.userId, CREATED: new Date().toISOString() });
        return Number(id);
      },
      'crm.activity.list': (p) => listPage(c.activities, p),
    };
  }
}

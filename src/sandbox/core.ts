import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import qs from 'qs';
import { framePost, frameUrl, portalPageHtml, type FramePost } from './frame.js';
import { ManualClock } from '../clock.js';
import { silentLogger, type Logger } from '../log.js';
import { createAppMethods, type AppState } from './app-methods.js';
import { AppTriggerRegistry, createAppTriggerMethods, type AppTrigger } from './app-triggers.js';
import {
  AutomationEngine,
  type AutomationStep,
  type EventSendRecord,
  type WorkflowLogEntry,
} from './automation.js';
import { QS_OPTIONS, createBatchMethod } from './batch.js';
import { RobotRegistry, createRobotMethods, type RobotRegistration } from './bizproc.js';
import { FaultInjector, type FaultConfig } from './faults.js';
import { postForm } from './http-post.js';
import { localClientId, randomAlnum, randomHex } from './ids.js';
import { onAppInstallPayload, onAppUninstallPayload, type EventAuth } from './install.js';
import { LeakyBucket } from './limits.js';
import { oauthToken } from './oauth.js';
import { RestDispatcher, type RequestRecord } from './rest.js';
import { StageTriggers, type StageTrigger, type TriggerExecution } from './stage-triggers.js';
import { TokenStore, type TokenPair } from './tokens.js';
import type { MethodTable } from './types.js';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  clock?: ManualClock;
  clientId?: string;
  clientSecret?: string;
  memberId?: string;
  domain?: string;
  /** Leaky bucket; default 2/s drain, burst 50 (non-Enterprise plans). */
  limits?: { drainPerSec: number; burst: number };
  accessTokenTtlSec?: number;
  log?: Logger;
  /** How long a robot or install delivery may take before it counts as failed (real ms, default 10 000). */
  deliveryTimeoutMs?: number;
}

/** The method modules of a portal (CRM, users, …) and their state. */
export interface CrmModule<S> {
  state: S;
  methods: MethodTable;
}

export interface PortalSandbox<S> {
  baseUrl: string;
  /** `${baseUrl}/rest/` — client_endpoint of every payload. */
  restUrl: string;
  /** The authorization server's REST base on its own port: server_endpoint of every payload. */
  serverEndpoint: string;
  /** `host:port` of the authorization server, for the service's B24_OAUTH_HOSTS. */
  oauthHost: string;
  /** `<server_endpoint origin>/oauth/token/` — the only place tokens are renewed. */
  oauthTokenUrl: string;
  clientId: string;
  clientSecret: string;
  memberId: string;
  domain: string;
  /** Current installation's token; a new one after uninstall + install. */
  readonly applicationToken: string;
  clock: ManualClock;
  crm: S;
  /**
   * Installs the app as `userId` (default the admin, 1). Default shape: the API-only install callback
   * (`auth[...]`). `frame: true`: the install page opened in the portal frame — the documented widget POST
   * (AUTH_ID, REFRESH_ID, member_id… and DOMAIN/PROTOCOL in the query; no user id, no application token), then,
   * as after BX24.installFinish(), ONAPPINSTALL to the handler the app bound for it (if any).
   * `alsoEvent` (callback shape): ONAPPINSTALL to the install URL as well.
   */
  installApp(installUrl: string, opts?: { userId?: number; alsoEvent?: boolean; frame?: boolean }): Promise<{ status: number }>;
  uninstallApp(eventUrl: string, opts: { clean: boolean; applicationToken?: string }): Promise<{ status: number }>;
  /** The app's main handler, as an admin enters it when registering the local app (the left-menu page). */
  setAppHandler(url: string): void;
  /**
   * The frame POST of a user opening the app (`placement` DEFAULT) or a bound placement, with fresh tokens of that
   * user (default the admin). `options` becomes PLACEMENT_OPTIONS (e.g. `{ID: '15'}` for a deal tab).
   */
  framePost(opts?: { userId?: number; placement?: string; options?: Record<string, unknown>; lang?: string }): FramePost;
  /** Where the portal would POST that frame: the app handler for DEFAULT, the bound handler of a placement. */
  frameHandler(placement?: string): string;
  /** Fresh tokens of a user, as if from an install page (for tests that call REST directly). */
  issueTokens(userId?: number): TokenPair;
  robots(): Map<string, RobotRegistration>;
  setStageAutomation(categoryId: number, stageId: string, steps: AutomationStep[]): void;
  /**
   * As an admin binding the app's triggers to a stage in the automation designer: when the app executes one of
   * them for a deal of this pipeline in an earlier stage, the deal moves here (and this stage's automation runs).
   * Replaces the stage's previous bindings; `[]` removes them.
   */
  setStageTriggers(categoryId: number, stageId: string, triggers: StageTrigger[]): void;
  /** The app's registered triggers, as crm.automation.trigger.list would return them. */
  appTriggers(): AppTrigger[];
  /** Every accepted crm.automation.trigger.execute and what it did, oldest first. */
  triggerExecutions(): TriggerExecution[];
  /** As a user dragging the deal on the kanban (user 1); fires automation. */
  moveDeal(dealId: number, stageId: string): Promise<void>;
  /** Real-time wait until no robot is pending delivery or answer; rejects with what is pending on timeout (default 10 s). */
  runUntilIdle(opts?: { timeoutMs?: number; ignoreWaiting?: string[] }): Promise<void>;
  workflowLog(): WorkflowLogEntry[];
  eventSends(): EventSendRecord[];
  requests(): RequestRecord[];
  /** One robot call outside stage automation; resolves with the payload once POSTed. */
  deliverRobotCall(
    code: string,
    dealId: number,
    properties?: Record<string, string | string[]>,
    opts?: { runAs?: number },
  ): Promise<Record<string, unknown>>;
  /** POSTs a payload from `deliverRobotCall`/`workflowLog` again, unchanged (duplicate delivery). */
  redeliverRobotCall(payload: Record<string, unknown>): Promise<{ status: number }>;
  setFaults(f: FaultConfig): void;
  /** Every access token issued so far now answers `expired_token`. */
  expireAccessTokens(): void;
  /** Moves the sandbox clock (token expiry, dates). */
  advance(ms: number): void;
  close(): Promise<void>;
}

const SCOPE = ['crm', 'bizproc', 'placement', 'user', 'department', 'im', 'disk'];
const ADMIN_USER_ID = 1;

function bodyOf(req: FastifyRequest): Record<string, unknown> {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

function splitUrl(req: FastifyRequest): { path: string; query: Record<string, unknown> } {
  const url = req.raw.url ?? '/';
  const q = url.indexOf('?');
  return {
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? {} : (qs.parse(url.slice(q + 1), QS_OPTIONS) as Record<string, unknown>),
  };
}

/** Starts a portal around the given method modules. `startSandbox` wires in the CRM module. */
export async function startPortal<S>(opts: SandboxOptions, makeCrm: (clock: ManualClock) => CrmModule<S>): Promise<PortalSandbox<S>> {
  const clock = opts.clock ?? new ManualClock();
  const log = opts.log ?? silentLogger();
  const closing = new AbortController();
  const deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 10_000;
  const isAdmin = (userId: number) => userId === ADMIN_USER_ID;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closing.signal.aborted) return resolve();
      const t = setTimeout(resolve, ms);
      closing.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });

  const app: AppState = {
    clientId: opts.clientId ?? localClientId(),
    memberId: opts.memberId ?? randomHex(16),
    // Until it listens; then, unless told otherwise, the portal's domain is where it really answers (as a real
    // portal's client_endpoint is https://<domain>/rest/), so a frame install's DOMAIN leads back here.
    domain: opts.domain ?? '',
    scope: SCOPE,
    installed: true,
    events: [],
    placements: [],
  };
  let appHandler = '';
  const clientSecret = opts.clientSecret ?? randomAlnum(50);
  let applicationToken = randomHex(16);
  let baseUrl = '';
  let oauthOrigin = '';
  const restUrl = () => `${baseUrl}/rest/`;
  const serverEndpoint = () => `${oauthOrigin}/rest/`;

  const tokens = new TokenStore(clock, opts.accessTokenTtlSec ?? 3600);
  const robots = new RobotRegistry();
  const appTriggers = new AppTriggerRegistry();
  const faults = new FaultInjector();
  const limits = opts.limits ?? { drainPerSec: 2, burst: 50 };

  const authFor = (userId: number): EventAuth => {
    const pair = tokens.issue(userId);
    return {
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires: pair.expires,
      expires_in: pair.expires_in,
      scope: app.scope.join(','),
      domain: app.domain,
      server_endpoint: serverEndpoint(),
      client_endpoint: restUrl(),
      status: 'L',
      member_id: app.memberId,
      user_id: userId,
      application_token: applicationToken,
    };
  };

  type FrameOpts = { userId?: number; placement?: string; options?: Record<string, unknown>; lang?: string };
  const buildFramePost = (o: FrameOpts = {}): FramePost => {
    const pair = tokens.issue(o.userId ?? ADMIN_USER_ID);
    return frameOf(pair.access_token, pair.refresh_token, pair.expires_in, o);
  };
  const frameOf = (accessToken: string, refreshToken: string, expiresIn: number, o: FrameOpts): FramePost =>
    framePost({
      accessToken,
      refreshToken,
      expiresIn,
      memberId: app.memberId,
      domain: app.domain,
      https: baseUrl.startsWith('https:'),
      placement: o.placement ?? 'DEFAULT',
      options: o.options ?? {},
      lang: o.lang ?? 'ru',
      appSid: randomHex(16),
    });
  const handlerFor = (placement = 'DEFAULT'): string => {
    if (placement === 'DEFAULT') {
      if (!appHandler) throw new Error('sandbox: no app handler set (setAppHandler)');
      return appHandler;
    }
    const bound = app.placements.find((b) => b.placement === placement);
    if (!bound) throw new Error(`sandbox: nothing bound to placement ${placement}`);
    return bound.handler;
  };

  let automation!: AutomationEngine;
  const rest = new RestDispatcher({
    clock,
    log,
    tokens,
    limiter: new LeakyBucket(limits.drainPerSec, limits.burst),
    faults,
    hooks: { dealStageChanged: (deal, prev) => automation.dealStageChanged(deal, prev) },
    baseUrl: () => baseUrl,
    sleep,
  });
  automation = new AutomationEngine({
    clock,
    log,
    robots,
    secret: randomHex(32),
    call: (method, params, userId) => rest.internal(method, params, userId),
    authFor,
    deliveryTimeoutMs,
    signal: closing.signal,
  });

  const stageTriggers = new StageTriggers({ clock, call: (method, params, userId) => rest.internal(method, params, userId) });

  const crm = makeCrm(clock);
  rest.setMethods({
    ...createAppMethods(app, isAdmin),
    ...crm.methods,
    ...createRobotMethods(robots, isAdmin),
    ...createAppTriggerMethods({
      registry: appTriggers,
      appId: () => app.clientId,
      isAdmin,
      fire: (firing) => stageTriggers.fire(firing),
    }),
    ...automation.methods(),
    batch: createBatchMethod({ run: rest.subCall, record: rest.noteSubCall }),
  });

  const server: FastifyInstance = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024, forceCloseConnections: true });
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400 }), undefined);
    }
  });
  // Form bodies (and anything else) as PHP would read them: bracket keys, large arrays.
  server.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, qs.parse(String(body), QS_OPTIONS));
  });
  server.setErrorHandler((err: { message?: string; statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    void reply
      .code(status)
      .send({ error: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'INVALID_REQUEST', error_description: err.message ?? '' });
  });

  const restHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const { path, query } = splitUrl(req);
    let rawMethod = path.replace(/^\/rest\//, '');
    try {
      rawMethod = decodeURIComponent(rawMethod);
    } catch {
      // A malformed escape cannot name a method; it will answer ERROR_METHOD_NOT_FOUND.
    }
    const r = await rest.handle(rawMethod, { ...query, ...bodyOf(req) });
    return reply.code(r.status).header('content-type', 'application/json; charset=utf-8').send(r.body);
  };
  server.route({ method: ['GET', 'POST'], url: '/rest/*', handler: restHandler });
  // Portal pages a browser test opens: the app's page in the left menu, a deal card with the app's tab.
  const portalPage = (title: string, placement: string, options: Record<string, unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const q = splitUrl(req).query;
      const userId = Number(q.user ?? ADMIN_USER_ID) || ADMIN_USER_ID;
      let handler: string;
      try {
        handler = handlerFor(placement);
      } catch (err) {
        return reply.code(404).type('text/plain; charset=utf-8').send((err as Error).message);
      }
      const post = buildFramePost({ userId, placement, options, lang: String(q.lang ?? 'ru') });
      return reply.type('text/html; charset=utf-8').send(portalPageHtml(title, handler, post));
    };
  server.get('/portal/app', (req, reply) => portalPage('QR-биллинг', 'DEFAULT', {})(req, reply));
  server.get<{ Params: { id: string } }>('/portal/deal/:id', (req, reply) =>
    portalPage(`Сделка ${req.params.id}`, 'CRM_DEAL_DETAIL_TAB', { ID: req.params.id })(req, reply),
  );

  // The authorization server: another listener, like oauth.bitrix.info beside the portal's own host.
  const oauthServer: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  oauthServer.removeAllContentTypeParsers();
  oauthServer.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, qs.parse(String(body), QS_OPTIONS));
  });
  const oauthHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const r = oauthToken(
      { ...splitUrl(req).query, ...bodyOf(req) },
      {
        tokens,
        clientId: app.clientId,
        clientSecret,
        memberId: app.memberId,
        scope: app.scope,
        isInstalled: () => app.installed,
        restUrl,
        serverEndpoint,
      },
    );
    const error = typeof r.body.error === 'string' ? r.body.error : undefined;
    rest.note({ method: 'oauth.token', httpStatus: r.status, ...(error ? { error } : {}) });
    return reply.code(r.status).send(r.body);
  };
  oauthServer.route({ method: ['GET', 'POST'], url: '/oauth/token/', handler: oauthHandler });
  oauthServer.route({ method: ['GET', 'POST'], url: '/oauth/token', handler: oauthHandler });

  await server.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  baseUrl = `http://127.0.0.1:${port}`;
  if (!app.domain) app.domain = new URL(baseUrl).host;
  await oauthServer.listen({ host: '127.0.0.1', port: 0 });
  const oauthAddress = oauthServer.server.address();
  oauthOrigin = `http://127.0.0.1:${typeof oauthAddress === 'object' && oauthAddress ? oauthAddress.port : 0}`;

  const unixNow = () => Math.floor(clock.now().getTime() / 1000);
  const post = async (url: string, payload: Record<string, unknown>, what: string) => {
    const outcome = await postForm(url, payload, { timeoutMs: deliveryTimeoutMs, signal: closing.signal });
    if ('error' in outcome) throw new Error(`sandbox ${what} delivery to ${url} failed: ${outcome.error}`);
    return { status: outcome.status };
  };

  return {
    baseUrl,
    restUrl: restUrl(),
    serverEndpoint: serverEndpoint(),
    oauthHost: new URL(oauthOrigin).host,
    oauthTokenUrl: `${oauthOrigin}/oauth/token/`,
    clientId: app.clientId,
    clientSecret,
    memberId: app.memberId,
    domain: app.domain,
    get applicationToken() {
      return applicationToken;
    },
    clock,
    crm: crm.state,

    async installApp(installUrl, o = {}) {
      if (!app.installed) {
        app.installed = true;
        applicationToken = randomHex(16);
      }
      const auth = authFor(o.userId ?? ADMIN_USER_ID);
      if (o.frame) {
        const fp = frameOf(auth.access_token, auth.refresh_token, auth.expires_in, { placement: 'DEFAULT' });
        const page = await post(frameUrl(installUrl, fp), fp.body, 'install page');
        const bound = app.events.find((b) => b.event === 'ONAPPINSTALL');
        if (page.status === 200 && bound) await post(bound.handler, onAppInstallPayload(authFor(o.userId ?? ADMIN_USER_ID), unixNow(), 1), 'ONAPPINSTALL event');
        return page;
      }
      const first = await post(installUrl, onAppInstallPayload(auth, unixNow()), 'ONAPPINSTALL');
      if (o.alsoEvent) await post(installUrl, onAppInstallPayload(auth, unixNow(), 1), 'ONAPPINSTALL event');
      return first;
    },

    async uninstallApp(eventUrl, o) {
      const forged = o.applicationToken !== undefined && o.applicationToken !== applicationToken;
      if (!forged) {
        // The platform revokes access and drops the app's robots, events and placements before telling the app.
        // Its triggers go too, but not their bindings in the pipelines: the docs say a binding left after removal
        // fires again once the same app registers the same CODE (b24restdocs: api-reference/crm/automation/triggers/index.md).
        tokens.revokeAll();
        robots.clear();
        appTriggers.removeApp(app.clientId);
        app.events = [];
        app.placements = [];
        app.installed = false;
      }
      const payload = onAppUninstallPayload(
        {
          domain: app.domain,
          server_endpoint: serverEndpoint(),
          client_endpoint: restUrl(),
          member_id: app.memberId,
          application_token: o.applicationToken ?? applicationToken,
        },
        o.clean,
        unixNow(),
      );
      return post(eventUrl, payload, 'ONAPPUNINSTALL');
    },

    issueTokens: (userId = ADMIN_USER_ID) => tokens.issue(userId),
    setAppHandler: (url) => {
      appHandler = url;
    },
    framePost: (o) => buildFramePost(o),
    frameHandler: (placement) => handlerFor(placement),
    robots: () => robots.snapshot(),
    setStageAutomation: (categoryId, stageId, steps) => automation.setStageAutomation(categoryId, stageId, steps),
    setStageTriggers: (categoryId, stageId, triggers) => stageTriggers.set(app.clientId, categoryId, stageId, triggers),
    appTriggers: () => appTriggers.list(app.clientId),
    triggerExecutions: () => stageTriggers.list(),
    async moveDeal(dealId, stageId) {
      await rest.internal('crm.deal.update', { id: dealId, fields: { STAGE_ID: stageId } }, ADMIN_USER_ID);
    },
    runUntilIdle: (o) => automation.runUntilIdle(o),
    workflowLog: () => automation.workflowLog(),
    eventSends: () => automation.eventSends(),
    requests: () => rest.requests(),
    deliverRobotCall: (code, dealId, properties, o) => automation.deliverRobotCall(code, dealId, properties, o),
    async redeliverRobotCall(payload) {
      const outcome = await automation.redeliver(payload);
      return { status: 'status' in outcome ? outcome.status : 0 };
    },
    setFaults: (f) => faults.set(f),
    expireAccessTokens: () => tokens.expireAllAccess(),
    advance: (ms) => clock.advance(ms),
    async close() {
      automation.stopAll();
      closing.abort();
      await server.close();
      await oauthServer.close();
    },
  };
}

import { SandboxRestError, param, type MethodContext, type MethodTable } from './types.js';

/** A property definition after the platform upper-cased its keys (`Name` → `NAME`). */
export interface RobotProperty {
  NAME: unknown;
  DESCRIPTION?: unknown;
  TYPE?: string;
  OPTIONS?: Record<string, unknown>;
  REQUIRED?: string;
  MULTIPLE?: string;
  DEFAULT?: unknown;
  [key: string]: unknown;
}

/** A robot as stored by `bizproc.robot.add` / `update`: top-level keys upper-cased, property codes as given. */
export interface RobotRegistration {
  CODE: string;
  HANDLER: string;
  AUTH_USER_ID: number;
  USE_SUBSCRIPTION: string;
  NAME: unknown;
  DESCRIPTION?: unknown;
  PROPERTIES: Record<string, RobotProperty>;
  RETURN_PROPERTIES: Record<string, RobotProperty>;
  DOCUMENT_TYPE?: unknown;
  FILTER?: unknown;
  USE_PLACEMENT: 'Y' | 'N';
  PLACEMENT_HANDLER?: string;
}

const VALIDATION = 'ERROR_ACTIVITY_VALIDATION_FAILURE';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** PHP `empty()`: what the platform treats as "not given". */
function phpEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === '0' || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * Upper-cases keys at every level except directly under PROPERTIES, RETURN_PROPERTIES and OPTIONS,
 * where the keys are property codes / option values and keep their case (the core's prepareActivityData).
 */
export function upperCaseActivityKeys(data: unknown, keepCase = false): unknown {
  if (Array.isArray(data)) return data.map((v) => upperCaseActivityKeys(v));
  if (!isObject(data)) return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    const key = keepCase ? k : k.toUpperCase();
    out[key] = isObject(v)
      ? upperCaseActivityKeys(v, key === 'PROPERTIES' || key === 'RETURN_PROPERTIES' || key === 'OPTIONS')
      : v;
  }
  return out;
}

function fail(message: string, code = VALIDATION): never {
  throw new SandboxRestError(code, message, 400);
}

function validateCode(code: unknown): string {
  if (phpEmpty(code)) fail('Empty activity code!');
  if (typeof code !== 'string' || !/^[a-z0-9.\-_]+$/i.test(code)) fail('Wrong activity code!');
  return code;
}

/** The core's HandlerHelper::checkCallback: a host with a dot, http or https. */
export function validateHandlerUrl(handler: unknown): string {
  let url: URL | null = null;
  try {
    url = typeof handler === 'string' ? new URL(handler) : null;
  } catch {
    url = null;
  }
  if (!url || url.hostname.indexOf('.') <= 0) fail('Wrong handler URL', 'ERROR_WRONG_HANDLER_URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail('Unsupported event handler protocol', 'ERROR_UNSUPPORTED_PROTOCOL');
  }
  return handler as string;
}

function validateProperties(props: unknown): Record<string, RobotProperty> {
  if (!isObject(props)) fail('Wrong properties array!');
  for (const [key, prop] of Object.entries(props)) {
    if (!/^[a-z][a-z0-9_]*$/i.test(key)) fail(`Wrong property key (${key})!`);
    if (!isObject(prop) || phpEmpty(prop.NAME)) fail(`Empty property NAME (${key})!`);
  }
  // A JSON `[]` is PHP's empty array: no properties.
  return (Array.isArray(props) ? {} : props) as Record<string, RobotProperty>;
}

export class RobotRegistry {
  private readonly robots = new Map<string, RobotRegistration>();

  get(code: string): RobotRegistration | undefined {
    return this.robots.get(code);
  }

  snapshot(): Map<string, RobotRegistration> {
    return new Map([...this.robots].map(([k, v]) => [k, structuredClone(v)]));
  }

  /** App removal and app update both delete every robot of the app. */
  clear(): void {
    this.robots.clear();
  }

  add(params: Record<string, any>): void {
    if (phpEmpty(params)) fail('Empty data!');
    const data = upperCaseActivityKeys(params) as Record<string, any>;
    const code = validateCode(data.CODE);
    const handler = validateHandlerUrl(data.HANDLER);
    if (phpEmpty(data.NAME)) fail('Empty activity NAME!');
    const properties = data.PROPERTIES !== undefined && data.PROPERTIES !== null ? validateProperties(data.PROPERTIES) : {};
    const returnProperties =
      data.RETURN_PROPERTIES !== undefined && data.RETURN_PROPERTIES !== null ? validateProperties(data.RETURN_PROPERTIES) : {};
    if (data.FILTER !== undefined && data.FILTER !== null && !isObject(data.FILTER)) fail('Wrong activity FILTER!');
    if (this.robots.has(code)) fail('Activity or Robot already installed!', 'ERROR_ACTIVITY_ALREADY_INSTALLED');
    const usePlacement = data.USE_PLACEMENT === 'Y' ? 'Y' : 'N';
    if (usePlacement === 'Y') validateHandlerUrl(data.PLACEMENT_HANDLER);
    this.robots.set(code, {
      CODE: code,
      HANDLER: handler,
      AUTH_USER_ID: Number.parseInt(String(data.AUTH_USER_ID ?? 0), 10) || 0,
      USE_SUBSCRIPTION: data.USE_SUBSCRIPTION === undefined || data.USE_SUBSCRIPTION === null ? '' : String(data.USE_SUBSCRIPTION),
      NAME: data.NAME,
      DESCRIPTION: data.DESCRIPTION,
      PROPERTIES: properties,
      RETURN_PROPERTIES: returnProperties,
      DOCUMENT_TYPE: data.DOCUMENT_TYPE,
      FILTER: data.FILTER,
      USE_PLACEMENT: usePlacement,
      ...(usePlacement === 'Y' ? { PLACEMENT_HANDLER: String(data.PLACEMENT_HANDLER) } : {}),
    });
  }

  update(params: Record<string, any>): void {
    const data = upperCaseActivityKeys(params) as Record<string, any>;
    const code = validateCode(data.CODE);
    const robot = this.robots.get(code);
    if (!robot) fail('Activity or Robot not found!', 'ERROR_ACTIVITY_NOT_FOUND');
    const f = isObject(data.FIELDS) && !phpEmpty(data.FIELDS) ? (data.FIELDS as Record<string, any>) : null;
    if (!f) fail('No fields to update');
    const next: RobotRegistration = { ...robot };
    let changed = false;
    const set = <K extends keyof RobotRegistration>(k: K, v: RobotRegistration[K]) => {
      next[k] = v;
      changed = true;
    };
    if (f.HANDLER != null) set('HANDLER', validateHandlerUrl(f.HANDLER));
    if (f.AUTH_USER_ID != null) set('AUTH_USER_ID', Number.parseInt(String(f.AUTH_USER_ID), 10) || 0);
    if (f.USE_SUBSCRIPTION != null) set('USE_SUBSCRIPTION', String(f.USE_SUBSCRIPTION));
    if (f.USE_PLACEMENT != null) set('USE_PLACEMENT', f.USE_PLACEMENT === 'Y' ? 'Y' : 'N');
    if (!phpEmpty(f.NAME)) set('NAME', f.NAME);
    if (f.DESCRIPTION != null) set('DESCRIPTION', f.DESCRIPTION);
    if (f.PROPERTIES != null) set('PROPERTIES', validateProperties(f.PROPERTIES));
    if (f.RETURN_PROPERTIES != null) set('RETURN_PROPERTIES', validateProperties(f.RETURN_PROPERTIES));
    // An empty DOCUMENT_TYPE / FILTER clears it.
    if (f.DOCUMENT_TYPE != null) set('DOCUMENT_TYPE', phpEmpty(f.DOCUMENT_TYPE) ? undefined : f.DOCUMENT_TYPE);
    if (f.FILTER != null) {
      if (!phpEmpty(f.FILTER) && !isObject(f.FILTER)) fail('Wrong activity FILTER!');
      set('FILTER', phpEmpty(f.FILTER) ? undefined : f.FILTER);
    }
    if (!changed) fail('No fields to update');
    if (f.PLACEMENT_HANDLER != null) next.PLACEMENT_HANDLER = validateHandlerUrl(f.PLACEMENT_HANDLER);
    this.robots.set(code, next);
  }

  delete(params: Record<string, any>): void {
    const code = validateCode(param(params, 'CODE'));
    if (!this.robots.delete(code)) fail('Activity or Robot not found!', 'ERROR_ACTIVITY_NOT_FOUND');
  }

  codes(): string[] {
    return [...this.robots.keys()];
  }
}

/** `bizproc.robot.*`: admin only (application context is implied, the sandbox has no webhooks). */
export function createRobotMethods(registry: RobotRegistry, isAdmin: (userId: number) => boolean): MethodTable {
  const requireAdmin = (ctx: MethodContext) => {
    if (!isAdmin(ctx.userId)) throw new SandboxRestError('ACCESS_DENIED', 'Access denied!', 403);
  };
  return {
    'bizproc.robot.add': (params, ctx) => {
      requireAdmin(ctx);
      registry.add(params);
      return true;
    },
    'bizproc.robot.update': (params, ctx) => {
      requireAdmin(ctx);
      registry.update(params);
      return true;
    },
    'bizproc.robot.delete': (params, ctx) => {
      requireAdmin(ctx);
      registry.delete(params);
      return true;
    },
    'bizproc.robot.list': (_params, ctx) => {
      requireAdmin(ctx);
      return registry.codes();
    },
  };
}

/**
 * Application triggers of CRM automation: `crm.automation.trigger.add` / `.list` / `.delete` / `.execute`
 * (b24restdocs: api-reference/crm/automation/triggers/index.md and the method pages beside it).
 * Triggers belong to the application that registered them; what an executed trigger does to a deal is
 * decided by the stage bindings (stage-triggers.ts), not here.
 */
import { SandboxRestError, param, type MethodContext, type MethodTable } from './types.js';

/** A registered trigger exactly as `crm.automation.trigger.list` returns it. */
export interface AppTrigger {
  NAME: string;
  CODE: string;
}

/** One accepted `crm.automation.trigger.execute`, for the stage bindings to act on. */
export interface TriggerFiring {
  appId: string;
  code: string;
  ownerTypeId: number;
  ownerId: number;
  userId: number;
}

/**
 * CCrmOwnerType ids this portal has: lead, deal, contact, company, invoice (old), quote (estimate),
 * smart invoice. No smart processes exist in the sandbox, so no dynamic type id is defined.
 */
const DEFINED_OWNER_TYPES = new Set([1, 2, 3, 4, 5, 7, 31]);

/** PHP `empty()`: the docs' "not passed, empty, or equals 0". */
function phpEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === '0' || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** PHP `(int)`: leading digits of a string, 0 otherwise. */
function phpInt(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (typeof v !== 'string') return 0;
  const n = Number.parseInt(v.trim(), 10);
  return Number.isNaN(n) ? 0 : n;
}

// These methods answer their own validation errors with an empty `error` code and HTTP 400.
function fail(description: string): never {
  throw new SandboxRestError('', description, 400);
}

/** The CODE rule shared by add, delete and execute: Latin letters, digits, `.`, `-`, `_`. */
function validCode(params: Record<string, any>): string {
  const code = param(params, 'CODE');
  if (phpEmpty(code)) fail('Empty trigger code!');
  if ((typeof code !== 'string' && typeof code !== 'number') || !/^[a-z0-9.\-_]+$/i.test(String(code))) {
    fail('Wrong trigger code!');
  }
  return String(code);
}

/** Triggers per application (client_id), the way the platform keys them. */
export class AppTriggerRegistry {
  private readonly byApp = new Map<string, Map<string, AppTrigger>>();

  /** Registers, or renames when the app already has this CODE. */
  put(appId: string, code: string, name: string): void {
    const own = this.byApp.get(appId) ?? new Map<string, AppTrigger>();
    this.byApp.set(appId, own);
    const existing = own.get(code);
    if (existing) existing.NAME = name;
    else own.set(code, { NAME: name, CODE: code });
  }

  has(appId: string, code: string): boolean {
    return this.byApp.get(appId)?.has(code) ?? false;
  }

  list(appId: string): AppTrigger[] {
    return [...(this.byApp.get(appId)?.values() ?? [])].map((t) => ({ ...t }));
  }

  delete(appId: string, code: string): boolean {
    return this.byApp.get(appId)?.delete(code) ?? false;
  }

  /** Uninstall: the app's registrations go; stage bindings stay (see stage-triggers.ts). */
  removeApp(appId: string): void {
    this.byApp.delete(appId);
  }
}

export interface AppTriggerMethodDeps {
  registry: AppTriggerRegistry;
  /** client_id of the application whose token made the call (the sandbox serves one app). */
  appId(): string;
  isAdmin(userId: number): boolean;
  /** Acts on an accepted execute; its outcome never changes the answer, which is always `true`. */
  fire(firing: TriggerFiring): Promise<unknown>;
}

/**
 * All four methods: scope `crm`, administrator only, application context only. The sandbox serves no
 * webhooks, so every call is in application context and "Application context required" cannot occur.
 */
export function createAppTriggerMethods(deps: AppTriggerMethodDeps): MethodTable {
  const requireAdmin = (ctx: MethodContext) => {
    if (!deps.isAdmin(ctx.userId)) throw new SandboxRestError('ACCESS_DENIED', 'Access denied! Admin permissions required', 403);
  };
  return {
    'crm.automation.trigger.add': (params, ctx) => {
      requireAdmin(ctx);
      const code = validCode(params);
      const name = param(params, 'NAME');
      if (phpEmpty(name)) fail('Empty trigger name!');
      deps.registry.put(deps.appId(), code, String(name));
      return true;
    },
    // b24restdocs: api-reference/crm/automation/triggers/crm-automation-trigger-list.md — the whole list at once,
    // `start`, `filter` and `order` ignored.
    'crm.automation.trigger.list': (_params, ctx) => {
      requireAdmin(ctx);
      return deps.registry.list(deps.appId());
    },
    'crm.automation.trigger.delete': (params, ctx) => {
      requireAdmin(ctx);
      const code = validCode(params);
      if (!deps.registry.delete(deps.appId(), code)) fail('Trigger not found');
      return true;
    },
    'crm.automation.trigger.execute': async (params, ctx) => {
      requireAdmin(ctx);
      const code = validCode(params);
      const appId = deps.appId();
      if (!deps.registry.has(appId, code)) fail(`Trigger with code ${code} is not registered.`);
      const ownerTypeId = phpInt(param(params, 'OWNER_TYPE_ID'));
      if (!DEFINED_OWNER_TYPES.has(ownerTypeId)) fail('Incorrect parameter OWNER_TYPE_ID.');
      const ownerId = phpInt(param(params, 'OWNER_ID'));
      if (ownerId <= 0) fail('Incorrect parameter OWNER_ID.');
      await deps.fire({ appId, code, ownerTypeId, ownerId, userId: ctx.userId });
      return true;
    },
  };
}

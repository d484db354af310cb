import { validateHandlerUrl } from './bizproc.js';
import { SandboxRestError, param, type MethodContext, type MethodTable } from './types.js';

export interface EventBinding {
  event: string;
  handler: string;
  auth_type: number;
  offline: number;
}

export interface PlacementBinding {
  placement: string;
  handler: string;
  title: string;
  description: string;
  options: unknown;
}

/** Application-level state the app methods read and the install/uninstall flow resets. */
export interface AppState {
  clientId: string;
  memberId: string;
  domain: string;
  scope: string[];
  installed: boolean;
  events: EventBinding[];
  placements: PlacementBinding[];
}

const KNOWN_PLACEMENTS = [
  'DEFAULT',
  'LEFT_MENU',
  'CRM_DEAL_DETAIL_TAB',
  'CRM_DEAL_LIST_MENU',
  'CRM_DEAL_DETAIL_TOOLBAR',
  'CRM_SMART_INVOICE_DETAIL_TAB',
  'CRM_COMPANY_DETAIL_TAB',
  'BIZPROC_ACTIVITY_PROPERTIES_DIALOG',
];

/** Minimal `event.*`, `placement.*`, `app.info`, `profile`, `scope`, `server.time`. */
export function createAppMethods(app: AppState, isAdmin: (userId: number) => boolean): MethodTable {
  const requireAdmin = (ctx: MethodContext) => {
    if (!isAdmin(ctx.userId)) throw new SandboxRestError('ACCESS_DENIED', 'Access denied!', 403);
  };
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    'app.info': () => ({
      ID: 1,
      CODE: app.clientId,
      VERSION: 1,
      STATUS: 'L',
      INSTALLED: app.installed,
      PAYMENT_EXPIRED: 'N',
      DAYS: null,
      LANGUAGE_ID: 'ru',
      LICENSE: 'ru_project',
      LICENSE_TYPE: 'project',
      LICENSE_FAMILY: 'project',
    }),
    profile: (_p, ctx) => ({ ID: String(ctx.userId), ADMIN: isAdmin(ctx.userId), NAME: '', LAST_NAME: '', PERSONAL_GENDER: '', TIME_ZONE: '' }),
    scope: () => [...app.scope],
    'server.time': (_p, ctx) => ctx.clock.now().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    'event.bind': (params, ctx) => {
      requireAdmin(ctx);
      const event = str(param(params, 'event')).toUpperCase();
      if (!event) throw new SandboxRestError('ERROR_EVENT_NOT_FOUND', 'Event not found', 400);
      const handler = validateHandlerUrl(param(params, 'handler'));
      if (app.events.some((b) => b.event === event && b.handler === handler)) {
        throw new SandboxRestError('ERROR_CORE', 'Handler already binded', 400);
      }
      app.events.push({
        event,
        handler,
        auth_type: Number(param(params, 'auth_type') ?? 0) || 0,
        offline: str(param(params, 'event_type')).toLowerCase() === 'offline' ? 1 : 0,
      });
      return true;
    },
    'event.get': (_p, ctx) => {
      requireAdmin(ctx);
      return app.events.map((b) => ({ ...b }));
    },
    'event.unbind': (params, ctx) => {
      requireAdmin(ctx);
      const event = str(param(params, 'event')).toUpperCase();
      const handler = param(params, 'handler');
      const before = app.events.length;
      app.events = app.events.filter((b) => !(b.event === event && (handler === undefined || b.handler === handler)));
      return { count: before - app.events.length };
    },
    'placement.list': () => [...KNOWN_PLACEMENTS],
    'placement.bind': (params, ctx) => {
      requireAdmin(ctx);
      const placement = str(param(params, 'PLACEMENT')).toUpperCase();
      if (!placement) throw new SandboxRestError('ERROR_PLACEMENT_NOT_FOUND', 'Placement not found', 400);
      const handler = validateHandlerUrl(param(params, 'HANDLER'));
      if (app.placements.some((b) => b.placement === placement && b.handler === handler)) {
        throw new SandboxRestError('ERROR_CORE', 'Handler already binded', 400);
      }
      app.placements.push({
        placement,
        handler,
        title: str(param(params, 'TITLE')),
        description: str(param(params, 'DESCRIPTION')),
        options: param(params, 'OPTIONS') ?? [],
      });
      return true;
    },
    'placement.get': (_p, ctx) => {
      requireAdmin(ctx);
      return app.placements.map((b) => ({ ...b }));
    },
    'placement.unbind': (params, ctx) => {
      requireAdmin(ctx);
      const placement = str(param(params, 'PLACEMENT')).toUpperCase();
      const handler = param(params, 'HANDLER');
      const before = app.placements.length;
      app.placements = app.placements.filter(
        (b) => !(b.placement === placement && (handler === undefined || b.handler === handler)),
      );
      return { count: before - app.placements.length };
    },
  };
}

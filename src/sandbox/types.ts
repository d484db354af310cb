/**
 * Contract between the sandbox portal's core (HTTP server, OAuth, limits, batch, bizproc,
 * automation) and its method modules (CRM, users, departments, notifications, disk).
 * A method module is a table of handlers keyed by lower-case REST method name.
 */
import type { Clock } from '../clock.js';

/** A REST error exactly as the platform returns it: `{error, error_description}` with an HTTP status. */
export class SandboxRestError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly httpStatus = 400,
  ) {
    super(`${code}: ${description}`);
    this.name = 'SandboxRestError';
  }
}

/** Returned by list handlers; the core turns it into `{result, total, next}` pages of 50. */
export interface ListPage<T = unknown> {
  readonly __list: true;
  items: T[];
  total: number;
  next?: number;
}

export function listPage<T>(all: T[], start: unknown, pageSize = 50): ListPage<T> {
  const s = Number(start ?? 0);
  // start=-1 is the platform's "fast mode": no total count, first page.
  const from = Number.isFinite(s) && s > 0 ? s : 0;
  const items = all.slice(from, from + pageSize);
  const next = from + pageSize < all.length ? from + pageSize : undefined;
  return { __list: true, items, total: s === -1 ? 0 : all.length, ...(next === undefined ? {} : { next }) };
}

export function isListPage(v: unknown): v is ListPage {
  return typeof v === 'object' && v !== null && (v as ListPage).__list === true;
}

/** Events the CRM modules raise and the automation engine listens to. */
export interface SandboxHooks {
  /** Called after a deal is created in, or moved into, a stage (not when the stage is unchanged). */
  dealStageChanged(deal: { ID: string; STAGE_ID: string; CATEGORY_ID: string }, previousStageId: string | null): void;
}

export interface MethodContext {
  /** The user whose token made the call. */
  userId: number;
  clock: Clock;
  hooks: SandboxHooks;
  /** Base URL of the sandbox (`http://127.0.0.1:PORT`), for building file download links. */
  baseUrl: string;
}

export type MethodHandler = (params: Record<string, any>, ctx: MethodContext) => unknown | Promise<unknown>;
export type MethodTable = Record<string, MethodHandler>;

/** Read a top-level parameter case-insensitively (`id`/`ID`, `fields`/`FIELDS`), as the platform does. */
export function param<T = any>(params: Record<string, any>, name: string): T | undefined {
  if (name in params) return params[name] as T;
  const lower = name.toLowerCase();
  for (const k of Object.keys(params)) if (k.toLowerCase() === lower) return params[k] as T;
  return undefined;
}

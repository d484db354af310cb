import type { AppDeps } from '../../deps.js';
import type { WebContext } from '../context.js';

export interface ActionInput {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** JSON body, or the raw bytes of an upload (`application/octet-stream`). */
  body: unknown;
}

/**
 * A change (or a JSON read) the pages make with fetch, under `/bitrix/app/api`. Admin-only actions answer 403 to
 * anyone else; input is validated in `run` with the same rules as the CLI, failing with a ValidationError whose
 * issue paths name the form fields.
 */
export interface ActionDef {
  method: 'GET' | 'POST' | 'DELETE';
  /** Relative to /bitrix/app/api, Fastify style (`/payments/:id/match`). */
  path: string;
  admin?: boolean;
  /** Who else may call it, beyond the rule of `admin` (e.g. the accountants the settings name); others get 403. */
  may?(deps: AppDeps, ctx: WebContext): Promise<boolean>;
  /** The i18n key of the 403 message when `may` refuses. */
  deniedKey?: string;
  run(deps: AppDeps, ctx: WebContext, input: ActionInput): Promise<unknown>;
}

import type { AppDeps } from '../../deps.js';
import type { PageDef, QueryValues, WebContext } from '../context.js';

export interface Page extends PageDef {
  /** The view the template renders (the layout adds user, nav, lang and token). */
  load(deps: AppDeps, ctx: WebContext, query: QueryValues): Promise<Record<string, unknown>>;
}

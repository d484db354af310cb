import type { AppDeps } from '../../deps.js';
import type { PageDef, QueryValues, WebContext } from '../context.js';

export interface Page extends PageDef {
  /** The view the template renders (the layout adds user, nav, lang and token). */
  load(deps: AppDeps, ctx: WebContext, query: QueryValues): Promise<Record<string, unknown>>;
  /** Optional work started when the frame opens on this page, while the browser follows the redirect (warms caches). */
  prepare?(deps: AppDeps, ctx: WebContext): Promise<void>;
}

/** A file a page offers for download (the CSV export): sent as an attachment, read with the same session link. */
export interface PageFile {
  /** The name the browser saves it under (UTF-8 allowed). */
  name: string;
  type: string;
  body: Buffer;
}

/** A GET link that answers with a file instead of HTML (`/bitrix/app/page/invoices.csv?s=…`). */
export interface DownloadPage {
  download(deps: AppDeps, ctx: WebContext, query: QueryValues): Promise<PageFile>;
}

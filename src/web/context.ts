import type { Portal } from '../storage/schema.js';
import type { WebLang } from './i18n/index.js';
import type { WebSession } from './session.js';

/** What a page or an action knows about the request once the session is proven. */
export interface WebContext {
  session: WebSession;
  /** The token the page carries on its links and sends with its changes. */
  token: string;
  portal: Portal;
  /** The portal's origin as installed (`https://<domain>`): the only page that may frame ours, and where CRM links go. */
  portalOrigin: string;
  /** The portal's time zone: dates, months and "today" are read in it. */
  zone: string;
  lang: WebLang;
  /** The service clock's now (QRBILL_NOW / tests move it). */
  now: Date;
}

/** A page: a template under templates/web and what fills it. */
export interface PageDef {
  template: string;
  /** The navigation tab it lights up. */
  nav?: 'dashboard' | 'invoices' | 'payments' | 'settings';
  /** Title key (i18n). */
  title: string;
  /** A placement inside a CRM card: no app navigation around it. */
  frameOnly?: boolean;
  /** Extra scripts the page needs beyond app.js (e.g. the chart library). */
  scripts?: string[];
}

export type QueryValues = Record<string, string | undefined>;

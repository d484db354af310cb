import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Handlebars from 'handlebars';
import { translate, type WebLang } from './i18n/index.js';
import { formatDate, formatInstant, formatMoney, formatMonth } from './format.js';

export const WEB_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/web/', import.meta.url));

type Root = { lang: WebLang; token: string; zone: string };
const root = (options: Handlebars.HelperOptions): Root => options.data.root as Root;

/**
 * Server-rendered pages (Handlebars, escaped by default). Every template under templates/web is compiled once
 * at start; `_name.hbs` files are partials. Helpers format money, dates and links the same way on every page.
 */
export class WebRenderer {
  private readonly hbs = Handlebars.create();
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();

  constructor(dir = WEB_TEMPLATE_DIR) {
    const h = this.hbs;
    h.registerHelper('t', function (key: string, options: Handlebars.HelperOptions) {
      return translate(root(options).lang, key, options.hash as Record<string, unknown>);
    });
    h.registerHelper('money', (kopecks: unknown, options: Handlebars.HelperOptions) =>
      typeof kopecks === 'number' ? formatMoney(kopecks, root(options).lang) : '—',
    );
    h.registerHelper('date', (d: unknown, options: Handlebars.HelperOptions) => formatDate(typeof d === 'string' ? d : null, root(options).lang));
    h.registerHelper('instant', (d: unknown, options: Handlebars.HelperOptions) =>
      formatInstant(typeof d === 'string' ? d : null, root(options).zone, root(options).lang),
    );
    h.registerHelper('month', (ym: unknown, options: Handlebars.HelperOptions) => formatMonth(String(ym), root(options).lang));
    h.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    /** `{{link "invoices" state="paid"}}`: a page URL carrying the session token (GET pages only read). */
    h.registerHelper('link', (page: string, options: Handlebars.HelperOptions) => pageUrl(page, root(options).token, options.hash as Record<string, unknown>));
    /** Data for the page's script, as JSON inside `<script type="application/json">` (no inline code under the CSP). */
    h.registerHelper('json', (v: unknown) => new Handlebars.SafeString(JSON.stringify(v ?? null).replace(/</g, '\\u003c')));
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.hbs')) continue;
      const name = file.slice(0, -4);
      const text = readFileSync(path.join(dir, file), 'utf8');
      if (name.startsWith('_')) h.registerPartial(name.slice(1), text);
      else this.templates.set(name, h.compile(text, { strict: false }));
    }
  }

  render(template: string, view: Record<string, unknown>): string {
    const tpl = this.templates.get(template);
    if (!tpl) throw new Error(`web template ${template} not found`);
    return tpl(view);
  }
}

export function pageUrl(page: string, token: string, params: Record<string, unknown> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  q.set('s', token);
  return `/bitrix/app/page/${encodeURIComponent(page)}?${q.toString()}`;
}

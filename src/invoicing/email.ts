/**
 * E-mail text from handlebars templates (`templates/email/<name>.subject.hbs` + `<name>.body.hbs`).
 * Templates compile on a private Handlebars instance, so helpers or partials registered elsewhere
 * cannot change what clients receive. Body values are HTML-escaped; the subject is a plain-text
 * header, so it is not escaped (a client named «A & B» must not become «A &amp; B») but line breaks
 * are collapsed, which keeps a value from injecting headers. Missing values render as empty text.
 * Helper available to templates: `(any a b …)` — true when any argument is truthy.
 */
import Handlebars from 'handlebars';
import { isIsoDate, formatDateShort } from '../documents/dates.js';

/**
 * What the templates can use. Dates may be given as `YYYY-MM-DD` (printed as «01.12.2026») or as
 * ready text; `amount` is ready text («25 000,00»); periods are labels («декабрь 2026 г.»).
 */
export interface EmailContext {
  deal: { id: string | number; title: string };
  /** Company name or the contact's full name, as printed in the greeting. */
  client: { name: string };
  seller: { name: string; phone?: string };
  invoice?: {
    number: string;
    date: string;
    amount: string;
    dueDate?: string;
    /** Link to the invoice PDF. */
    url?: string;
    /** Link to the QR-invoice PDF or QR image. */
    qrUrl?: string;
    period?: string;
  };
  act?: {
    number: string;
    date: string;
    /** Link to the act PDF. */
    url?: string;
    period?: string;
  };
  /** The responsible manager who signs the letter. */
  manager: { name: string };
  /** Overdue reminders: days past the due date, what is still owed and the penalty so far (ready text). */
  overdue?: { days: number; remainder: string; penalty?: string };
}

/** The documents a letter can be about; a template that prints one of them needs it. */
export type LetterDocument = 'invoice' | 'act';

export interface EmailTemplate {
  subject: HandlebarsTemplateDelegate;
  body: HandlebarsTemplateDelegate;
  /**
   * Documents the template prints unconditionally (`{{act.number}}` outside any `{{#if}}` block):
   * sent without them, the letter would read «Акт № от». Values inside blocks are optional.
   */
  requires: LetterDocument[];
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const hb = Handlebars.create();
// Handlebars has no `or`; «show the links block if any link exists» needs one.
hb.registerHelper('any', (...args: unknown[]) => args.slice(0, -1).some((v) => Boolean(v)));

/** Compiles a subject/body pair on the private instance (`strict: false`: missing values print nothing). */
export function compileEmailTemplate(subjectSource: string, bodySource: string): EmailTemplate {
  const requires = new Set([...documentsPrinted(subjectSource), ...documentsPrinted(bodySource)]);
  return {
    subject: hb.compile(subjectSource, { strict: false, noEscape: true }),
    body: hb.compile(bodySource, { strict: false }),
    requires: (['invoice', 'act'] as const).filter((d) => requires.has(d)),
  };
}

/** Roots of the `{{invoice.…}}` / `{{act.…}}` values printed at the top level of a template. */
function documentsPrinted(source: string): LetterDocument[] {
  const out: LetterDocument[] = [];
  for (const node of hb.parse(source).body) {
    if (node.type !== 'MustacheStatement') continue;
    const path = (node as hbs.AST.MustacheStatement).path;
    if (path.type !== 'PathExpression') continue;
    const root = (path as hbs.AST.PathExpression).parts[0];
    if (root === 'invoice' || root === 'act') out.push(root);
  }
  return out;
}

/** Throws the Handlebars parse error of a broken template now rather than at the first send. */
export function checkEmailTemplateSyntax(source: string): void {
  hb.parse(source);
}

function displayDate(v: string | undefined): string | undefined {
  return v !== undefined && isIsoDate(v) ? formatDateShort(v) : v;
}

function viewOf(ctx: EmailContext): EmailContext {
  const view: EmailContext = { ...ctx };
  if (ctx.invoice) {
    view.invoice = { ...ctx.invoice, date: displayDate(ctx.invoice.date) ?? '' };
    const due = displayDate(ctx.invoice.dueDate);
    if (due !== undefined) view.invoice.dueDate = due;
  }
  if (ctx.act) view.act = { ...ctx.act, date: displayDate(ctx.act.date) ?? '' };
  return view;
}

export function renderEmail(tpl: EmailTemplate, ctx: EmailContext): RenderedEmail {
  const view = viewOf(ctx);
  const subject = tpl.subject(view).replace(/\s+/g, ' ').trim();
  const html = tpl.body(view);
  return { subject, html, text: htmlToText(html) };
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00A0',
  laquo: '«',
  raquo: '»',
  mdash: '—',
  ndash: '–',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

/**
 * Plain-text alternative of the HTML body: block tags become line breaks, links keep their address
 * («Счёт (PDF): https://…»), other tags are dropped and entities decoded.
 */
export function htmlToText(html: string): string {
  const withLinks = html.replace(/<a\b[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a>/gi, (_m, _q, href: string, inner: string) => {
    const label = inner.replace(/<[^>]*>/g, '').trim();
    const url = decodeEntities(href);
    return label && decodeEntities(label) !== url ? `${label}: ${href}` : href;
  });
  const text = withLinks
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1>/gi, '')
    // Source line breaks are plain whitespace in HTML; only tags break lines.
    .replace(/[ \t\r\n]+/g, ' ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|table|ul|ol)>/gi, '\n\n')
    .replace(/<\/tr>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n• ')
    .replace(/<\/(li|td|th)>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .split('\n')
    // Plain spaces only: the no-break spaces inside «25 000,00» must stay.
    .map((line) => line.replace(/ +/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

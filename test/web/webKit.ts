/**
 * Opening the app's pages as the portal does: the frame POST (form-encoded, DOMAIN/PROTOCOL/LANG in the query),
 * then the pages and actions with the session the service hands out. For tests without a browser; the browser
 * tests open the sandbox's portal page instead.
 */
import qs from 'qs';
import type { Harness } from '../helpers/harness.js';

export interface Opened {
  status: number;
  /** Where the frame POST redirected (the first page, with the session in its query). */
  location: string;
  token: string;
  headers: Headers;
  html: string;
}

export type FrameOpts = { userId?: number; placement?: string; options?: Record<string, unknown>; lang?: string };

/** The frame POST a portal user sends; `tamper` edits it before sending (forgeries). */
export async function openFrame(
  h: Harness,
  opts: FrameOpts = {},
  tamper: (p: { query: Record<string, string>; body: Record<string, string> }) => void = () => undefined,
): Promise<Opened> {
  const placement = opts.placement ?? 'DEFAULT';
  const post = h.sandbox.framePost({ ...opts, placement });
  tamper(post);
  const path = placement === 'CRM_DEAL_DETAIL_TAB' ? '/bitrix/placement/deal-tab' : '/bitrix/app';
  const res = await fetch(`${h.url}${path}?${qs.stringify(post.query)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: qs.stringify(post.body),
    redirect: 'manual',
  });
  const location = res.headers.get('location') ?? '';
  const token = location ? (new URL(location, h.url).searchParams.get('s') ?? '') : '';
  return { status: res.status, location, token, headers: res.headers, html: await res.text() };
}

/** A GET page of the app (`dashboard`, `invoices?state=paid`, …) with the session. */
export async function page(h: Harness, token: string, pathAndQuery: string): Promise<{ status: number; html: string; headers: Headers }> {
  const [name, query = ''] = pathAndQuery.split('?');
  const q = new URLSearchParams(query);
  q.set('s', token);
  const res = await fetch(`${h.url}/bitrix/app/page/${name}?${q.toString()}`);
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** A JSON action as the page's script sends it. */
export async function action(
  h: Harness,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const init: RequestInit = { method, headers: { ...(token ? { 'x-qrbill-session': token } : {}), ...headers } };
  if (body instanceof Uint8Array) {
    init.body = new Blob([new Uint8Array(body)]);
    (init.headers as Record<string, string>)['content-type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${h.url}/bitrix/app/api${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Visible text of an HTML page, tags dropped and spaces (incl. no-break) collapsed. */
export const textOf = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|\u00a0|\u202f/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

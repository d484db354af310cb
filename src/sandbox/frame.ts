import qs from 'qs';

/**
 * What a portal sends when a user opens the app or one of its placements in a frame
 * (b24restdocs: api-reference/widgets/_includes/widget_data.md): the user's own OAuth pair and the context in the
 * body, DOMAIN/PROTOCOL/LANG/APP_SID in the query. The application token is not part of it.
 */
export interface FramePost {
  query: Record<string, string>;
  body: Record<string, string>;
}

export interface FramePostInput {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  memberId: string;
  domain: string;
  https: boolean;
  placement: string;
  options: Record<string, unknown>;
  lang: string;
  appSid: string;
}

export function framePost(i: FramePostInput): FramePost {
  return {
    query: { DOMAIN: i.domain, PROTOCOL: i.https ? '1' : '0', LANG: i.lang, APP_SID: i.appSid },
    body: {
      AUTH_ID: i.accessToken,
      AUTH_EXPIRES: String(i.expiresIn),
      REFRESH_ID: i.refreshToken,
      member_id: i.memberId,
      status: 'L',
      PLACEMENT: i.placement,
      PLACEMENT_OPTIONS: JSON.stringify(i.options),
    },
  };
}

export function frameUrl(handler: string, post: FramePost): string {
  return `${handler}${handler.includes('?') ? '&' : '?'}${qs.stringify(post.query)}`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A portal page around the app's frame, as a browser sees Bitrix24: the portal's own header and an iframe the
 * portal fills by submitting the frame POST into it. Lets a browser test open the app exactly as a user would.
 */
export function portalPageHtml(title: string, handler: string, post: FramePost): string {
  const inputs = Object.entries(post.body)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${esc(title)} — Битрикс24 (песочница)</title>
<style>body{margin:0;font:14px Arial,sans-serif;background:#eef2f4}header{height:48px;background:#2fc6f6;color:#fff;display:flex;align-items:center;padding:0 16px;font-weight:bold}
iframe{display:block;border:0;width:100%;height:calc(100vh - 48px);background:#fff}</style></head>
<body><header>Битрикс24 · ${esc(title)}</header>
<form id="open" method="post" target="app" action="${esc(frameUrl(handler, post))}">${inputs}</form>
<iframe name="app" title="${esc(title)}"></iframe>
<script>document.getElementById('open').submit();</script></body></html>`;
}

/**
 * Headers of every app page. The portal shows the app in an iframe, so framing is allowed for the portal the
 * session belongs to and nobody else (`frame-ancestors`; X-Frame-Options cannot name an origin). Scripts come
 * only from this service (no inline code), nothing is cached (pages carry a session token in their links), and
 * no Referer leaves the page.
 */
export function pageHeaders(portalOrigin: string | undefined): Record<string, string> {
  const ancestors = portalOrigin ? portalOrigin : "'none'";
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      "object-src 'none'",
      `frame-ancestors ${ancestors}`,
    ].join('; '),
    ...PRIVATE_HEADERS,
  };
}

/** What every answer carrying a user's data sends, pages and downloads alike: not cached, no Referer, no sniffing. */
export const PRIVATE_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;

/**
 * A change must come from our own pages: the session token travels in a header a cross-site form cannot set, and
 * when the browser says where the request comes from (`Origin`), it must be this service.
 */
export function sameOrigin(originHeader: string | undefined, publicUrl: string, hostHeader: string | undefined): boolean {
  if (!originHeader) return true;
  if (originHeader === 'null') return false;
  const origin = originHeader.toLowerCase();
  if (origin === new URL(publicUrl).origin.toLowerCase()) return true;
  // Behind a proxy PUBLIC_URL names the public origin; a direct call (tests, localhost) comes to the Host it names.
  return hostHeader !== undefined && (origin === `http://${hostHeader}`.toLowerCase() || origin === `https://${hostHeader}`.toLowerCase());
}

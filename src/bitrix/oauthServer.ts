/**
 * Which OAuth server renews a portal's tokens. Every install, event, robot call and refresh answer names it in
 * `server_endpoint` («the authorization server for token renewal», e.g. `https://oauth.bitrix24.tech/rest/`);
 * the token endpoint is `/oauth/token/` on that host (b24restdocs: settings/oauth/index.md,
 * settings/oauth/auto-renewal.md). The value arrives in unauthenticated requests, and the refresh carries our
 * `client_secret`, so only Bitrix24's own OAuth hosts (or hosts the admin names) are ever used.
 */

/** Used when the portal has not named its server yet (and no override is configured). */
export const DEFAULT_OAUTH_TOKEN_URL = 'https://oauth.bitrix.info/oauth/token/';

/** Domains of Bitrix24's OAuth servers: the host must be one of them or a subdomain. */
const BITRIX_OAUTH_DOMAINS = ['bitrix.info', 'bitrix24.tech'];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface OAuthHostPolicy {
  /** `B24_OAUTH_URL`: an explicit token URL that wins over what portals name. */
  tokenUrlOverride?: string | undefined;
  /** `B24_OAUTH_HOSTS`: further host names (lower case, maybe with :port) accepted as OAuth servers. */
  extraHosts: readonly string[];
}

/**
 * The origin of an acceptable OAuth server, or undefined: https only (plain http for loopback hosts, as with
 * PUBLIC_URL), no credentials in the URL, and a host of Bitrix24's OAuth domains or one the admin listed.
 */
export function acceptedOAuthOrigin(serverEndpoint: string, policy: OAuthHostPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(serverEndpoint);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  const hostname = url.hostname.toLowerCase();
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(hostname))) return undefined;
  const bitrix = BITRIX_OAUTH_DOMAINS.some((d) => hostname === d || hostname.endsWith(`.${d}`));
  const listed = policy.extraHosts.some((h) => h === hostname || h === url.host.toLowerCase());
  return bitrix || listed ? url.origin : undefined;
}

/** Where a portal's refresh goes: the override, else its own server's `/oauth/token/`, else the default. */
export function tokenUrlFor(serverEndpoint: string | null | undefined, policy: OAuthHostPolicy): string {
  if (policy.tokenUrlOverride) return policy.tokenUrlOverride;
  const origin = serverEndpoint ? acceptedOAuthOrigin(serverEndpoint, policy) : undefined;
  return origin ? `${origin}/oauth/token/` : DEFAULT_OAUTH_TOKEN_URL;
}

/** Parses `B24_OAUTH_HOSTS` (comma or space separated host names). */
export function parseOAuthHosts(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}

import { AppError } from '../errors.js';
import { expiry, userIdOf } from '../bitrix/authPayload.js';
import { acceptedOAuthOrigin, type OAuthHostPolicy } from '../bitrix/oauthServer.js';

/**
 * What an install delivery tells us about a portal. Bitrix24 delivers it in two shapes:
 * - the ONAPPINSTALL event / API-only install callback: `auth[access_token]`, `auth[member_id]`, …
 * - the install page opened in the portal frame: `AUTH_ID`, `REFRESH_ID`, `member_id` in the body and
 *   `DOMAIN`/`PROTOCOL` in the query string (b24restdocs: settings/app-installation/local-apps/installation-callback.md).
 */
export interface PortalInstall {
  memberId: string;
  domain: string;
  clientEndpoint: string;
  serverEndpoint: string;
  accessToken: string;
  refreshToken: string;
  /** Instant the access token expires. */
  accessExpiresAt: Date;
  applicationToken: string | null;
  scope: string;
  userId: number | null;
  shape: 'event' | 'frame';
}

type Dict = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

function requireFields(fields: Record<string, string>): void {
  const missing = Object.entries(fields)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length) {
    throw new AppError('INSTALL_PAYLOAD_INVALID', `Install request is missing ${missing.join(', ')}`, {
      details: { missing },
    });
  }
}

function endpointFor(domain: string, protocol: string): string {
  return `${protocol === '0' ? 'http' : 'https'}://${domain}/rest/`;
}

/** Every REST call goes to this URL with the portal's token: only an http(s) URL is acceptable. */
function restEndpoint(value: string, field: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw new AppError('INSTALL_PAYLOAD_INVALID', `${field} must be an http(s) URL such as https://portal.bitrix24.ru/rest/`, {
      details: { field },
    });
  }
  return value.endsWith('/') ? value : `${value}/`;
}

/** Until a portal names its OAuth server, tokens are renewed at Bitrix24's main one. */
const DEFAULT_SERVER_ENDPOINT = 'https://oauth.bitrix.info/rest/';

/**
 * The OAuth server the install names: our client_secret goes there with every renewal, so a host outside the
 * accepted ones refuses the install instead of being stored.
 */
function serverEndpoint(value: string, field: string, hosts: OAuthHostPolicy): string {
  if (value === '') return DEFAULT_SERVER_ENDPOINT;
  if (acceptedOAuthOrigin(value, hosts) === undefined) {
    throw new AppError(
      'INSTALL_PAYLOAD_INVALID',
      `${field} must be a Bitrix24 OAuth server (https://…bitrix.info or …bitrix24.tech, or a host in B24_OAUTH_HOSTS)`,
      { details: { field } },
    );
  }
  return value;
}

export function parseInstall(body: Dict, query: Dict, now: Date, hosts: OAuthHostPolicy): PortalInstall {
  const auth = body.auth;
  if (auth && typeof auth === 'object') {
    const a = auth as Dict;
    const install = {
      memberId: str(a.member_id),
      domain: str(a.domain),
      accessToken: str(a.access_token),
      refreshToken: str(a.refresh_token),
    };
    requireFields({
      'auth[member_id]': install.memberId,
      'auth[domain]': install.domain,
      'auth[access_token]': install.accessToken,
      'auth[refresh_token]': install.refreshToken,
    });
    return {
      ...install,
      clientEndpoint: restEndpoint(str(a.client_endpoint) || endpointFor(install.domain, '1'), 'auth[client_endpoint]'),
      serverEndpoint: serverEndpoint(str(a.server_endpoint), 'auth[server_endpoint]', hosts),
      accessExpiresAt: expiry(now, str(a.expires), str(a.expires_in)),
      applicationToken: str(a.application_token) || null,
      scope: str(a.scope),
      userId: userIdOf(str(a.user_id)),
      shape: 'event',
    };
  }
  const domain = str(query.DOMAIN) || str(body.DOMAIN);
  const install = {
    memberId: str(body.member_id),
    domain,
    accessToken: str(body.AUTH_ID),
    refreshToken: str(body.REFRESH_ID),
  };
  requireFields({ member_id: install.memberId, DOMAIN: domain, AUTH_ID: install.accessToken, REFRESH_ID: install.refreshToken });
  return {
    ...install,
    clientEndpoint: restEndpoint(endpointFor(domain, str(query.PROTOCOL) || str(body.PROTOCOL) || '1'), 'DOMAIN'),
    serverEndpoint: serverEndpoint(str(body.SERVER_ENDPOINT), 'SERVER_ENDPOINT', hosts),
    accessExpiresAt: expiry(now, '', str(body.AUTH_EXPIRES)),
    applicationToken: str(body.APPLICATION_TOKEN) || null,
    scope: str(body.APPLICATION_SCOPE) || str(body.scope),
    userId: null,
    shape: 'frame',
  };
}

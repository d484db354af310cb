import type { TokenStore } from './tokens.js';

export interface OAuthDeps {
  tokens: TokenStore;
  clientId: string;
  clientSecret: string;
  memberId: string;
  scope: string[];
  isInstalled(): boolean;
  /** The portal's own REST base (client_endpoint). */
  restUrl(): string;
  /** This OAuth server's REST base, which every payload announces as server_endpoint. */
  serverEndpoint(): string;
}

export interface OAuthReply {
  status: number;
  body: Record<string, unknown>;
}

/**
 * `/oauth/token/` as the authorization server answers it (b24restdocs: settings/oauth/index.md). It runs on a host
 * of its own, apart from the portal, and only there: a client that renews at a fixed host instead of the
 * announced `server_endpoint` fails here as it would against a portal on oauth.bitrix24.tech. Only `refresh_token` grants exist here: the sandbox
 * hands out first tokens through the install flow. Every refresh rotates the refresh token.
 */
export function oauthToken(input: Record<string, unknown>, deps: OAuthDeps): OAuthReply {
  const fail = (status: number, error: string, error_description: string): OAuthReply => ({
    status,
    body: { error, error_description },
  });
  if (input.grant_type !== 'refresh_token') return fail(400, 'invalid_request', 'Unsupported grant_type');
  if (input.client_id !== deps.clientId || input.client_secret !== deps.clientSecret) {
    return fail(401, 'invalid_client', 'Invalid client credentials');
  }
  if (!deps.isInstalled()) return fail(401, 'invalid_client', 'Application not installed');
  const pair = deps.tokens.refresh(input.refresh_token);
  if (!pair) return fail(400, 'invalid_grant', 'Invalid grant');
  return {
    status: 200,
    body: {
      access_token: pair.access_token,
      expires: pair.expires,
      expires_in: pair.expires_in,
      scope: deps.scope.join(','),
      // The OAuth server reports its own host here, not the portal's: do not overwrite the portal domain with it.
      domain: new URL(deps.serverEndpoint()).host,
      server_endpoint: deps.serverEndpoint(),
      status: 'L',
      client_endpoint: deps.restUrl(),
      member_id: deps.memberId,
      user_id: pair.user_id,
      refresh_token: pair.refresh_token,
    },
  };
}

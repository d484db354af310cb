import { describe, expect, it } from 'vitest';
import { DEFAULT_OAUTH_TOKEN_URL, tokenUrlFor } from '../../src/bitrix/oauthServer.js';

describe('which OAuth server renews a portal\'s tokens', () => {
  const none = { extraHosts: [] };
  it('is the one the portal names, at /oauth/token/ on its host', () => {
    expect(tokenUrlFor('https://oauth.bitrix24.tech/rest/', none)).toBe('https://oauth.bitrix24.tech/oauth/token/');
    expect(tokenUrlFor('https://oauth.bitrix.info/rest/', none)).toBe('https://oauth.bitrix.info/oauth/token/');
  });
  it('is oauth.bitrix.info while the portal has named none, or named one we do not accept', () => {
    expect(tokenUrlFor(null, none)).toBe(DEFAULT_OAUTH_TOKEN_URL);
    expect(tokenUrlFor('https://attacker.example/rest/', none)).toBe(DEFAULT_OAUTH_TOKEN_URL);
    expect(tokenUrlFor('http://oauth.bitrix24.tech/rest/', none)).toBe(DEFAULT_OAUTH_TOKEN_URL);
    expect(tokenUrlFor('http://127.0.0.1:8080/rest/', none)).toBe(DEFAULT_OAUTH_TOKEN_URL);
  });
  it('takes hosts the admin lists (plain http only on loopback), and B24_OAUTH_URL over everything', () => {
    expect(tokenUrlFor('http://127.0.0.1:8080/rest/', { extraHosts: ['127.0.0.1:8080'] })).toBe('http://127.0.0.1:8080/oauth/token/');
    expect(tokenUrlFor('http://oauth.corp.example/rest/', { extraHosts: ['oauth.corp.example'] })).toBe(DEFAULT_OAUTH_TOKEN_URL);
    expect(tokenUrlFor('https://oauth.corp.example/rest/', { extraHosts: ['oauth.corp.example'] })).toBe('https://oauth.corp.example/oauth/token/');
    expect(tokenUrlFor('https://oauth.bitrix24.tech/rest/', { tokenUrlOverride: 'https://o.example/t/', extraHosts: [] })).toBe('https://o.example/t/');
  });
});

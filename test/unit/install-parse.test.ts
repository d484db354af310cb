import { describe, expect, it } from 'vitest';
import qs from 'qs';
import { parseInstall } from '../../src/install/parseInstall.js';
import { applicationTokenMatches } from '../../src/install/applicationToken.js';
import { parseBitrixForm } from '../../src/app.js';

const now = new Date('2026-11-29T10:00:00Z');
const HOSTS = { extraHosts: ['oauth.intranet.example'] };

const eventWithServer = (server_endpoint: string) => ({
  auth: {
    access_token: 'at', refresh_token: 'rt', expires_in: '3600', domain: 'acme.bitrix24.ru', member_id: 'm1',
    client_endpoint: 'https://acme.bitrix24.ru/rest/', server_endpoint, application_token: 'app-token',
  },
});

describe('install payloads', () => {
  it('reads the ONAPPINSTALL event shape', () => {
    const body = parseBitrixForm(
      qs.stringify({
        event: 'ONAPPINSTALL',
        data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'ru' },
        ts: '1764410400',
        auth: {
          access_token: 'at',
          refresh_token: 'rt',
          expires: '1764414000',
          expires_in: '3600',
          scope: 'crm,bizproc',
          domain: 'acme.bitrix24.ru',
          server_endpoint: 'https://oauth.bitrix.info/rest/',
          status: 'L',
          client_endpoint: 'https://acme.bitrix24.ru/rest/',
          member_id: 'm1',
          user_id: '1',
          application_token: 'app-token',
        },
      }),
    );
    const p = parseInstall(body, {}, now, HOSTS);
    expect(p).toMatchObject({
      memberId: 'm1',
      domain: 'acme.bitrix24.ru',
      clientEndpoint: 'https://acme.bitrix24.ru/rest/',
      applicationToken: 'app-token',
      userId: 1,
      shape: 'event',
    });
    expect(p.accessExpiresAt.toISOString()).toBe('2025-11-29T11:00:00.000Z');
  });

  it('reads the frame install POST with DOMAIN in the query', () => {
    const p = parseInstall(
      { AUTH_ID: 'at', AUTH_EXPIRES: '3600', REFRESH_ID: 'rt', member_id: 'm2', status: 'L', PLACEMENT: 'DEFAULT' },
      { DOMAIN: 'b.bitrix24.ru', PROTOCOL: '1', LANG: 'ru' },
      now,
      HOSTS,
    );
    expect(p.clientEndpoint).toBe('https://b.bitrix24.ru/rest/');
    expect(p.accessExpiresAt.toISOString()).toBe('2026-11-29T11:00:00.000Z');
    expect(p.applicationToken).toBeNull();
  });

  it('keeps the OAuth server the install names when it is one of Bitrix24\'s or listed', () => {
    for (const ok of ['https://oauth.bitrix24.tech/rest/', 'https://oauth.bitrix.info/rest/', 'https://oauth.intranet.example/rest/']) {
      expect(parseInstall(eventWithServer(ok), {}, now, HOSTS).serverEndpoint).toBe(ok);
    }
    // Not naming one means the main server.
    expect(parseInstall(eventWithServer(''), {}, now, HOSTS).serverEndpoint).toBe('https://oauth.bitrix.info/rest/');
  });

  it('refuses an install naming an OAuth server our client_secret must not reach', () => {
    for (const bad of [
      'https://oauth.bitrix24.tech.evil.example/rest/',
      'https://evilbitrix24.tech/rest/',
      'http://oauth.bitrix24.tech/rest/',
      'https://user:pw@oauth.bitrix.info/rest/',
      'http://127.0.0.1:9/rest/',
      'not a url',
    ]) {
      expect(() => parseInstall(eventWithServer(bad), {}, now, HOSTS), bad).toThrow(/auth\[server_endpoint\] must be a Bitrix24 OAuth server/);
    }
  });

  it('names what is missing', () => {
    expect(() => parseInstall({ auth: { member_id: 'm' } }, {}, now, HOSTS)).toThrow(/auth\[domain\].*auth\[access_token\]/);
    expect(() => parseInstall({}, {}, now, HOSTS)).toThrow(/member_id/);
  });

  it('compares application tokens exactly', () => {
    expect(applicationTokenMatches('secret', 'secret')).toBe(true);
    expect(applicationTokenMatches('secret', 'secreT')).toBe(false);
    expect(applicationTokenMatches('secret', 'secret ')).toBe(false);
    expect(applicationTokenMatches('secret', undefined)).toBe(false);
    expect(applicationTokenMatches('', '')).toBe(false);
  });

  it('parses large indexed arrays as arrays, not objects', () => {
    const form = Array.from({ length: 40 }, (_, i) => `properties[documents][${i}]=x${i}`).join('&');
    const parsed = parseBitrixForm(form) as { properties: { documents: string[] } };
    expect(Array.isArray(parsed.properties.documents)).toBe(true);
    expect(parsed.properties.documents).toHaveLength(40);
  });
});

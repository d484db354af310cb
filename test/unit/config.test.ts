import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('starts on a fresh machine with no environment at all', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATA_DIR).toBe('./data');
    expect(c.DATABASE_URL).toBeUndefined();
    // No fixed OAuth host: each portal's tokens are renewed where it says.
    expect(c.B24_OAUTH_URL).toBeUndefined();
    expect(c.B24_OAUTH_HOSTS).toEqual([]);
    expect(c.QRBILL_NOW).toBeUndefined();
    expect(c.PUBLIC_URL).toBe('http://localhost:3000');
    expect(c.publicUrlIsDefault).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_URL: 'http://billing.example.ru' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ LINK_SECRET: 'short' }, 'LINK_SECRET'],
    [{ DEFAULT_TIME_ZONE: 'Mars/Olympus' }, 'DEFAULT_TIME_ZONE'],
    [{ B24_OAUTH_URL: 'nope' }, 'B24_OAUTH_URL'],
    [{ B24_OAUTH_URL: 'http://oauth.example.ru/oauth/token/' }, 'B24_OAUTH_URL'],
    [{ B24_OAUTH_HOSTS: 'oauth.example.ru, https://x' }, 'B24_OAUTH_HOSTS'],
    [{ QRBILL_NOW: '2026-12-20T09:00:00' }, 'QRBILL_NOW'],
    [{ QRBILL_NOW: '20.12.2026' }, 'QRBILL_NOW'],
  ])('refuses %j naming %s', (env, name) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(name);
    }
  });

  it('accepts https and trims the trailing slash of PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://billing.example.ru/' }).PUBLIC_URL).toBe('https://billing.example.ru');
    expect(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:8080' }).PUBLIC_URL).toBe('http://127.0.0.1:8080');
  });

  it('reads QRBILL_NOW with its offset and OAuth hosts as a list', () => {
    const c = loadConfig({ QRBILL_NOW: '2026-12-20T09:00:00+03:00', B24_OAUTH_HOSTS: 'OAuth.Intranet.example, 127.0.0.1:8443' });
    expect(c.QRBILL_NOW?.toISOString()).toBe('2026-12-20T06:00:00.000Z');
    expect(c.B24_OAUTH_HOSTS).toEqual(['oauth.intranet.example', '127.0.0.1:8443']);
  });

  it('.env.example and the README list every variable', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const key of CONFIG_KEYS) {
      expect(example, key).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
      expect(readme, key).toContain(`\`${key}\``);
    }
  });
});

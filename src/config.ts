import { z } from 'zod';
import { parseOAuthHosts, type OAuthHostPolicy } from './bitrix/oauthServer.js';

/**
 * The one environment schema. Every variable is listed in .env.example and the README.
 * A bad value stops the boot with a message naming the variable.
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const isLocalHost = (u: URL) => ['localhost', '127.0.0.1', '::1', '[::1]'].includes(u.hostname);

/**
 * An optional absolute URL that must use https; plain http is allowed for this machine only (local testing).
 * Bitrix24's queue server reaches only public https handlers, and tokens must not travel in clear text.
 */
const httpsUrl = (example: string, what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be ${what} such as ${example}` });
        return z.NEVER;
      }
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLocalHost(u))) {
        ctx.addIssue({ code: 'custom', message: 'must use https (http is allowed only for localhost)' });
        return z.NEVER;
      }
      return u;
    });

/** A whole number within bounds, from an environment string; one message for every way it can be wrong. */
const wholeNumber = (min: number, max: number, message: string) =>
  z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);

/** An optional secret of at least `minLength` characters (empty means unset). */
const secret = (minLength: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (v.length < minLength) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${minLength} characters` });
        return z.NEVER;
      }
      return v;
    });

const schema = z.object({
  PORT: wholeNumber(1, 65535, 'must be a port number (1–65535)').default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: httpsUrl('https://billing.example.ru', 'an absolute URL').transform((u) => u?.toString().replace(/\/+$/, '')),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (!/^postgres(ql)?:\/\//.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be a postgres:// or postgresql:// URL (leave empty for SQLite)' });
        return z.NEVER;
      }
      return v;
    }),
  B24_CLIENT_ID: z.string().optional().transform((v) => v || undefined),
  B24_CLIENT_SECRET: z.string().optional().transform((v) => v || undefined),
  /**
   * Explicit override of the OAuth token URL. Unset (the default), each portal's tokens are renewed at the server it
   * names in `server_endpoint` (https://oauth.bitrix.info/oauth/token/ until it names one).
   */
  B24_OAUTH_URL: httpsUrl('https://oauth.bitrix.info/oauth/token/', 'a URL').transform((u) => u?.toString()),
  /** Host names accepted as OAuth servers besides *.bitrix.info and *.bitrix24.tech (comma-separated). */
  B24_OAUTH_HOSTS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const hosts = parseOAuthHosts(v);
      const bad = hosts.find((h) => !/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/.test(h));
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `"${bad}" is not a host name (e.g. oauth.example.ru or 127.0.0.1:8080)` });
        return z.NEVER;
      }
      return hosts;
    }),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  /** Signs public document links. Generated and stored in the database on first start when absent. */
  LINK_SECRET: secret(32),
  /** A company's own e-mail templates (`<name>.subject.hbs` + `<name>.body.hbs`), searched before the built-in ones. */
  EMAIL_TEMPLATES_DIR: z.string().optional().transform((v) => v || undefined),
  /** Portal time zone used until a portal says otherwise. */
  DEFAULT_TIME_ZONE: z
    .string()
    .default('Europe/Moscow')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('ru-RU', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Moscow'),
  WORKER_CONCURRENCY: wholeNumber(1, 64, 'must be a whole number from 1 to 64').default(4),
  /** Set to 0 to run HTTP only (e.g. several web instances and separate workers on PostgreSQL). */
  WORKER_ENABLED: z
    .enum(['0', '1', 'true', 'false'], { error: 'must be 1 or 0' })
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  /** Bearer token for GET /metrics (Prometheus); unset, /metrics answers 404. */
  METRICS_TOKEN: secret(16),
  /**
   * Trials only: the service's (and the CLI's) clock starts at this instant and runs on from there. An ISO instant
   * with its offset (2026-12-20T09:00:00+03:00) so the portal's calendar day is never guessed.
   */
  QRBILL_NOW: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v) ? new Date(v) : undefined;
      if (t === undefined || Number.isNaN(t.getTime())) {
        ctx.addIssue({ code: 'custom', message: 'must be an instant with its offset, such as 2026-12-20T09:00:00+03:00' });
        return z.NEVER;
      }
      return t;
    }),
});

export type Config = z.infer<typeof schema> & { PUBLIC_URL: string; publicUrlIsDefault: boolean };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`));
  }
  const c = parsed.data;
  const publicUrlIsDefault = c.PUBLIC_URL === undefined;
  return { ...c, PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`, publicUrlIsDefault };
}

/** The bounds on OAuth servers a portal may name (see bitrix/oauthServer.ts). */
export function oauthHosts(c: Pick<Config, 'B24_OAUTH_URL' | 'B24_OAUTH_HOSTS'>): OAuthHostPolicy {
  return { tokenUrlOverride: c.B24_OAUTH_URL, extraHosts: c.B24_OAUTH_HOSTS };
}

/** Names of every variable, for .env.example drift tests. */
export const CONFIG_KEYS = Object.keys(schema.shape);

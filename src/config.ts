import { z } from 'zod';

/**
 * The one environment schema. Every variable is listed in .env.example and the README.
 * A bad value stops the boot with a message naming the variable.
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const isLocalHost = (u: URL) => ['localhost', '127.0.0.1', '::1', '[::1]'].includes(u.hostname);

const schema = z.object({
  PORT: z.coerce.number({ error: 'must be a port number (1–65535)' }).int('must be a port number (1–65535)').min(1, 'must be a port number (1–65535)').max(65535, 'must be a port number (1–65535)').default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://billing.example.ru' });
        return z.NEVER;
      }
      // Bitrix24's queue server only reaches public https handlers; plain http is allowed for local testing.
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLocalHost(u))) {
        ctx.addIssue({ code: 'custom', message: 'must use https (http is allowed only for localhost)' });
        return z.NEVER;
      }
      return u.toString().replace(/\/+$/, '');
    }),
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
  B24_OAUTH_URL: z.url({ error: 'must be a URL such as https://oauth.bitrix.info/oauth/token/' }).default('https://oauth.bitrix.info/oauth/token/'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  /** Signs public document links. Generated and stored in the database on first start when absent. */
  LINK_SECRET: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (v.length < 32) {
        ctx.addIssue({ code: 'custom', message: 'must be at least 32 characters' });
        return z.NEVER;
      }
      return v;
    }),
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
  WORKER_CONCURRENCY: z.coerce.number({ error: 'must be a whole number from 1 to 64' }).int('must be a whole number from 1 to 64').min(1, 'must be a whole number from 1 to 64').max(64, 'must be a whole number from 1 to 64').default(4),
  /** Set to 0 to run HTTP only (e.g. several web instances and separate workers on PostgreSQL). */
  WORKER_ENABLED: z
    .enum(['0', '1', 'true', 'false'], { error: 'must be 1 or 0' })
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
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

/** Names of every variable, for .env.example drift tests. */
export const CONFIG_KEYS = Object.keys(schema.shape);

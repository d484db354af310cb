import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Every place a secret can appear in a logged object. Bitrix24 payloads put tokens under
 * `auth[...]` (robot calls, events), OAuth responses at the top level, and our own config
 * holds the client secret and the link-signing secret.
 */
export const REDACT_PATHS = [
  'access_token',
  'refresh_token',
  'application_token',
  'client_secret',
  'auth',
  '*.access_token',
  '*.refresh_token',
  '*.application_token',
  '*.client_secret',
  '*.accessToken',
  '*.refreshToken',
  '*.applicationToken',
  '*.clientSecret',
  '*.auth',
  '*.*.access_token',
  '*.*.refresh_token',
  '*.*.application_token',
  '*.*.auth',
  'req.headers.authorization',
  'config.B24_CLIENT_SECRET',
  'config.LINK_SECRET',
  'config.DATABASE_URL',
  'B24_CLIENT_SECRET',
  'LINK_SECRET',
];

/** The names a secret goes by, as a top-level key of a logged object. */
const SECRET_KEYS = [
  'access_token',
  'refresh_token',
  'application_token',
  'client_secret',
  'auth',
  'accessToken',
  'refreshToken',
  'applicationToken',
  'clientSecret',
  'authorization',
];

/**
 * The logger of the one line each request ends with. Its fields are scalars (`FastifyRequest.logExtra` is typed
 * so), so only a top-level key can hold a secret: redacting those alone spares every request the wildcard walk of
 * REDACT_PATHS, which cost about 6 % of a robot call's CPU (`npm run bench accept`). Pino lets a child replace
 * its parent's redaction (pino docs: api.md, child `options.redact`).
 */
export function requestLineLogger(log: Logger): Logger {
  return log.child({}, { redact: { paths: SECRET_KEYS, censor: '[redacted]' } });
}

export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'b24-qr-billing' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream | undefined,
  );
}

/** A logger that drops everything: for CLI commands and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Fastify's `childLoggerFactory`: a request's logger (bound to its request id) that becomes a pino child only when
 * something logs through it. Most requests log only the request line (through `requestLineLogger`, with the id as a
 * field), and making a child per request — binding serialisation included — cost about 3 % of a robot call's CPU.
 */
export function lazyRequestLogger(parent: Logger, bindings: pino.Bindings, opts: pino.ChildLoggerOptions): Logger {
  let child: Logger | undefined;
  const real = (): Logger => (child ??= parent.child(bindings, opts));
  const forward =
    (method: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent') =>
    (...args: unknown[]) =>
      (real()[method] as (...a: unknown[]) => void)(...args);
  return {
    fatal: forward('fatal'),
    error: forward('error'),
    warn: forward('warn'),
    info: forward('info'),
    debug: forward('debug'),
    trace: forward('trace'),
    silent: forward('silent'),
    child: (more: pino.Bindings, moreOpts?: pino.ChildLoggerOptions) => real().child(more, moreOpts),
    get level() {
      return child?.level ?? opts.level ?? parent.level;
    },
    set level(level: string) {
      real().level = level;
    },
    isLevelEnabled: (level: string) => real().isLevelEnabled(level),
    bindings: () => real().bindings(),
  } as unknown as Logger;
}

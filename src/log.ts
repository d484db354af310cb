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

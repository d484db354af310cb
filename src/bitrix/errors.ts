import { AppError } from '../errors.js';

/** Codes this client raises itself (the rest are the platform's own `error` values). */
export const BitrixErrorCode = {
  PORTAL_NOT_FOUND: 'PORTAL_NOT_FOUND',
  PORTAL_NEEDS_REINSTALL: 'PORTAL_NEEDS_REINSTALL',
  TOKEN_REFRESH_FAILED: 'TOKEN_REFRESH_FAILED',
  TOKEN_REFRESH_BUSY: 'TOKEN_REFRESH_BUSY',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  NETWORK_ERROR: 'NETWORK_ERROR',
  TIMEOUT: 'TIMEOUT',
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  HTTP_ERROR: 'HTTP_ERROR',
} as const;

export interface BitrixErrorOptions {
  /** HTTP status of the portal's answer; undefined when none arrived (network error, timeout). */
  httpStatus?: number;
  /** REST method that failed (never its parameters: they may carry personal data). */
  method?: string;
  /** The platform's `error_description`, verbatim. */
  description?: string;
  retryable?: boolean;
  ambiguous?: boolean;
  cause?: unknown;
  details?: Record<string, unknown>;
}

/**
 * A failed Bitrix24 REST call. `code` is the platform's error (`QUERY_LIMIT_EXCEEDED`, `expired_token`,
 * `ACCESS_DENIED`, `NOT_FOUND`, `ERROR_CORE`, …) or one of {@link BitrixErrorCode}.
 *
 * `ambiguous` means a non-idempotent call (add/update/send) may have been executed by the portal although we
 * saw no answer: the caller must look before creating again. Messages and details never contain tokens.
 */
export class BitrixError extends AppError {
  readonly httpStatus: number | undefined;
  readonly method: string | undefined;
  readonly description: string | undefined;
  readonly ambiguous: boolean;

  constructor(code: string, message: string, opts: BitrixErrorOptions = {}) {
    super(code, message, {
      cause: opts.cause,
      retryable: opts.retryable ?? false,
      details: {
        ...opts.details,
        ...(opts.method === undefined ? {} : { method: opts.method }),
        ...(opts.httpStatus === undefined ? {} : { httpStatus: opts.httpStatus }),
        ...(opts.ambiguous ? { ambiguous: true } : {}),
      },
    });
    this.name = 'BitrixError';
    this.httpStatus = opts.httpStatus;
    this.method = opts.method;
    this.description = opts.description;
    this.ambiguous = opts.ambiguous ?? false;
  }
}

export function isBitrixError(err: unknown, code?: string): err is BitrixError {
  return err instanceof BitrixError && (code === undefined || err.code === code);
}

/** Rate-limit answers: the platform rejected the request before running it, so any call may be repeated. */
export function isNotExecutedLimit(httpStatus: number | undefined, code: string): boolean {
  return code === 'QUERY_LIMIT_EXCEEDED' || code === 'OPERATION_TIME_LIMIT' || httpStatus === 429;
}

/**
 * `expired_token` (and `invalid_token`) on 401 are answered by refreshing the OAuth pair once. So is
 * `NO_AUTH_FOUND`: the portal no longer knows our access token (revoked, or the portal restored from a
 * backup); if the refresh token is dead too, the refresh fails with invalid_grant and the portal is
 * flagged for reinstall instead of failing every call silently.
 */
export function isExpiredToken(httpStatus: number | undefined, code: string): boolean {
  return httpStatus === 401 && (code === 'expired_token' || code === 'invalid_token' || code === 'NO_AUTH_FOUND');
}

/**
 * An error object safe to attach as `cause`: axios errors carry the request config, whose body holds the
 * access token, so only their name, code and message survive.
 */
export function safeCause(err: unknown): Error | undefined {
  if (err === undefined || err === null) return undefined;
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  const out = new Error(typeof e.message === 'string' ? redactSecrets(e.message) : String(err));
  out.name = typeof e.name === 'string' ? e.name : 'Error';
  if (typeof e.code === 'string') (out as Error & { code?: string }).code = e.code;
  return out;
}

/** Belt and braces for text that might echo a request (`auth=…`, `refresh_token=…`). */
export function redactSecrets(text: string): string {
  return text.replace(/((?:auth|access_token|refresh_token|client_secret)["']?\s*[=:]\s*["']?)[^&"',\s}]+/gi, '$1[redacted]');
}

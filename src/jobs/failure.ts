import { AppError, errorMessage } from '../errors.js';

/**
 * A job error is permanent only when the code that threw said so: an AppError with retryable=false
 * (invalid input, a business rule). Anything else — network errors, bugs, timeouts — may pass on retry.
 */
export function isPermanentJobError(err: unknown): boolean {
  return err instanceof AppError && !err.retryable;
}

/** `CODE: message` as stored in jobs.last_error and shown in health views. */
export function describeJobError(err: unknown): string {
  const code =
    err instanceof AppError
      ? err.code
      : typeof (err as { code?: unknown })?.code === 'string'
        ? (err as { code: string }).code
        : err instanceof Error
          ? err.name
          : 'ERROR';
  const text = `${code}: ${errorMessage(err)}`;
  // last_error is for people reading a dashboard, not a log sink.
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

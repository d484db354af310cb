import { AppError, errorMessage } from '../errors.js';

/** The delay a failure asks for before its retry, if it names one. */
export function retryDelayOf(err: unknown): number | undefined {
  return err instanceof AppError && err.retryable && err.retryAfterMs !== undefined ? err.retryAfterMs : undefined;
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

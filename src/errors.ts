/**
 * Errors that cross module boundaries carry a stable machine code, a human message,
 * the underlying cause and whether retrying the same operation can help.
 * Robots turn `message` into `error_text`, so write it for a manager, not a developer.
 */
export interface AppErrorOptions {
  cause?: unknown;
  /** True when the same call may succeed later (network, rate limits, 5xx). */
  retryable?: boolean;
  /** Structured details safe to log (never secrets). */
  details?: Record<string, unknown>;
  /** A retryable failure that knows when a retry makes sense (e.g. a bounded grace) says so here. */
  retryAfterMs?: number;
}

export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Input that failed validation; `path` names the offending field (e.g. `seller.bank.bic`). */
export class ValidationError extends AppError {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[], message?: string) {
    super('VALIDATION_FAILED', message ?? issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
      details: { issues },
    });
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
  /** English text, for bilingual messages. */
  messageEn?: string;
}

export function isRetryable(err: unknown): boolean {
  return err instanceof AppError ? err.retryable : false;
}

/**
 * The one test for "retrying cannot help": only the code that threw can say so, with an AppError whose
 * retryable is false (invalid input, a business rule). Anything else — network errors, bugs, timeouts — may
 * pass on retry. The job worker, the robot runner and the robot answer all decide with this.
 */
export function isPermanent(err: unknown): boolean {
  return err instanceof AppError && !err.retryable;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

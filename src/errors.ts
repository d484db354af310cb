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
}

export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
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

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

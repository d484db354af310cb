import qs from 'qs';
import { BitrixError, BitrixErrorCode } from './errors.js';
import { isIdempotentMethod } from './idempotency.js';

export const BATCH_MAX_COMMANDS = 50;

export interface BatchCommand {
  method: string;
  params?: Record<string, unknown>;
}

export type BatchCommands = Record<string, BatchCommand>;

export interface BatchCommandError {
  error: string;
  error_description: string;
}

export interface BatchResult {
  /** Results of the commands that succeeded, by key. */
  result: Record<string, unknown>;
  /** Failed commands, by key (the outer call still answers HTTP 200). */
  errors: Record<string, BatchCommandError>;
  /** `total` of list commands, by key. */
  total: Record<string, number>;
  /** `next` of list commands that have more pages, by key. */
  next: Record<string, number>;
}

/**
 * Builds `cmd` for `batch`: `{key: "method?query"}`. The portal runs `parse_str` on the query and only then
 * substitutes `$result[key][field]` references, so values may be fully percent-encoded; keys keep their PHP
 * brackets (`fields[TITLE]`, `select[0]`) readable.
 */
export function encodeBatchCommands(cmds: BatchCommands): Record<string, string> {
  const keys = Object.keys(cmds);
  if (keys.length > BATCH_MAX_COMMANDS) {
    throw new BitrixError(
      BitrixErrorCode.BATCH_TOO_LARGE,
      `A batch holds at most ${BATCH_MAX_COMMANDS} commands, got ${keys.length}`,
      { method: 'batch', details: { commands: keys.length } },
    );
  }
  const out: Record<string, string> = {};
  for (const key of keys) {
    const cmd = cmds[key]!;
    const query = encodeParams(cmd.params ?? {});
    out[key] = query === '' ? cmd.method : `${cmd.method}?${query}`;
  }
  return out;
}

/** PHP-style query string: nested objects and arrays become bracket keys, `Date`s ISO text. */
export function encodeParams(params: Record<string, unknown>): string {
  return qs.stringify(params, {
    encodeValuesOnly: true,
    arrayFormat: 'indices',
    // Booleans would arrive as "true"/"false"; Bitrix24 reads Y/N in most flags, the caller decides.
    serializeDate: (d: Date) => d.toISOString(),
  });
}

/** A batch is only as repeatable as its least repeatable command. */
export function isIdempotentBatch(cmds: BatchCommands): boolean {
  return Object.values(cmds).every((c) => isIdempotentMethod(c.method));
}

/**
 * The platform answers `result: {result, result_error, result_total, result_next, result_time}`; PHP
 * serialises an empty map as `[]`, so every part may be an array when nothing is in it.
 */
export function parseBatchResult(raw: unknown): BatchResult {
  const body = asRecord(raw);
  const result = asRecord(body.result);
  const errors: Record<string, BatchCommandError> = {};
  for (const [key, value] of Object.entries(asRecord(body.result_error))) {
    const e = asRecord(value);
    errors[key] = {
      error: typeof e.error === 'string' ? e.error : String(e.error ?? 'ERROR'),
      error_description: typeof e.error_description === 'string' ? e.error_description : '',
    };
  }
  return {
    result,
    errors,
    total: numbers(body.result_total),
    next: numbers(body.result_next),
  };
}

function asRecord(v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object') return {};
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  return v as Record<string, unknown>;
}

function numbers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(asRecord(v))) {
    const n = Number(x);
    if (Number.isFinite(n)) out[k] = n;
  }
  return out;
}

import qs from 'qs';
import { SandboxRestError, param, type MethodContext, type MethodHandler } from './types.js';

export const QS_OPTIONS = { arrayLimit: 1000, depth: 10, parameterLimit: 100_000 } as const;

export type CallOutcome =
  | { ok: true; result: unknown; total?: number; next?: number; time: Record<string, unknown> }
  | { ok: false; status: number; error: string; description: string; time: Record<string, unknown> };

export type SubCall = (method: string, params: Record<string, any>, ctx: MethodContext) => Promise<CallOutcome>;

const MAX_COMMANDS = 50;
/** Nested batches and file uploads are refused inside a batch. */
const NOT_IN_BATCH = new Set(['batch', 'disk.folder.uploadfile', 'disk.storage.uploadfile', 'disk.file.uploadversion']);

type Results = { result: Map<string, unknown>; result_error: Map<string, unknown>; result_total: Map<string, unknown>; result_next: Map<string, unknown> };

const REF = /\$(result|result_error|result_total|result_next)((?:\[[^\]]*\])+)/g;

function resolveRef(results: Results, kind: string, path: string): unknown {
  const keys = [...path.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!);
  let cur: unknown = results[kind as keyof Results].get(keys[0]!);
  for (const k of keys.slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Replaces `$result[key][field]…` in every string value with what the earlier command returned. */
function substitute(value: unknown, results: Results): unknown {
  if (typeof value === 'string') {
    const whole = new RegExp(`^${REF.source}$`).exec(value);
    if (whole) {
      const v = resolveRef(results, whole[1]!, whole[2]!);
      return v === undefined ? value : v;
    }
    return value.replace(REF, (m, kind: string, path: string) => {
      const v = resolveRef(results, kind, path);
      return v === undefined || (typeof v === 'object' && v !== null) ? m : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
  }
  return value;
}

/** PHP's json_encode of an array: `[]` when empty, a list when keys are 0..n-1, an object otherwise. */
function phpArray(map: Map<string, unknown>): unknown {
  const keys = [...map.keys()];
  if (keys.every((k, i) => k === String(i))) return [...map.values()];
  return Object.fromEntries(map);
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true' || v === 'Y' || v === 'y';
}

/** `run` executes one command; `record` sees every command, including refused ones. */
export function createBatchMethod(deps: { run: SubCall; record(method: string, outcome: CallOutcome): void }): MethodHandler {
  return async (params, ctx) => {
    const cmd = param(params, 'cmd');
    const entries: Array<[string, unknown]> = Array.isArray(cmd)
      ? cmd.map((c, i) => [String(i), c])
      : cmd && typeof cmd === 'object'
        ? Object.entries(cmd)
        : [];
    if (entries.length > MAX_COMMANDS) {
      throw new SandboxRestError('ERROR_BATCH_LENGTH_EXCEEDED', `Max batch length exceeded ${MAX_COMMANDS}`, 400);
    }
    const halt = truthy(param(params, 'halt'));
    const results: Results = { result: new Map(), result_error: new Map(), result_total: new Map(), result_next: new Map() };
    const times = new Map<string, unknown>();

    for (const [key, command] of entries) {
      const text = String(command ?? '');
      const q = text.indexOf('?');
      const method = (q === -1 ? text : text.slice(0, q)).trim().toLowerCase();
      const query = q === -1 ? {} : (qs.parse(text.slice(q + 1), QS_OPTIONS) as Record<string, unknown>);
      const subParams = substitute(query, results) as Record<string, any>;
      delete subParams.auth;
      let outcome: CallOutcome;
      if (NOT_IN_BATCH.has(method)) {
        outcome = { ok: false, status: 405, error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', description: 'Method is not allowed for batch usage', time: {} };
      } else {
        outcome = await deps.run(method, subParams, ctx);
      }
      deps.record(method, outcome);
      if (outcome.ok) {
        results.result.set(key, outcome.result);
        if (outcome.total !== undefined) results.result_total.set(key, outcome.total);
        if (outcome.next !== undefined) results.result_next.set(key, outcome.next);
        times.set(key, outcome.time);
      } else {
        results.result_error.set(key, { error: outcome.error, error_description: outcome.description });
        if (halt) break;
      }
    }
    return {
      result: phpArray(results.result),
      result_error: phpArray(results.result_error),
      result_total: phpArray(results.result_total),
      result_next: phpArray(results.result_next),
      result_time: phpArray(times),
    };
  };
}

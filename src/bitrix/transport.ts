import { isAxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { safeCause } from './errors.js';

/** What one HTTP exchange with Bitrix24 (portal or OAuth server) came to. */
export type Outcome =
  | { kind: 'ok'; status: number; body: Record<string, unknown> }
  /** The server answered, with an `error` code (ours when the body was not the platform's JSON). */
  | { kind: 'error'; status: number; code: string; description: string }
  /**
   * No answer. `notSent` is true only when the connection was never established (refused, unknown host),
   * so the server cannot have acted on the request.
   */
  | { kind: 'no-response'; code: 'TIMEOUT' | 'NETWORK_ERROR'; sysCode: string | undefined; notSent: boolean; cause: Error | undefined };

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export async function sendRequest(http: AxiosInstance, config: AxiosRequestConfig): Promise<Outcome> {
  try {
    const res = await http.request({
      ...config,
      // Statuses are the protocol here (401 expired_token, 503 QUERY_LIMIT_EXCEEDED): never let axios throw on them.
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
    });
    return classifyResponse(res.status, res.data);
  } catch (err) {
    return classifyFailure(err);
  }
}

export function classifyResponse(status: number, data: unknown): Outcome {
  const body = parseBody(data);
  if (body !== undefined && typeof body.error === 'string' && body.error !== '') {
    return {
      kind: 'error',
      status,
      code: body.error,
      description: typeof body.error_description === 'string' ? body.error_description : '',
    };
  }
  // CRM methods often answer `{"error": "", "error_description": "Email send error. …"}`: keep the text.
  if (body !== undefined && body.error === '' && typeof body.error_description === 'string' && body.error_description !== '') {
    return { kind: 'error', status, code: 'ERROR_CORE', description: body.error_description };
  }
  if (status >= 200 && status < 300) {
    if (body === undefined) return { kind: 'error', status, code: 'INVALID_RESPONSE', description: 'Answer is not JSON' };
    return { kind: 'ok', status, body };
  }
  // A proxy's HTML page (502 from nginx, 503 from a balancer) carries no platform code.
  const code = status === 429 ? 'OPERATION_TIME_LIMIT' : 'HTTP_ERROR';
  return { kind: 'error', status, code, description: `HTTP ${status}` };
}

function parseBody(data: unknown): Record<string, unknown> | undefined {
  let v = data;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  return undefined;
}

export function classifyFailure(err: unknown): Outcome {
  const sysCode = systemCode(err);
  const timedOut = sysCode !== undefined && TIMEOUT_CODES.has(sysCode);
  return {
    kind: 'no-response',
    code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
    sysCode,
    notSent: sysCode !== undefined && NOT_SENT_CODES.has(sysCode),
    cause: safeCause(err),
  };
}

function systemCode(err: unknown): string | undefined {
  if (isAxiosError(err)) {
    const inner = (err.cause as { code?: unknown } | undefined)?.code;
    if (typeof inner === 'string' && err.code !== 'ECONNABORTED' && err.code !== 'ETIMEDOUT') return inner;
    return err.code ?? (typeof inner === 'string' ? inner : undefined);
  }
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

import qs from 'qs';

export type PostOutcome = { status: number } | { error: string };

/**
 * POSTs a payload the way the Bitrix24 queue server does: form-encoded, PHP bracket keys with indices
 * (`document_id[0]=crm`, `auth[member_id]=…`), every scalar a string. Never throws: the platform logs a
 * failed delivery and moves on.
 */
export async function postForm(
  url: string,
  payload: Record<string, unknown>,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<PostOutcome> {
  const signals = [AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Bitrix24 Webhook Engine' },
      body: qs.stringify(payload, { arrayFormat: 'indices' }),
      signal: AbortSignal.any(signals),
    });
    // The platform ignores the body; read it so the connection is released.
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? (err instanceof Error ? err.message : String(err)) };
  }
}

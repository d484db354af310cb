/**
 * What the REST client reports about its traffic, for metrics. The client knows nothing of how it is counted.
 */
export interface BitrixObserver {
  /** One HTTP request to a portal and how it ended: `ok`, a Bitrix24 error code, or a transport failure code. */
  request(memberId: string, method: string, outcome: string): void;
  /** The portal refused a request for its rate limit (QUERY_LIMIT_EXCEEDED / OPERATION_TIME_LIMIT). */
  limitRejection(memberId: string): void;
  /** One OAuth token renewal and whether it produced a new pair. */
  tokenRefresh(memberId: string, outcome: 'ok' | 'failed'): void;
}

export const silentObserver: BitrixObserver = {
  request: () => {},
  limitRejection: () => {},
  tokenRefresh: () => {},
};

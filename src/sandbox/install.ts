/** Payloads of the app lifecycle events (b24restdocs: api-reference/common/events/on-app-install.md, on-app-uninstall.md), form-encoded by the caller. */

/** The `auth[...]` block of install events and robot calls. */
export interface EventAuth {
  domain: string;
  scope: string;
  access_token: string;
  refresh_token: string;
  expires: number;
  expires_in: number;
  server_endpoint: string;
  status: string;
  client_endpoint: string;
  member_id: string;
  user_id: number;
  application_token: string;
}

export function onAppInstallPayload(auth: EventAuth, ts: number, eventHandlerId?: number): Record<string, unknown> {
  return {
    event: 'ONAPPINSTALL',
    data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'ru' },
    ts: String(ts),
    ...(eventHandlerId === undefined ? {} : { event_handler_id: String(eventHandlerId) }),
    auth,
  };
}

/** No tokens: by the time this arrives the app's access is already revoked. */
export function onAppUninstallPayload(
  auth: { domain: string; server_endpoint: string; client_endpoint: string; member_id: string; application_token: string },
  clean: boolean,
  ts: number,
): Record<string, unknown> {
  return {
    event: 'ONAPPUNINSTALL',
    data: { LANGUAGE_ID: 'ru', CLEAN: clean ? '1' : '0' },
    ts: String(ts),
    auth,
  };
}

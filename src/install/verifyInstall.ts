import axios from 'axios';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import type { PortalInstall } from './parseInstall.js';
import { getPortal } from '../storage/portals.js';
import { applicationTokenMatches } from './applicationToken.js';
import { AppError } from '../errors.js';

/** Host (with port) of a REST endpoint, lower-cased; '' when it is not a URL. */
function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint).host.toLowerCase();
  } catch {
    return '';
  }
}

/**
 * An install request is unauthenticated by nature, so before storing anything we check that:
 * 1. it does not take over an installed portal from another domain or another REST host, unless it
 *    proves itself with that installation's application token. The REST host matters as much as the
 *    domain: the token check below asks the endpoint the request names, so a forged install naming
 *    the real domain but its own endpoint would otherwise vouch for itself;
 * 2. the access token really works on the portal it names — with `bizproc.robot.list`, the first
 *    method install needs anyway (application context + admin), so a token that passes can install.
 */
export async function verifyInstall(
  db: Kysely<Database>,
  install: PortalInstall,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const existing = await getPortal(db, install.memberId);
  // Also for an uninstalled portal whose data was kept: its documents and numbering are not up for grabs.
  if (
    existing &&
    (existing.domain !== install.domain || endpointHost(existing.client_endpoint) !== endpointHost(install.clientEndpoint)) &&
    !applicationTokenMatches(existing.application_token, install.applicationToken)
  ) {
    throw new AppError(
      'INSTALL_REJECTED',
      'This portal is already known from another domain; if its address really changed, the service admin can release it with `qrbill forget <member_id>`',
    );
  }
  // The endpoint comes from an unauthenticated request: whatever answers there (nothing, a web page, some
  // other service) gets the same reply, so the install URL cannot be used to probe hosts and ports.
  const unverified = (cause?: unknown) =>
    new AppError('INSTALL_UNVERIFIED', `Bitrix24 at ${install.clientEndpoint} did not confirm the install token; try again`, {
      cause: cause instanceof Error ? new Error(cause.message) : undefined, // axios errors carry the token in their config
      retryable: true,
    });
  let res;
  try {
    res = await axios.post(
      `${install.clientEndpoint}bizproc.robot.list`,
      { auth: install.accessToken },
      { timeout: opts.timeoutMs ?? 15_000, validateStatus: () => true, maxRedirects: 0, maxContentLength: 1024 * 1024 },
    );
  } catch (err) {
    throw unverified(err);
  }
  if (res.status === 200 && Array.isArray(res.data?.result)) return;
  if (typeof res.data?.error === 'string' && res.data.error !== '') {
    // A Bitrix24 REST error (ACCESS_DENIED for a non-admin, expired_token, …) is worth showing the admin.
    const why = `${res.data.error} ${typeof res.data.error_description === 'string' ? res.data.error_description : ''}`.trim();
    throw new AppError('INSTALL_REJECTED', `Bitrix24 did not accept the install token for robots: ${why.slice(0, 300)}`);
  }
  throw unverified(new Error(`HTTP ${res.status} without a Bitrix24 answer`));
}

import axios from 'axios';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import type { PortalInstall } from './parseInstall.js';
import { getPortal } from '../storage/portals.js';
import { applicationTokenMatches } from './applicationToken.js';
import { AppError } from '../errors.js';

/**
 * An install request is unauthenticated by nature, so before trusting it we check that:
 * 1. the access token really works on the portal it names (`app.info` answers, and for our app);
 * 2. it does not take over an installed portal from another domain, unless it proves itself with
 *    that installation's application token.
 */
export async function verifyInstall(
  db: Kysely<Database>,
  install: PortalInstall,
  opts: { clientId?: string; timeoutMs?: number },
): Promise<void> {
  const existing = await getPortal(db, install.memberId);
  if (
    existing &&
    existing.status !== 'uninstalled' &&
    existing.domain !== install.domain &&
    !applicationTokenMatches(existing.application_token, install.applicationToken)
  ) {
    throw new AppError('INSTALL_REJECTED', 'This portal is already installed from another domain');
  }
  let info: Record<string, unknown> | undefined;
  try {
    const res = await axios.post(
      `${install.clientEndpoint}app.info`,
      { auth: install.accessToken },
      { timeout: opts.timeoutMs ?? 15_000, validateStatus: () => true },
    );
    if (res.status !== 200 || !res.data?.result) {
      throw new AppError('INSTALL_REJECTED', `Bitrix24 did not accept the install token (HTTP ${res.status} ${res.data?.error ?? ''})`);
    }
    info = res.data.result as Record<string, unknown>;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('INSTALL_UNVERIFIED', `Could not reach ${install.clientEndpoint} to verify the install`, {
      cause: err,
      retryable: true,
    });
  }
  const clientId = typeof info.client_id === 'string' ? info.client_id : typeof info.CLIENT_ID === 'string' ? info.CLIENT_ID : undefined;
  if (opts.clientId && clientId && clientId !== opts.clientId) {
    throw new AppError('INSTALL_REJECTED', 'The install token belongs to another application');
  }
}

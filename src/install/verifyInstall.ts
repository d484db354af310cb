import axios from 'axios';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import type { PortalInstall } from './parseInstall.js';
import { getPortal } from '../storage/portals.js';
import { applicationTokenMatches } from './applicationToken.js';
import { AppError } from '../errors.js';

/**
 * An install request is unauthenticated by nature, so before storing anything we check that:
 * 1. it does not take over an installed portal from another domain, unless it proves itself with
 *    that installation's application token;
 * 2. the access token really works on the portal it names — with `bizproc.robot.list`, the first
 *    method install needs anyway (application context + admin), so a token that passes can install.
 */
export async function verifyInstall(
  db: Kysely<Database>,
  install: PortalInstall,
  opts: { timeoutMs?: number } = {},
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
  let res;
  try {
    res = await axios.post(
      `${install.clientEndpoint}bizproc.robot.list`,
      { auth: install.accessToken },
      { timeout: opts.timeoutMs ?? 15_000, validateStatus: () => true },
    );
  } catch (err) {
    throw new AppError('INSTALL_UNVERIFIED', `Could not reach ${install.clientEndpoint} to verify the install`, {
      cause: err instanceof Error ? new Error(err.message) : undefined, // axios errors carry the token in their config
      retryable: true,
    });
  }
  if (res.status !== 200 || !Array.isArray(res.data?.result)) {
    const why = typeof res.data?.error === 'string' ? `${res.data.error} ${res.data.error_description ?? ''}`.trim() : `HTTP ${res.status}`;
    throw new AppError('INSTALL_REJECTED', `Bitrix24 did not accept the install token for robots: ${why}`);
  }
}

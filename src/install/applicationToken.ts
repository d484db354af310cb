import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Portal } from '../storage/schema.js';
import { getPortal } from '../storage/portals.js';

/**
 * Constant-time comparison of `auth[application_token]` with the value stored at install (b24restdocs: api-reference/common/events/on-app-install.md).
 * Hashing first gives equal-length buffers, so the comparison leaks neither content nor length.
 */
export function applicationTokenMatches(stored: string, presented: unknown): boolean {
  if (!stored || typeof presented !== 'string' || presented === '') return false;
  const a = createHash('sha256').update(stored).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

/** The portal a Bitrix24 delivery claims to come from, or undefined when it cannot prove it. */
export async function authenticatePortal(
  db: Kysely<Database>,
  auth: unknown,
): Promise<Portal | undefined> {
  if (!auth || typeof auth !== 'object') return undefined;
  const { member_id: memberId, application_token: token } = auth as Record<string, unknown>;
  if (typeof memberId !== 'string' || memberId === '') return undefined;
  const portal = await getPortal(db, memberId);
  if (!portal || portal.status === 'uninstalled') return undefined;
  return applicationTokenMatches(portal.application_token, token) ? portal : undefined;
}

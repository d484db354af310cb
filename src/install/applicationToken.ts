import { hash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Portal } from '../storage/schema.js';
import { getPortal } from '../storage/portals.js';

/**
 * Constant-time comparison of `auth[application_token]` with the value stored at install (b24restdocs: api-reference/common/events/on-app-install.md).
 * Hashing first gives equal-length buffers, so the comparison leaks neither content nor length.
 */
export function applicationTokenMatches(stored: string, presented: unknown): boolean {
  return stored !== '' && applicationTokenMatchesDigest(applicationTokenDigest(stored), presented);
}

/** What a stored application token is compared by: kept with a cached portal row, it is hashed once, not per call. */
export function applicationTokenDigest(stored: string): Buffer {
  return hash('sha256', stored, 'buffer');
}

export function applicationTokenMatchesDigest(storedDigest: Buffer, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented === '') return false;
  return timingSafeEqual(storedDigest, hash('sha256', presented, 'buffer'));
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

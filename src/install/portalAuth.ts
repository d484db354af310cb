import type { Kysely } from 'kysely';
import type { Database, Portal } from '../storage/schema.js';
import { getPortal } from '../storage/portals.js';
import { applicationTokenDigest, applicationTokenMatchesDigest } from './applicationToken.js';

/** How long a portal row may answer authentications from memory (real time). */
const TTL_MS = 5_000;

/**
 * Authenticates Bitrix24 deliveries (`auth[member_id]` + `auth[application_token]`) from a small per-process
 * cache of portal rows, so a busy billing day does not read the same row for every robot call. The cache can
 * only make a check *fail over* to the database, never pass a wrong token: a token that does not match the cached
 * row is checked again against a fresh row (a reinstall elsewhere issued a new one), and rows live for seconds
 * (an uninstall elsewhere is seen within TTL_MS; the job then finds the portal gone and answers nobody).
 */
export class PortalAuthenticator {
  private readonly cache = new Map<string, { portal: Portal; tokenDigest: Buffer; until: number }>();

  constructor(private readonly db: Kysely<Database>) {}

  /** The portal a delivery claims to come from, or undefined when it cannot prove it. */
  async authenticate(auth: unknown): Promise<Portal | undefined> {
    if (!auth || typeof auth !== 'object') return undefined;
    const { member_id: memberId, application_token: token } = auth as Record<string, unknown>;
    if (typeof memberId !== 'string' || memberId === '' || typeof token !== 'string') return undefined;
    const cached = this.cache.get(memberId);
    if (cached && cached.until > Date.now() && applicationTokenMatchesDigest(cached.tokenDigest, token)) return cached.portal;
    const portal = await getPortal(this.db, memberId);
    if (!portal || portal.status === 'uninstalled' || !portal.application_token) {
      this.cache.delete(memberId);
      return undefined;
    }
    const tokenDigest = applicationTokenDigest(portal.application_token);
    this.cache.set(memberId, { portal, tokenDigest, until: Date.now() + TTL_MS });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    return applicationTokenMatchesDigest(tokenDigest, token) ? portal : undefined;
  }

  /** Drops a portal's row after this process changed it (tokens, status). */
  forget(memberId: string): void {
    this.cache.delete(memberId);
  }
}

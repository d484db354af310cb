import { sql, type Kysely } from 'kysely';
import { systemClock } from '../clock.js';
import { transaction } from './db.js';
import type { Database, NewPortal, Portal, PortalStatus } from './schema.js';

/** Fields that identify an installation and its credentials; the rest of `NewPortal` is optional. */
export type PortalInput = NewPortal;

/**
 * Inserts a portal or, on reinstall, replaces its endpoints and credentials. Reinstalling reactivates the
 * portal, bumps `token_version` (so a refresh started with the old tokens cannot overwrite the new ones),
 * keeps the original `installed_at`, and keeps rate limits and time zone unless given.
 */
export async function upsertPortal(db: Kysely<Database>, p: PortalInput): Promise<Portal> {
  const update = {
    domain: p.domain,
    client_endpoint: p.client_endpoint,
    server_endpoint: p.server_endpoint,
    application_token: p.application_token,
    access_token: p.access_token,
    refresh_token: p.refresh_token,
    access_expires_at: p.access_expires_at,
    scope: p.scope,
    user_id: p.user_id ?? null,
    status: p.status ?? 'active',
    status_reason: p.status_reason ?? null,
    refresh_locked_until: null,
    updated_at: p.updated_at,
    ...(p.rate_drain === undefined ? {} : { rate_drain: p.rate_drain }),
    ...(p.rate_burst === undefined ? {} : { rate_burst: p.rate_burst }),
    ...(p.time_zone === undefined ? {} : { time_zone: p.time_zone }),
  };
  return db
    .insertInto('portals')
    .values(p)
    .onConflict((oc) =>
      oc.column('member_id').doUpdateSet((eb) => ({
        ...update,
        token_version: eb(eb.ref('portals.token_version'), '+', 1),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getPortal(db: Kysely<Database>, memberId: string): Promise<Portal | undefined> {
  return db.selectFrom('portals').selectAll().where('member_id', '=', memberId).executeTakeFirst();
}

export async function listPortals(db: Kysely<Database>): Promise<Portal[]> {
  return db.selectFrom('portals').selectAll().orderBy('domain').orderBy('member_id').execute();
}

export interface PortalTokens {
  access_token: string;
  refresh_token: string;
  access_expires_at: string;
  /** Bitrix24 returns the granted scope with each refresh; omit to keep the stored one. */
  scope?: string;
  /** The OAuth server for the next renewal, when the answer named an accepted one; omit to keep the stored one. */
  server_endpoint?: string;
  updated_at: string;
}

/**
 * Compare-and-swap: stores refreshed tokens only if nobody refreshed since `expectedTokenVersion` was read.
 * Returns false when another process won; the caller should re-read the portal and use its tokens.
 * Success bumps `token_version` and releases the refresh lock.
 */
export async function updatePortalTokens(
  db: Kysely<Database>,
  memberId: string,
  expectedTokenVersion: number,
  tokens: PortalTokens,
): Promise<boolean> {
  const result = await db
    .updateTable('portals')
    .set({
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      access_expires_at: tokens.access_expires_at,
      ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
      ...(tokens.server_endpoint === undefined ? {} : { server_endpoint: tokens.server_endpoint }),
      updated_at: tokens.updated_at,
      token_version: expectedTokenVersion + 1,
      refresh_locked_until: null,
    })
    .where('member_id', '=', memberId)
    .where('token_version', '=', expectedTokenVersion)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Whose tokens the portal row holds: the installing user, learnt from `profile` after a frame install. */
export async function setPortalUser(db: Kysely<Database>, memberId: string, userId: number): Promise<void> {
  await db.updateTable('portals').set({ user_id: userId }).where('member_id', '=', memberId).execute();
}

/**
 * Adopts the OAuth pair a robot call carried, decided by the row itself (so no stale copy can mislead):
 * - a portal whose own pair is dead (`needs_reinstall`) takes any working pair and becomes active again:
 *   waiting steps get answered instead of hanging until a reinstall;
 * - otherwise only a pair of the user whose tokens we hold (the installer; a robot set to run as someone else
 *   brings that user's pair, whose CRM rights may differ), and only when it outlives ours.
 * Each adoption bumps `token_version`, so a refresh started with the old pair cannot overwrite it.
 * Calls bring the same pair again and again: an unchanged pair writes nothing.
 */
export async function adoptCarriedPair(
  db: Kysely<Database>,
  memberId: string,
  pair: { accessToken: string; refreshToken: string; expiresAt: Date; userId: number | null },
  at: Date,
): Promise<'revived' | 'adopted' | 'kept'> {
  const set = (eb: import('kysely').ExpressionBuilder<Database, 'portals'>) => ({
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    access_expires_at: pair.expiresAt.toISOString(),
    status: 'active' as const,
    status_reason: null,
    token_version: eb(eb.ref('token_version'), '+', 1),
    refresh_locked_until: null,
    updated_at: at.toISOString(),
  });
  const revived = await db
    .updateTable('portals')
    .set(set)
    .where('member_id', '=', memberId)
    .where('status', '=', 'needs_reinstall')
    .executeTakeFirst();
  if (revived.numUpdatedRows > 0n) return 'revived';
  if (pair.userId === null) return 'kept';
  const adopted = await db
    .updateTable('portals')
    .set(set)
    .where('member_id', '=', memberId)
    .where('status', '=', 'active')
    .where('user_id', '=', pair.userId)
    .where('access_token', '<>', pair.accessToken)
    // Expiry has one-second resolution: a pair issued in the same second as ours counts as fresher.
    .where('access_expires_at', '<=', pair.expiresAt.toISOString())
    .executeTakeFirst();
  return adopted.numUpdatedRows > 0n ? 'adopted' : 'kept';
}

/** The OAuth server that renews the portal's tokens, as the portal last named it. */
export async function updatePortalServerEndpoint(db: Kysely<Database>, memberId: string, endpoint: string, at: Date): Promise<void> {
  await db
    .updateTable('portals')
    .set({ server_endpoint: endpoint, updated_at: at.toISOString() })
    .where('member_id', '=', memberId)
    .execute();
}

/**
 * Takes the cross-process refresh lock until `until` if it is free (or expired at `now`).
 * Returns false while another process holds it; that process's new tokens will show up via token_version.
 */
export async function acquirePortalRefreshLock(
  db: Kysely<Database>,
  memberId: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('portals')
    .set({ refresh_locked_until: until.toISOString() })
    .where('member_id', '=', memberId)
    .where((eb) =>
      eb.or([eb('refresh_locked_until', 'is', null), eb('refresh_locked_until', '<=', now.toISOString())]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Gives the refresh lock up early (e.g. after a failed refresh) so another process may try at once. */
export async function releasePortalRefreshLock(db: Kysely<Database>, memberId: string): Promise<void> {
  await db.updateTable('portals').set({ refresh_locked_until: null }).where('member_id', '=', memberId).execute();
}

export async function markPortalStatus(
  db: Kysely<Database>,
  memberId: string,
  status: PortalStatus,
  reason: string | null,
  at: Date = systemClock.now(),
): Promise<boolean> {
  const result = await db
    .updateTable('portals')
    .set({ status, status_reason: reason, updated_at: at.toISOString() })
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Removes the portal; its robot calls go with it (ON DELETE CASCADE). */
export async function deletePortal(db: Kysely<Database>, memberId: string): Promise<boolean> {
  const result = await db.deleteFrom('portals').where('member_id', '=', memberId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * ONAPPUNINSTALL without CLEAN: keep the portal's history (a reinstall resumes numbering) but forget
 * credentials that are already revoked, and stop any refresh that used them.
 */
export async function markPortalUninstalled(db: Kysely<Database>, memberId: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('portals')
    .set((eb) => ({
      status: 'uninstalled',
      status_reason: 'application uninstalled',
      access_token: '',
      refresh_token: '',
      refresh_locked_until: null,
      token_version: eb(eb.ref('token_version'), '+', 1),
      updated_at: at.toISOString(),
    }))
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Escapes LIKE wildcards so a member id is matched literally. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * ONAPPUNINSTALL with CLEAN: deletes everything stored for the portal — the portal row with its robot calls
 * (cascade) and portal-scoped settings. Convention: a portal-scoped setting key contains `:<member_id>:` or
 * ends with `:<member_id>` (e.g. `robot_fingerprint:<member_id>:<code>`).
 */
export async function deletePortalData(db: Kysely<Database>, memberId: string): Promise<void> {
  const id = likeLiteral(memberId);
  await transaction(db, async (trx) => {
    await trx
      .deleteFrom('settings')
      .where((eb) =>
        eb.or([
          eb('key', 'like', sql<string>`${`%:${id}:%`} escape '\\'`),
          eb('key', 'like', sql<string>`${`%:${id}`} escape '\\'`),
        ]),
      )
      .execute();
    await trx.deleteFrom('portals').where('member_id', '=', memberId).execute();
  });
}

/** Admin choices kept on the portal row: REST budget (Enterprise 5/250) and the portal's time zone. */
export async function updatePortalOptions(
  db: Kysely<Database>,
  memberId: string,
  opts: { rateDrain?: number; rateBurst?: number; timeZone?: string },
  at: Date = systemClock.now(),
): Promise<boolean> {
  const result = await db
    .updateTable('portals')
    .set({
      ...(opts.rateDrain === undefined ? {} : { rate_drain: opts.rateDrain }),
      ...(opts.rateBurst === undefined ? {} : { rate_burst: opts.rateBurst }),
      ...(opts.timeZone === undefined ? {} : { time_zone: opts.timeZone }),
      updated_at: at.toISOString(),
    })
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiKeyRow, Database } from './schema.js';

/** Keys read `qrb_` + 40 base62-ish characters: recognisable in a leaked log or config, 238 bits of randomness. */
const KEY_PREFIX = 'qrb_';
const SHOWN = 12;

export const hashApiKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

export interface ApiKeyInfo {
  id: number;
  prefix: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const info = (r: ApiKeyRow): ApiKeyInfo => ({ id: r.id, prefix: r.prefix, label: r.label, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at });

/** Makes a key for a portal; the key itself is returned once and only its hash is stored. */
export async function createApiKey(db: Kysely<Database>, memberId: string, label: string, now: Date): Promise<{ key: string; info: ApiKeyInfo }> {
  const key = KEY_PREFIX + randomBytes(30).toString('base64url');
  const row = await db
    .insertInto('api_keys')
    .values({ member_id: memberId, prefix: key.slice(0, SHOWN), key_hash: hashApiKey(key), label, created_at: now.toISOString(), last_used_at: null, revoked_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key, info: info(row) };
}

export async function listApiKeys(db: Kysely<Database>, memberId: string): Promise<ApiKeyInfo[]> {
  const rows = await db.selectFrom('api_keys').selectAll().where('member_id', '=', memberId).orderBy('id').execute();
  return rows.map(info);
}

/** Revokes a key of the portal; false when there is no such (unrevoked) key. */
export async function revokeApiKey(db: Kysely<Database>, memberId: string, id: number, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('api_keys')
    .set({ revoked_at: now.toISOString() })
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** The portal a presented key belongs to, when the key exists and is not revoked; notes its use. */
export async function authenticateApiKey(db: Kysely<Database>, key: string, now: Date): Promise<{ memberId: string; keyId: number } | undefined> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 200) return undefined;
  const row = await db.selectFrom('api_keys').select(['id', 'member_id']).where('key_hash', '=', hashApiKey(key)).where('revoked_at', 'is', null).executeTakeFirst();
  if (!row) return undefined;
  await db.updateTable('api_keys').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  return { memberId: row.member_id, keyId: row.id };
}

import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import type { Database } from './schema.js';

export async function getSetting(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/**
 * Stores `value` unless the key already has one, and returns the value that is stored afterwards.
 * Two processes generating a secret at first start therefore both end up using the same one.
 */
export async function setSettingIfAbsent(db: Kysely<Database>, key: string, value: string): Promise<string> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await getSetting(db, key);
  if (stored === undefined) {
    throw new AppError('SETTING_LOST', `Setting ${key} vanished right after it was stored`, { retryable: true });
  }
  return stored;
}

/** Stores `value`, replacing any previous one (settings edited by an admin). */
export async function setSetting(db: Kysely<Database>, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
